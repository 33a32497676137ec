import { audit } from '../../db/schema';
import type { CardResponse } from '../lark/envelope';
import {
  cardMessage,
  enqueuePatch,
  enqueueReply,
  enqueueSend,
  enqueueUrgent,
  type MessageTarget,
  type OutMessage,
  type Recipient,
  type UnrecordedMessage,
} from '../notify/outbox';
import type { Db, Write } from '../store';
import { templated } from '../store/templated';

export interface EffectsMode {
  /** The event belongs to an anonymous report: nothing it commits may hold its sender. */
  anonymous?: boolean;
  /** A card callback: the response goes back in the callback's own answer. */
  inline?: boolean;
}

/**
 * What a handler wants done, collected and committed in one atomic unit by the pipeline:
 * state writes, audit entries and outgoing messages together.
 */
export class Effects {
  readonly writes: Write[] = [];
  readonly unrecorded: UnrecordedMessage[] = [];
  /** Open ids written because of their role, the same whoever sent the event (a report's handlers). */
  readonly addressedByRole = new Set<string>();
  response?: CardResponse;
  outcome = 'ok';
  /** Events were put back to pending (an admin's replay): the pipeline handles them after this commit. */
  replayRequested = false;
  readonly anonymous: boolean;
  readonly inline: boolean;
  /** The card clicked, when handling a click: its answer replaces it, so live refreshes leave it alone. */
  answering?: string;

  constructor(
    readonly db: Db,
    readonly now: Date,
    mode: EffectsMode = {},
  ) {
    this.anonymous = mode.anonymous ?? false;
    this.inline = mode.inline ?? false;
  }

  /** Units to run after this one commits, by key; a key already running runs once more, not twice at once. */
  readonly followUps = new Map<string, (fx: Effects) => Promise<void>>();

  followUp(key: string, work: (fx: Effects) => Promise<void>): this {
    this.followUps.set(key, work);
    return this;
  }

  write(...w: Write[]): this {
    this.writes.push(...w);
    return this;
  }

  audit(entry: { actor: string; action: string; subject: string; before?: unknown; after?: unknown }): this {
    this.writes.push(
      templated(this.db, 'audit', (v) => this.db.insert(audit).values(v), {
        at: this.now.getTime(),
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        before: entry.before === undefined ? null : JSON.stringify(entry.before),
        after: entry.after === undefined ? null : JSON.stringify(entry.after),
      }),
    );
    return this;
  }

  send(to: Recipient, message: OutMessage | object, ref?: string): this {
    this.writes.push(enqueueSend(this.db, { to, message: asMessage(message), now: this.now, ref }));
    return this;
  }

  /** `chat` is where the replied-to message is (a user's direct chat or a group), for pacing. */
  reply(messageId: string, message: OutMessage | object, ref?: string, chat?: Recipient): this {
    this.writes.push(
      enqueueReply(this.db, {
        messageId,
        message: asMessage(message),
        now: this.now,
        ref,
        ...(chat ? { chat } : {}),
      }),
    );
    return this;
  }

  patch(target: MessageTarget, card: object): this {
    this.writes.push(enqueuePatch(this.db, { target, card, now: this.now }));
    return this;
  }

  urgent(target: MessageTarget, openIds: string[]): this {
    this.writes.push(enqueueUrgent(this.db, { target, openIds, now: this.now }));
    return this;
  }

  /** A message to someone's direct chat that no table ever holds; lost if the process stops first. */
  sendUnrecorded(openId: string, message: OutMessage | object): this {
    this.unrecorded.push({ op: 'send', openId, message: asMessage(message) });
    return this;
  }

  toast(type: 'success' | 'info' | 'warning' | 'error', content: string): this {
    this.response = { ...this.response, toast: { type, content } };
    return this;
  }

  /** Replace the clicked card (for everyone when the card says update_multi). */
  card(data: object): this {
    this.response = { ...this.response, card: { type: 'raw', data } };
    return this;
  }
}

function asMessage(m: OutMessage | object): OutMessage {
  if ('msgType' in m && 'content' in m && typeof (m as OutMessage).content === 'string')
    return m as OutMessage;
  return cardMessage(m);
}
