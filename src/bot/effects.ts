import { audit } from '../../db/schema';
import type { Case } from '../cases/types';
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
import type { Repo } from '../store/repo';
import { templated } from '../store/templated';

interface SavedCase {
  repo: Repo;
  before: Case | null;
  after: Case;
  at: number;
  length: number | null;
  seq: number;
}

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
  /** The unit's writes in order, but for the saved cases' not built yet (`saved`). */
  private readonly list: Write[] = [];
  /**
   * Each case saved in this unit: the state it was read at, the last state saved, and where its writes go in
   * `list` (`length` is null while they are not built; `seq` orders saves asked for at the same place).
   */
  private readonly saved = new Map<string, SavedCase>();
  private saves = 0;

  /** Everything the unit writes, in the order it was asked for. */
  get writes(): Write[] {
    const unbuilt = [...this.saved.values()].filter((e) => e.length === null);
    for (const entry of unbuilt.sort((a, b) => b.at - a.at || a.seq - b.seq)) this.build(entry);
    return this.list;
  }
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
    this.list.push(...w);
    return this;
  }

  /**
   * A case's new state written (`repo.saveCase`). A case saved again in the same unit from the state it was
   * last saved at (a job's steps one after the other, say) is written once, from the state first read to the
   * last one: one row update and one document, at the place of the first save, instead of a rewrite of the
   * document per step. The writes are built when `writes` is first read. An open round is never merged: its
   * vote rows are guarded as each save read them.
   */
  saveCase(repo: Repo, before: Case | null, after: Case): this {
    const prior = this.saved.get(after.id);
    const open = (c: Case | null) => c?.deliberation?.status === 'open';
    if (prior && prior.after === before && !open(prior.before) && !open(before)) {
      prior.after = after;
      if (prior.length !== null) this.build(prior);
      return this;
    }
    if (prior) {
      // Saved apart: the earlier save keeps its own writes, built now, and its place.
      if (prior.length === null) this.build(prior);
      this.saved.delete(after.id);
    }
    this.saved.set(after.id, { repo, before, after, at: this.list.length, length: null, seq: this.saves++ });
    return this;
  }

  /** Builds (or builds again) a saved case's writes in their place, moving what comes after them. */
  private build(entry: SavedCase): void {
    const writes = entry.repo.saveCase(entry.before, entry.after);
    const old = entry.length ?? 0;
    this.list.splice(entry.at, old, ...writes);
    const moved = writes.length - old;
    for (const other of this.saved.values()) {
      // What was asked for after it at the same place (a save not built yet) follows its writes too.
      const follows = other.at > entry.at || (other.at === entry.at && other.seq > entry.seq);
      if (other !== entry && follows) other.at += moved;
    }
    entry.length = writes.length;
  }

  audit(entry: { actor: string; action: string; subject: string; before?: unknown; after?: unknown }): this {
    this.list.push(
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
    this.list.push(enqueueSend(this.db, { to, message: asMessage(message), now: this.now, ref }));
    return this;
  }

  /** `chat` is where the replied-to message is (a user's direct chat or a group), for pacing. */
  reply(messageId: string, message: OutMessage | object, ref?: string, chat?: Recipient): this {
    this.list.push(
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
    this.list.push(enqueuePatch(this.db, { target, card, now: this.now }));
    return this;
  }

  urgent(target: MessageTarget, openIds: string[]): this {
    this.list.push(enqueueUrgent(this.db, { target, openIds, now: this.now }));
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
