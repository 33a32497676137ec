import { and, asc, eq, lt } from 'drizzle-orm';
import { inbox } from '../../db/schema';
import type { CardResponse, EventEnvelope } from '../lark/envelope';
import type { Logger } from '../log';
import type { UnrecordedMessage } from '../notify/outbox';
import { ConflictError, guard, isStoreUnavailable, retryOnConflict, type Store } from '../store';
import { deadLetter, forwardedAnswer, lateFailure, replayable } from './dead-letters';
import { Effects } from './effects';
import { isRedacted, type Redactor, writeHoldingTrace } from './redact';

export type Source = 'webhook' | 'websocket';
/** Routes one envelope to its use case; it reads what it needs and records its effects, it never commits. */
export type Router = (envelope: EventEnvelope, fx: Effects) => Promise<void>;

export interface PipelineDeps {
  store: Store;
  logger: Logger;
  router: Router;
  /** Called after every commit that queued messages. */
  kickDelivery: () => void;
  /** Business time: the `now` a handler decides with. */
  clock?: () => number;
  /** Real time: when an event was received or handled, and how long it took (never moved by `--now`). */
  wallClock?: () => number;
  /** Card callbacks must be answered within 3 s; past this budget the clicker gets a toast and the work finishes later. */
  cardBudgetMs?: number;
  maxAttempts?: number;
  /** Runs follow-up units in the background (tracked so that settling waits for them). */
  defer?: (work: () => Promise<unknown>) => void;
  /** Decides before the first write which events are recorded without their sender (src/bot/redact.ts). */
  redact?: Redactor;
  /** Delivers what a handler sent unrecorded, after its commit. */
  sendUnrecorded?: (messages: UnrecordedMessage[]) => Promise<void>;
  /** Who is alerted when an event is given up on. */
  admins?: () => Promise<string[]>;
}

/**
 * A card click someone is waiting on: `answering` while an attempt that is about to commit holds the live
 * answer (it is then awaited past the budget), `late` once the budget ran out with nobody holding it (the
 * answer is then forwarded). An attempt that loses a race lets go; past the budget that makes it late.
 */
interface LiveClick {
  state: 'waiting' | 'answering' | 'late';
  expired: boolean;
  onLate: () => void;
}

// The two statements every event runs, written out: building them anew per event was a tenth of its cost.
const RECORD_EVENT =
  'insert into "inbox" ("event_id", "event_type", "source", "payload", "received_at") values (?, ?, ?, ?, ?) on conflict do nothing';
const CLAIM_EVENT = `update "inbox" set "status" = 'done', "payload" = null, "outcome" = ?, "handled_at" = ? where "event_id" = ? and "status" = 'pending'`;

const SLOW_CARD_TOAST: CardResponse = { toast: { type: 'info', content: '已收到，正在处理，结果稍后更新' } };
const FAILED_CARD_TOAST: CardResponse = {
  toast: { type: 'error', content: '处理出错，尚未生效。系统会自动重试，结果会发到私聊，请勿重复点击' },
};
const BUSY_CARD_TOAST: CardResponse = {
  toast: { type: 'error', content: '系统繁忙，这次点击没有保存，请稍后再点一次' },
};

/**
 * Inbox discipline: an event is recorded durably before the platform hears 200, handled afterwards,
 * and marked done in the same commit as its effects, so it is handled exactly once even across crashes.
 */
export class Pipeline {
  private readonly clock: () => number;
  private readonly wallClock: () => number;
  /** Envelopes recorded redacted, with the sender's traces: only this process can still handle them. */
  private readonly redacted = new WeakMap<EventEnvelope, string[]>();
  private readonly background = new Set<Promise<unknown>>();
  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? Date.now;
    this.wallClock = deps.wallClock ?? this.clock;
  }

  /**
   * Records an event before it is answered. `text` is the JSON it was parsed from, when the caller has it:
   * recorded as it came rather than written out again. An event that may belong to an anonymous report is
   * never recorded as it came, only redacted.
   */
  async accept(envelope: EventEnvelope, source: Source, text?: string): Promise<'accepted' | 'duplicate'> {
    const { store } = this.deps;
    const redaction = this.deps.redact?.(envelope);
    if (redaction) this.redacted.set(envelope, redaction.traces);
    const { changes } = await store.commit([
      {
        sql: RECORD_EVENT,
        params: [
          envelope.header.event_id,
          envelope.header.event_type,
          source,
          redaction ? JSON.stringify(redaction.recorded) : (text ?? JSON.stringify(envelope)),
          this.wallClock(),
        ],
      },
    ]);
    return changes[0] === 1 ? 'accepted' : 'duplicate';
  }

  /**
   * Handles a recorded event if it is still pending; safe to call twice or from two places at once.
   * `justAccepted` is the envelope this process has just recorded: the first attempt need not read it
   * back (one round trip less on D1); a retry after a lost race always reads the row.
   */
  async process(
    eventId: string,
    justAccepted?: EventEnvelope,
    live?: LiveClick,
  ): Promise<{ status: 'done' | 'skipped' | 'error'; response?: CardResponse }> {
    const { store, logger } = this.deps;
    const { db } = store;
    const started = this.wallClock();
    let fresh = justAccepted;
    // The inbox holds only a redacted copy: a retry after a lost race keeps working on the one in memory.
    const traces = justAccepted ? this.redacted.get(justAccepted) : undefined;
    const anonymous = traces !== undefined;
    const attempt = async () => {
      const row = fresh
        ? { status: 'pending', payload: '', attempts: 0, eventType: fresh.header.event_type }
        : (await db.select().from(inbox).where(eq(inbox.eventId, eventId)))[0];
      if (row?.status !== 'pending') return { status: 'skipped' as const };
      const held = fresh ?? (traces ? justAccepted : undefined);
      if (!held && !row.payload) return { status: 'skipped' as const };
      const envelope = held ?? (JSON.parse(row.payload as string) as EventEnvelope);
      fresh = undefined;
      if (isRedacted(envelope)) return this.unanswerable(eventId);
      const isCard = envelope.header.event_type === 'card.action.trigger';
      const fx = new Effects(db, new Date(this.clock()), { anonymous, inline: isCard });
      try {
        await this.deps.router(envelope, fx);
        const sender = traces?.filter((t) => !fx.addressedByRole.has(t));
        if (sender && writeHoldingTrace(fx.writes, sender) >= 0)
          throw new Error('an anonymous event would have written its sender; nothing was committed');
        // Nobody waits for this click's answer any more: it goes out with this same commit.
        if (isCard && !claimLiveAnswer(live)) {
          const forwarded = forwardedAnswer(db, envelope, fx.response, fx.now, anonymous);
          fx.write(...forwarded.writes);
          fx.unrecorded.push(...forwarded.unrecorded);
        }
        // Claim the event first: a second handler of the same event loses here, before its own writes.
        await store.commit([
          { sql: CLAIM_EVENT, params: [fx.outcome, this.wallClock(), eventId] },
          guard,
          ...fx.writes,
        ]);
      } catch (err) {
        // Losing a race is not a failure: run again from the start (the event may be done by then).
        if (err instanceof ConflictError) throw err;
        // A full or locked database is no handler bug: the event stays pending, untouched, for the next try.
        if (isStoreUnavailable(err)) {
          logger.error({ msg: 'store unavailable', eventId, type: row.eventType, error: errorText(err) });
          return { status: 'error' as const };
        }
        const attempts = row.attempts + 1;
        const failed = attempts >= (this.deps.maxAttempts ?? 5);
        logger.error({
          msg: failed ? 'handler failed; event dead-lettered' : 'handler failed',
          eventId,
          type: row.eventType,
          attempts,
          error: errorText(err),
        });
        const now = new Date(this.clock());
        const toldLive = claimLiveAnswer(live);
        const told = failed
          ? deadLetter({
              db,
              envelope,
              keep: !anonymous && (await replayable(db, envelope).catch(() => false)),
              anonymous,
              attempts,
              now,
              handledAt: this.wallClock(),
              admins: await this.admins(eventId),
            })
          : // A late click's clicker saw only 「已收到」: tell them it failed and will be retried.
            isCard && live && !toldLive
            ? lateFailure(db, envelope, now, anonymous)
            : { writes: [], unrecorded: [] };
        await store.commit([
          ...(failed
            ? []
            : [
                db
                  .update(inbox)
                  .set({ attempts })
                  .where(and(eq(inbox.eventId, eventId), eq(inbox.status, 'pending'))),
                guard,
              ]),
          ...told.writes,
        ]);
        if (told.unrecorded.length > 0) await this.deps.sendUnrecorded?.(told.unrecorded);
        this.deps.kickDelivery();
        return { status: 'error' as const };
      }
      logger.info({
        msg: 'event handled',
        eventId,
        type: row.eventType,
        outcome: fx.outcome,
        ms: this.wallClock() - started,
      });
      if (fx.writes.length > 0) this.deps.kickDelivery();
      this.followUp(fx);
      if (fx.unrecorded.length > 0) await this.deps.sendUnrecorded?.(fx.unrecorded);
      if (fx.replayRequested) this.inBackground(() => this.recover());
      return { status: 'done' as const, response: fx.response };
    };
    return retryOnConflict(() =>
      attempt().catch((err) => {
        if (err instanceof ConflictError) releaseLiveAnswer(live);
        throw err;
      }),
    );
  }

  /**
   * Runs work that is not an event (a scheduled job, a delivery receipt) the same way: decide, then commit
   * everything it recorded in one unit, again from scratch if another writer won.
   */
  async runUnit(name: string, work: (fx: Effects) => Promise<void>, now?: Date): Promise<Effects> {
    const { store, logger } = this.deps;
    return retryOnConflict(async () => {
      const fx = new Effects(store.db, now ?? new Date(this.clock()));
      await work(fx);
      if (fx.writes.length > 0) {
        await store.commit(fx.writes);
        logger.info({ msg: 'unit committed', unit: name, outcome: fx.outcome, writes: fx.writes.length });
        this.deps.kickDelivery();
      }
      this.followUp(fx);
      return fx;
    });
  }

  private readonly followUpsRunning = new Map<string, { again: boolean }>();

  /** A committed unit's follow-ups, each key run again if asked while it runs (it may have read too early). */
  private followUp(fx: Effects): void {
    for (const [key, work] of fx.followUps) {
      const running = this.followUpsRunning.get(key);
      if (running) {
        running.again = true;
        continue;
      }
      const state = { again: false };
      this.followUpsRunning.set(key, state);
      const loop = async () => {
        try {
          do {
            state.again = false;
            await this.runUnit(key, work).catch((err) =>
              this.deps.logger.error({ msg: 'follow-up failed', unit: key, error: errorText(err) }),
            );
          } while (state.again);
        } finally {
          this.followUpsRunning.delete(key);
        }
      };
      if (this.deps.defer) this.deps.defer(loop);
      else void loop();
    }
  }

  /** Records and handles a card callback within the platform's answer budget. */
  async handleCard(envelope: EventEnvelope, source: Source, text?: string): Promise<CardResponse> {
    let accepted: 'accepted' | 'duplicate';
    try {
      accepted = await this.accept(envelope, source, text);
    } catch (err) {
      // Nothing was recorded: the clicker is told to click again rather than shown a bare error.
      if (!isStoreUnavailable(err)) throw err;
      this.deps.logger.error({
        msg: 'store unavailable',
        eventId: envelope.header.event_id,
        error: errorText(err),
      });
      return BUSY_CARD_TOAST;
    }
    if (accepted === 'duplicate') return {};
    let late!: () => void;
    const budget = new Promise<'late'>((resolve) => {
      late = () => resolve('late');
    });
    const live: LiveClick = { state: 'waiting', expired: false, onLate: late };
    const work = this.process(envelope.header.event_id, envelope, live);
    // Past the budget the work forwards whatever it concludes; an attempt committing its answer is awaited.
    const timer = setTimeout(() => {
      live.expired = true;
      if (live.state !== 'waiting') return;
      live.state = 'late';
      late();
    }, this.deps.cardBudgetMs ?? 2500);
    const first = await Promise.race([work, budget]);
    clearTimeout(timer);
    if (first === 'late') {
      this.inBackground(() => work);
      return SLOW_CARD_TOAST;
    }
    if (first.status === 'error') return FAILED_CARD_TOAST;
    return first.response ?? {};
  }

  /** Waits for background work this pipeline started (late clicks, replays). */
  async idle(): Promise<void> {
    for (let i = 0; i < 100 && this.background.size > 0; i++) await Promise.all([...this.background]);
  }

  /** Whoever can be found to alert; a broken roster must not stop the event from being given up. */
  private async admins(eventId: string): Promise<string[]> {
    try {
      return (await this.deps.admins?.()) ?? [];
    } catch (err) {
      this.deps.logger.error({
        msg: 'admins unknown for a dead-letter alert',
        eventId,
        error: errorText(err),
      });
      return [];
    }
  }

  get busy(): boolean {
    return this.background.size > 0;
  }

  private inBackground(work: () => Promise<unknown>): void {
    const p = work().catch((err) =>
      this.deps.logger.error({ msg: 'background handling failed', error: errorText(err) }),
    );
    this.background.add(p);
    p.finally(() => this.background.delete(p));
  }

  /**
   * An anonymous event whose process stopped before answering: the record has no sender to answer, so it
   * is closed unhandled and the reporter starts again (anonymity wins over never losing an event).
   */
  private async unanswerable(eventId: string): Promise<{ status: 'skipped' }> {
    const { store, logger } = this.deps;
    await store.commit([
      store.db
        .update(inbox)
        .set({ status: 'done', payload: null, outcome: 'anonymous:unanswered', handledAt: this.wallClock() })
        .where(and(eq(inbox.eventId, eventId), eq(inbox.status, 'pending'))),
    ]);
    logger.warn({ msg: 'anonymous event left unanswered', eventId });
    return { status: 'skipped' };
  }

  /** Handles what was recorded before `receivedBefore` (ms) and not yet handled; oldest first, bounded. */
  async recover(receivedBefore = Number.MAX_SAFE_INTEGER, limit = 500): Promise<number> {
    const { db } = this.deps.store;
    const pending = await db
      .select({ eventId: inbox.eventId })
      .from(inbox)
      .where(and(eq(inbox.status, 'pending'), lt(inbox.receivedAt, receivedBefore)))
      .orderBy(asc(inbox.receivedAt))
      .limit(limit);
    let handled = 0;
    for (const { eventId } of pending) {
      const r = await this.process(eventId);
      if (r.status === 'done') handled++;
    }
    return handled;
  }
}

/** True when the clicker still gets this answer as the callback's response; claims it if still open. */
function claimLiveAnswer(live: LiveClick | undefined): boolean {
  if (!live || live.state === 'late') return false;
  live.state = 'answering';
  return true;
}

/** An attempt that lost a race gives the live answer back; past the budget the click is then late. */
function releaseLiveAnswer(live: LiveClick | undefined): void {
  if (live?.state !== 'answering') return;
  if (live.expired) {
    live.state = 'late';
    live.onLate();
  } else live.state = 'waiting';
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
