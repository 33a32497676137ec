import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { type ActionId, CARD_ACTIONS, isActionId } from '../../cards/actions';
import { type HelpRole, helpCard } from '../../cards/help';
import { kv } from '../../db/schema';
import {
  type CardAction,
  type EventEnvelope,
  parseBotAdded,
  parseCardAction,
  parseMenu,
  parseMessageEvent,
  parseP2pEntered,
} from '../lark/envelope';
import { textMessage } from '../notify/outbox';
import { Repo } from '../store/repo';
import { type BotDeps, Ctx } from './context';
import type { Effects } from './effects';
import type { Feature, Said } from './handlers/types';
import { answer } from './handlers/types';
import type { Router } from './pipeline';
import { normalizeCommand } from './text';

/** Event types the bot acts on; anything else is answered 200 and not recorded. */
export const HANDLED_EVENT_TYPES = new Set([
  'im.message.receive_v1',
  'card.action.trigger',
  'im.chat.access_event.bot_p2p_chat_entered_v1',
  'im.chat.member.bot.added_v1',
  'im.chat.member.bot.deleted_v1',
  'application.bot.menu_v6',
]);

export const HELP_WORDS = new Set(['帮助', 'help', '菜单', '?', '你好', 'hi', 'hello', '您好']);

/** Help-card buttons and bot-menu keys carry these; each stands for the words a user could type. */
export const COMMAND_WORDS: Record<string, string> = {
  help: '帮助',
  apply: '申请容错',
  mine: '我的案件',
  todo: '待办',
  report: '举报',
  stats: '统计',
  config: '查看配置',
};

/** Guided conversations a person can leave and come back to, and how to pick each up again. */
const PENDING: Record<string, string> = {
  intake: '你有一份未提交的容错申请草稿，发送「申请容错」或点下方按钮即可接着填写。',
  report: '你有一份未提交的举报，请在举报卡片中继续填写，或发送「取消」放弃。',
};

export async function helpFor(ctx: Ctx, openId: string, unknown?: string) {
  const actor = await ctx.actor(openId);
  const roles: HelpRole[] = ['officer', ...actor.roles];
  const flow = (await ctx.repo.conversation(openId))?.flow;
  const pending = flow ? PENDING[flow] : undefined;
  return helpCard({ orgName: ctx.deps.policy.orgName, roles, unknown, ...(pending ? { pending } : {}) });
}

/** Answered when a click's value does not match its action's schema (a damaged or hand-made callback). */
export const MALFORMED_ACTION = '该卡片操作的数据不完整或有误，未做任何更改。请发送「帮助」重新开始。';

/** A handler as the router calls it: with a value already checked by the schema of the id it is filed under. */
type CheckedHandler = (ctx: Ctx, action: CardAction) => Promise<void>;

/** Every feature's card actions by id; two features answering one id is a wiring bug, refused at start. */
export function actionTable(features: Feature[]): Map<ActionId, CheckedHandler> {
  const table = new Map<ActionId, CheckedHandler>();
  const owner = new Map<ActionId, string>();
  for (const f of features) {
    for (const [id, handler] of Object.entries(f.actions ?? {})) {
      if (!isActionId(id) || !handler) continue;
      const taken = owner.get(id);
      if (taken) throw new Error(`card action ${id} is answered by both ${taken} and ${f.name}`);
      owner.set(id, f.name);
      table.set(id, handler as CheckedHandler);
    }
  }
  return table;
}

export function createRouter(deps: BotDeps, features: Feature[]): Router {
  const actions = actionTable(features);

  async function onSaid(ctx: Ctx, said: Said): Promise<void> {
    if (ctx.fx.anonymous) {
      for (const f of features) if (await f.onAnonymousMessage?.(ctx, said)) return;
      ctx.fx.outcome = 'anonymous:unhandled';
      return;
    }
    for (const f of features) {
      if (f.onMessage && (await f.onMessage(ctx, said))) {
        if (ctx.fx.outcome === 'ok') ctx.fx.outcome = `${f.name}`;
        return;
      }
    }
    if (HELP_WORDS.has(said.words) || said.words === '') {
      ctx.fx.outcome = 'help';
      answer(ctx, said, await helpFor(ctx, said.openId));
      return;
    }
    ctx.fx.outcome = 'unknown-command';
    const shown = said.kind === 'text' || said.kind === 'post' ? said.text : undefined;
    answer(ctx, said, await helpFor(ctx, said.openId, shown));
  }

  async function onCard(ctx: Ctx, clicked: CardAction): Promise<void> {
    const name = clicked.value.a;
    const handler = isActionId(name) ? actions.get(name) : undefined;
    if (!isActionId(name) || (name !== 'cmd' && !handler)) {
      ctx.fx.outcome = 'card:unknown';
      ctx.fx.toast('warning', '该卡片已过期或操作无效，请发送「帮助」重新开始');
      return;
    }
    const schema: z.ZodType<object> = CARD_ACTIONS[name];
    const checked = schema.safeParse(clicked.value);
    if (!checked.success) {
      ctx.fx.outcome = `card:malformed:${name}`;
      ctx.fx.toast('warning', MALFORMED_ACTION);
      return;
    }
    // Fields no schema names stay as sent; the ones it names arrive converted (a round as a number).
    const a: CardAction = { ...clicked, value: { ...clicked.value, ...checked.data } };
    if (name === 'cmd') {
      const words = COMMAND_WORDS[String(a.value.cmd)] ?? '帮助';
      ctx.fx.outcome = `card:cmd:${String(a.value.cmd)}`;
      await onSaid(ctx, {
        openId: a.operatorOpenId,
        chatType: 'p2p',
        words: normalizeCommand(words),
        text: words,
        mentions: [],
        kind: 'text',
      });
      if (!ctx.fx.response) ctx.fx.toast('info', '已在私聊中回复');
      return;
    }
    ctx.fx.outcome = `card:${name}`;
    await handler?.(ctx, a);
    for (const f of features) f.afterAction?.(ctx, a);
  }

  return async (envelope: EventEnvelope, fx: Effects) => {
    const ctx = new Ctx(fx, new Repo(fx.db), deps);
    // An anonymous reporter's id must never reach the database, not even in a read.
    await deps.readForEvent(ctx.repo, fx.anonymous ? undefined : senderOf(envelope));
    switch (envelope.header.event_type) {
      case 'im.message.receive_v1': {
        const m = parseMessageEvent(envelope.event);
        if (!m) {
          fx.outcome = 'ignored:malformed';
          return;
        }
        if (m.senderType && m.senderType !== 'user') {
          fx.outcome = 'ignored:not-user';
          return;
        }
        // In groups the bot speaks only when @mentioned (the platform only delivers those without extra scopes).
        const botOpenId = m.chatType === 'group' ? await deps.botOpenId() : undefined;
        if (
          m.chatType === 'group' &&
          (m.mentions.length === 0 || (botOpenId && !m.mentions.some((x) => x.openId === botOpenId)))
        ) {
          fx.outcome = 'ignored:not-mentioned';
          return;
        }
        return onSaid(ctx, {
          openId: m.senderOpenId,
          chatId: m.chatId,
          chatType: m.chatType,
          messageId: m.messageId,
          words: normalizeCommand(m.text),
          text: m.text.trim(),
          mentions: m.mentions,
          ...(botOpenId ? { botOpenId } : {}),
          kind: m.kind,
          ...(m.file ? { file: m.file } : {}),
          ...(m.imageKey ? { imageKey: m.imageKey } : {}),
        });
      }
      case 'card.action.trigger': {
        const a = parseCardAction(envelope.event);
        if (!a) {
          fx.outcome = 'ignored:malformed';
          fx.toast('error', '无法识别的操作');
          return;
        }
        fx.answering = a.messageId;
        return onCard(ctx, a);
      }
      case 'im.chat.access_event.bot_p2p_chat_entered_v1': {
        const p = parseP2pEntered(envelope.event);
        if (!p) return;
        const key = `welcomed:${p.openId}`;
        const [seen] = await fx.db.select().from(kv).where(eq(kv.key, key));
        if (seen) {
          fx.outcome = 'welcome:already';
          return;
        }
        fx.write(fx.db.insert(kv).values({ key, value: '1', updatedAt: fx.now.getTime() }));
        fx.outcome = 'welcome';
        for (const f of features) if (f.onP2pEntered && (await f.onP2pEntered(ctx, p.openId))) return;
        fx.send({ openId: p.openId }, await helpFor(ctx, p.openId));
        return;
      }
      case 'im.chat.member.bot.added_v1': {
        const p = parseBotAdded(envelope.event);
        if (!p) return;
        fx.outcome = 'bot-added';
        for (const f of features) await f.onBotAdded?.(ctx, p.chatId, p.operatorOpenId);
        return;
      }
      case 'im.chat.member.bot.deleted_v1': {
        // The bot left a chat: a binding to it would only produce undeliverable messages.
        const p = parseBotAdded(envelope.event);
        if (!p) return;
        const bound = (await ctx.repo.bindings()).filter((b) => b.chatId === p.chatId);
        fx.outcome = bound.length ? 'bot-removed:unbound' : 'bot-removed';
        if (!bound.length) return;
        fx.write(ctx.repo.unbindChat(p.chatId));
        fx.audit({
          actor: p.operatorOpenId ?? 'system',
          action: 'chat.unbound',
          subject: `chat:${p.chatId}`,
          before: bound,
          after: null,
        });
        const kinds = bound.map((b) =>
          b.kind === 'party' ? '党组群' : b.kind === 'publication' ? '公示群' : `科室群（${b.unitId}）`,
        );
        const admins = new Set([
          ...deps.configAdmins,
          ...(await ctx.repo.withRole('admin')).map((r) => r.openId),
        ]);
        for (const openId of admins) {
          fx.send(
            { openId },
            textMessage(
              `机器人已被移出群聊 ${p.chatId}，该群原绑定的${kinds.join('、')}已解除。请在新的群中重新绑定。`,
            ),
          );
        }
        return;
      }
      case 'application.bot.menu_v6': {
        const m = parseMenu(envelope.event);
        if (!m) return;
        fx.outcome = `menu:${m.eventKey}`;
        const words = COMMAND_WORDS[m.eventKey] ?? m.eventKey;
        return onSaid(ctx, {
          openId: m.operatorOpenId,
          chatType: 'p2p',
          words: normalizeCommand(words),
          text: words,
          mentions: [],
          kind: 'text',
        });
      }
      default:
        fx.outcome = 'ignored';
    }
  };
}

/** Whose roles and conversation the event will need: the person who sent, clicked or opened the chat. */
function senderOf(envelope: EventEnvelope): string | undefined {
  const e = envelope.event as Record<string, any> | undefined;
  const id =
    e?.sender?.sender_id?.open_id ??
    e?.operator?.open_id ??
    e?.operator?.operator_id?.open_id ??
    e?.operator_id?.open_id;
  return typeof id === 'string' ? id : undefined;
}
