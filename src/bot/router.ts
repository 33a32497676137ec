import { eq } from 'drizzle-orm';
import { helpCard, type HelpRole } from '../../cards/help';
import { kv } from '../../db/schema';
import {
  type CardAction,
  type EventEnvelope,
  type IncomingMessage,
  parseCardAction,
  parseMenu,
  parseMessageEvent,
  parseP2pEntered,
} from '../lark/envelope';
import type { Effects } from './effects';
import type { Router } from './pipeline';
import { normalizeCommand } from './text';

export interface BotServices {
  orgName: string;
  rolesOf(openId: string): Promise<HelpRole[]>;
}

/** Event types the bot acts on; anything else is answered 200 and not recorded. */
export const HANDLED_EVENT_TYPES = new Set([
  'im.message.receive_v1',
  'card.action.trigger',
  'im.chat.access_event.bot_p2p_chat_entered_v1',
  'im.chat.member.bot.added_v1',
  'im.chat.member.bot.deleted_v1',
  'application.bot.menu_v6',
]);

const HELP_WORDS = new Set(['帮助', 'help', '菜单', '?', '？', '你好', 'hi', 'hello']);

export function createRouter(services: BotServices): Router {
  const help = async (fx: Effects, openId: string, unknown?: string) =>
    helpCard({ orgName: services.orgName, roles: await services.rolesOf(openId), unknown });

  async function onMessage(m: IncomingMessage, fx: Effects): Promise<void> {
    // In groups the bot speaks only when @mentioned (the platform only delivers those without extra scopes).
    if (m.chatType === 'group' && m.mentions.length === 0) {
      fx.outcome = 'ignored:not-mentioned';
      return;
    }
    if (m.kind !== 'text' && m.kind !== 'post') {
      fx.outcome = 'ignored:attachment';
      fx.reply(m.messageId, await help(fx, m.senderOpenId));
      return;
    }
    const words = normalizeCommand(m.text);
    if (HELP_WORDS.has(words) || words === '') {
      fx.outcome = 'help';
      fx.reply(m.messageId, await help(fx, m.senderOpenId));
      return;
    }
    fx.outcome = 'unknown-command';
    fx.reply(m.messageId, await help(fx, m.senderOpenId, m.text.trim()));
  }

  async function onCard(a: CardAction, fx: Effects): Promise<void> {
    if (a.value.a === 'cmd') {
      fx.outcome = `card:cmd:${String(a.value.cmd)}`;
      fx.send({ openId: a.operatorOpenId }, await help(fx, a.operatorOpenId));
      fx.toast('info', '已在私聊中发送帮助');
      return;
    }
    fx.outcome = 'card:unknown';
    fx.toast('warning', '该卡片已过期或操作无效，请发送「帮助」重新开始');
  }

  return async (envelope: EventEnvelope, fx: Effects) => {
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
        return onMessage(m, fx);
      }
      case 'card.action.trigger': {
        const a = parseCardAction(envelope.event);
        if (!a) {
          fx.outcome = 'ignored:malformed';
          fx.toast('error', '无法识别的操作');
          return;
        }
        return onCard(a, fx);
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
        fx.send({ openId: p.openId }, await help(fx, p.openId));
        fx.outcome = 'welcome';
        return;
      }
      case 'application.bot.menu_v6': {
        const m = parseMenu(envelope.event);
        if (!m) return;
        fx.send({ openId: m.operatorOpenId }, await help(fx, m.operatorOpenId));
        fx.outcome = `menu:${m.eventKey}`;
        return;
      }
      default:
        fx.outcome = 'ignored';
    }
  };
}
