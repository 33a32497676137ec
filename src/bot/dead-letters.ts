import { and, eq } from 'drizzle-orm';
import { conversations, inbox } from '../../db/schema';
import { type CardResponse, type EventEnvelope, parseMessageEvent } from '../lark/envelope';
import { PRIVATE_REF_PREFIX } from '../notify/deliver';
import { enqueuePatch, enqueueSend, textMessage, type UnrecordedMessage } from '../notify/outbox';
import { type Db, guard, type Write } from '../store';
import { guidedConversationOf } from '../store/conversation-keys';
import { REPORT_FLOW, REPORT_WORDS } from './handlers/reports-intake';
import { isRedacted } from './redact';
import { normalizeCommand } from './text';

/**
 * Dead letters: events the handler gave up on. Each keeps its envelope so an admin can replay it once the
 * cause is fixed (「重试失败事件」), unless it may belong to a report (art. 18: a reporter leaves nothing
 * behind); the sender hears that their action did not go through, the admins hear that something failed,
 * never what it said.
 */

export const REPLAY_COMMAND = '重试失败事件';

/** Who is waiting for this event's answer, if anyone. */
export function senderOf(envelope: EventEnvelope): string | undefined {
  const e = envelope.event as
    | {
        sender?: { sender_id?: { open_id?: unknown } };
        operator?: { open_id?: unknown; operator_id?: { open_id?: unknown } };
        operator_id?: { open_id?: unknown };
      }
    | undefined;
  const id =
    e?.sender?.sender_id?.open_id ??
    e?.operator?.open_id ??
    e?.operator?.operator_id?.open_id ??
    e?.operator_id?.open_id;
  return typeof id === 'string' && id.startsWith('ou_') ? id : undefined;
}

/**
 * An envelope may be kept for replay unless it was recorded redacted (`event.redacted`), or it is a step of a report's intake
 * (a report word, a query code, text typed while a report is open, a click on the intake cards).
 */
export async function replayable(db: Db, envelope: EventEnvelope): Promise<boolean> {
  if (isRedacted(envelope)) return false;
  if (envelope.header.event_type === 'card.action.trigger') {
    const a = (envelope.event as { action?: { value?: { a?: unknown } } } | undefined)?.action?.value?.a;
    // Every intake card action (REPORT_INTAKE_ACTIONS) and every report card's action is named `report.*`.
    return !(typeof a === 'string' && a.startsWith('report.'));
  }
  if (envelope.header.event_type !== 'im.message.receive_v1') return true;
  // Read as the router reads it: mentions stripped, a post's text flattened.
  const m = parseMessageEvent(envelope.event);
  const words = normalizeCommand(m?.text ?? '');
  if (REPORT_WORDS.has(words) || words.startsWith('查询')) return false;
  const sender = senderOf(envelope);
  if (!sender) return true;
  const [open] = await db
    .select({ flow: conversations.flow })
    .from(conversations)
    .where(guidedConversationOf(sender));
  return open?.flow !== REPORT_FLOW;
}

const KIND_NAMES: Record<string, string> = {
  'im.message.receive_v1': '发送的消息',
  'card.action.trigger': '在卡片上的操作',
  'application.bot.menu_v6': '菜单操作',
  'im.chat.access_event.bot_p2p_chat_entered_v1': '进入会话',
  'im.chat.member.bot.added_v1': '把机器人拉进群',
  'im.chat.member.bot.deleted_v1': '把机器人移出群',
};

/** What giving up on or answering an event records, and what goes out from memory only (an anonymous sender). */
export interface Told {
  writes: Write[];
  unrecorded: UnrecordedMessage[];
}

/** A note to whoever is waiting: an outbox row under a private ref, or for an anonymous sender from memory. */
function tellSender(db: Db, openId: string, text: string, now: Date, anonymous: boolean, told: Told): void {
  if (anonymous) told.unrecorded.push({ op: 'send', openId, message: textMessage(text) });
  // The outbox forgets recipient and text of a private row once delivered.
  else
    told.writes.push(
      enqueueSend(db, {
        to: { openId },
        message: textMessage(text),
        now,
        ref: `${PRIVATE_REF_PREFIX}answer`,
      }),
    );
}

/**
 * What turns a pending event into a dead letter: the row marked failed (its envelope kept only if
 * replayable), a note to the sender and an alert to each admin, all in the commit that gives up.
 */
export function deadLetter(p: {
  db: Db;
  envelope: EventEnvelope;
  keep: boolean;
  anonymous: boolean;
  attempts: number;
  now: Date;
  /** Real time, like every inbox timestamp. */
  handledAt: number;
  admins: string[];
}): Told {
  const { db, envelope, keep, now } = p;
  const eventId = envelope.header.event_id;
  const kind = KIND_NAMES[envelope.header.event_type] ?? '操作';
  const told: Told = {
    writes: [
      db
        .update(inbox)
        .set({
          status: 'failed',
          attempts: p.attempts,
          outcome: 'error',
          handledAt: p.handledAt,
          ...(keep ? {} : { payload: null }),
        })
        .where(and(eq(inbox.eventId, eventId), eq(inbox.status, 'pending'))),
      // Handled elsewhere meanwhile: nobody is told it failed.
      guard,
    ],
    unrecorded: [],
  };
  const sender = senderOf(envelope);
  if (sender)
    tellSender(
      db,
      sender,
      keep
        ? `抱歉，你刚才${kind}没有处理成功（系统出错），这次操作尚未生效。系统已保留这次操作并通知管理员，故障排除后会重新处理，结果会发给你，请不要重复操作。`
        : `抱歉，你刚才${kind}没有处理成功（系统出错），这次操作尚未生效。出于保密，系统没有保留这次操作的内容，请稍后重新操作一次。`,
      now,
      p.anonymous,
      told,
    );
  const alert = [
    `有一个事件处理失败，已重试 ${p.attempts} 次仍未成功（事件编号 ${eventId}，类型：${kind}）。`,
    keep
      ? `故障排除后，请在与我的私聊中发送「${REPLAY_COMMAND}」重新处理；发送人已被告知稍后会收到结果。`
      : '该事件可能涉及举报，按保密要求未保留内容，无法重新处理；发送人已被告知重新操作。',
    '详细错误见服务日志（按事件编号查找）。',
  ].join('\n');
  for (const openId of p.admins)
    told.writes.push(enqueueSend(db, { to: { openId }, message: textMessage(alert), now }));
  return told;
}

/**
 * A card answer nobody was waiting for any more (handled after the budget, or after a restart or replay):
 * the card goes to the message as an update, the toast to the clicker as a direct message.
 */
export function forwardedAnswer(
  db: Db,
  envelope: EventEnvelope,
  response: CardResponse | undefined,
  now: Date,
  anonymous: boolean,
): Told {
  const told: Told = { writes: [], unrecorded: [] };
  if (!response) return told;
  const event = envelope.event as { context?: { open_message_id?: unknown } } | undefined;
  const messageId = event?.context?.open_message_id;
  const card = response.card?.data as object | undefined;
  if (card && typeof messageId === 'string' && messageId) {
    if (anonymous) told.unrecorded.push({ op: 'patch', messageId, card });
    else told.writes.push(enqueuePatch(db, { target: { messageId }, card, now }));
  }
  const clicker = senderOf(envelope);
  const toast = response.toast?.content;
  if (toast && clicker) tellSender(db, clicker, `你刚才在卡片上的操作已处理：${toast}`, now, anonymous, told);
  return told;
}

/** Told to a clicker whose late click failed; the event is retried and its result forwarded. */
export function lateFailure(db: Db, envelope: EventEnvelope, now: Date, anonymous: boolean): Told {
  const told: Told = { writes: [], unrecorded: [] };
  const clicker = senderOf(envelope);
  if (clicker)
    tellSender(
      db,
      clicker,
      '你刚才在卡片上的操作处理出错，尚未生效。系统会自动重试，结果会再发给你，请不要重复点击。',
      now,
      anonymous,
      told,
    );
  return told;
}
