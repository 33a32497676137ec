import { randomUUID } from 'node:crypto';
import { outbox } from '../../db/schema';
import type { Db, Write } from '../store';
import { templated } from '../store/templated';

/**
 * A new row is due at once. Its first attempt is not a business-time matter: a job run at a simulated
 * `--now` far in the future must still be delivered by the real clock (back-off sets real times later).
 */
const DUE_AT_ONCE = 0;

/** One row into the outbox, its SQL built once per set of columns given (see `templated`). */
const insertOutbox = (db: Db, row: typeof outbox.$inferInsert): Write =>
  templated(db, 'outbox', (v) => db.insert(outbox).values(v), row);

export type Recipient = { openId: string } | { chatId: string };
export interface OutMessage {
  msgType: 'interactive' | 'text' | 'file';
  content: string; // JSON string, as the Open API wants it
}

/** Sent from memory after the commit, never written: answers to an anonymous reporter. */
export type UnrecordedMessage =
  | { op: 'send'; openId: string; message: OutMessage }
  | { op: 'patch'; messageId: string; card: object };

export const cardMessage = (card: object): OutMessage => ({
  msgType: 'interactive',
  content: JSON.stringify(card),
});
export const textMessage = (text: string): OutMessage => ({
  msgType: 'text',
  content: JSON.stringify({ text }),
});

/**
 * A generated document as a file message: the row names the stored document, and the deliverer uploads it
 * and sends its file_key (src/notify/files.ts).
 */
export const fileMessage = (documentId: string): OutMessage => ({
  msgType: 'file',
  content: JSON.stringify({ document_id: documentId }),
});

/**
 * Outbox rows are built here and committed by the caller together with the state change that caused
 * them; the deliverer sends them afterwards. Nothing talks to Lark from a use case directly.
 */
export function enqueueSend(
  db: Db,
  p: { to: Recipient; message: OutMessage; now: Date; ref?: string },
): Write {
  const [receiveIdType, receiveId] = 'openId' in p.to ? ['open_id', p.to.openId] : ['chat_id', p.to.chatId];
  return insertOutbox(db, {
    uuid: randomUUID(),
    op: 'send',
    receiveIdType,
    receiveId,
    ref: p.ref,
    msgType: p.message.msgType,
    content: p.message.content,
    nextAttemptAt: DUE_AT_ONCE,
    createdAt: p.now.getTime(),
  });
}

export function enqueueReply(
  db: Db,
  p: { messageId: string; message: OutMessage; now: Date; ref?: string; chat?: Recipient },
): Write {
  // The chat the reply lands in, when known: replies and sends there are paced and ordered together.
  const chat = p.chat && ('openId' in p.chat ? ['open_id', p.chat.openId] : ['chat_id', p.chat.chatId]);
  return insertOutbox(db, {
    uuid: randomUUID(),
    op: 'reply',
    targetMessageId: p.messageId,
    ...(chat ? { receiveIdType: chat[0], receiveId: chat[1] } : {}),
    ref: p.ref,
    msgType: p.message.msgType,
    content: p.message.content,
    nextAttemptAt: DUE_AT_ONCE,
    createdAt: p.now.getTime(),
  });
}

export type MessageTarget = { messageId: string } | { ref: string };

/** Updates a card already sent (the live tracker, a vote card); older pending updates are superseded. */
export function enqueuePatch(db: Db, p: { target: MessageTarget; card: object; now: Date }): Write {
  return insertOutbox(db, {
    uuid: randomUUID(),
    op: 'patch',
    ...('ref' in p.target ? { targetRef: p.target.ref } : { targetMessageId: p.target.messageId }),
    msgType: 'interactive',
    content: JSON.stringify(p.card),
    nextAttemptAt: DUE_AT_ONCE,
    createdAt: p.now.getTime(),
  });
}

export function enqueueUrgent(db: Db, p: { target: MessageTarget; openIds: string[]; now: Date }): Write {
  return insertOutbox(db, {
    uuid: randomUUID(),
    op: 'urgent',
    ...('ref' in p.target ? { targetRef: p.target.ref } : { targetMessageId: p.target.messageId }),
    urgentUsers: JSON.stringify(p.openIds),
    nextAttemptAt: DUE_AT_ONCE,
    createdAt: p.now.getTime(),
  });
}
