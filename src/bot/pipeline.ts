import { and, asc, eq, lt } from 'drizzle-orm';
import { inbox } from '../../db/schema';
import type { CardResponse, EventEnvelope } from '../lark/envelope';
import type { Logger } from '../log';
import type { UnrecordedMessage } from '../notify/outbox';
import { ConflictError, guard, retryOnConflict, type Store } from '../store';
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
  /** Decides before the first write which events are recorded without their sender (src/bot/redact.ts). */
  redact?: Redactor;
  /** Delivers what a handler sent unrecorded, after its commit. */
  sendUnrecorded?: (messages: UnrecordedMessage[]) => Promise<void>;
}

const SLOW_CARD_TOAST: CardResponse = { toast: { type: 'info', content: '已收到，正在处理，结果稍后更新' } };
const FAILED_CARD_TOAST: CardResponse = { toast: { type: 'error', content: '处理失败，已记录，请稍后再试' } };

/**
 * Inbox discipline: an event is recorded durably before the platform hears 200, handled afterwards,
 * and marked done in the same commit as its effects, so it is handled exactly once even across crashes.
 */
export class Pipeline {
  private readonly clock: () => number;
  private readonly wallClock: () => number;
  /** Envelopes recorded redacted, with the sender's traces: only this process can still handle them. */
  private readonly redacted = new WeakMap<EventEnvelope, string[]>();
  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? Date.now;
    this.wallClock = deps.wallClock ?? this.clock;
  }

  async accept(envelope: EventEnvelope, source: Source): Promise<'accepted' | 'duplicate'> {
    const { store } = this.deps;
    const redaction = this.deps.redact?.(envelope);
    if (redaction) this.redacted.set(envelope, redaction.traces);
    const { changes } = await store.commit([
      store.db
        .insert(inbox)
        .values({
          eventId: envelope.header.event_id,
          eventType: envelope.header.event_type,
          source,
          payload: JSON.stringify(redaction ? redaction.recorded : envelope),
          receivedAt: this.wallClock(),
        })
        .onConflictDoNothing(),
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
  ): Promise<{ status: 'done' | 'skipped' | 'error'; response?: CardResponse }> {
    const { store, logger } = this.deps;
    const { db } = store;
    const started = this.wallClock();
    let fresh = justAccepted;
    // The inbox holds only a redacted copy: a retry after a lost race keeps working on the one in memory.
    const traces = justAccepted ? this.redacted.get(justAccepted) : undefined;
    return retryOnConflict(async () => {
      const row = fresh
        ? { status: 'pending', payload: '', attempts: 0, eventType: fresh.header.event_type }
        : (await db.select().from(inbox).where(eq(inbox.eventId, eventId)))[0];
      if (row?.status !== 'pending') return { status: 'skipped' as const };
      const held = fresh ?? (traces ? justAccepted : undefined);
      if (!held && !row.payload) return { status: 'skipped' as const };
      const envelope = held ?? (JSON.parse(row.payload as string) as EventEnvelope);
      fresh = undefined;
      if (isRedacted(envelope)) return this.unanswerable(eventId);
      const fx = new Effects(db, new Date(this.clock()), {
        anonymous: traces !== undefined,
        inline: envelope.header.event_type === 'card.action.trigger',
      });
      try {
        await this.deps.router(envelope, fx);
        const sender = traces?.filter((t) => !fx.addressedByRole.has(t));
        if (sender && writeHoldingTrace(fx.writes, sender) >= 0)
          throw new Error('an anonymous event would have written its sender; nothing was committed');
        // Claim the event first: a second handler of the same event loses here, before its own writes.
        await store.commit([
          db
            .update(inbox)
            .set({ status: 'done', payload: null, outcome: fx.outcome, handledAt: this.wallClock() })
            .where(and(eq(inbox.eventId, eventId), eq(inbox.status, 'pending'))),
          guard,
          ...fx.writes,
        ]);
      } catch (err) {
        // Losing a race is not a failure: run again from the start (the event may be done by then).
        if (err instanceof ConflictError) throw err;
        const attempts = row.attempts + 1;
        const failed = attempts >= (this.deps.maxAttempts ?? 5);
        logger.error({
          msg: 'handler failed',
          eventId,
          type: row.eventType,
          attempts,
          error: errorText(err),
        });
        await store.commit([
          db
            .update(inbox)
            .set({
              attempts,
              ...(failed
                ? { status: 'failed', payload: null, outcome: 'error', handledAt: this.wallClock() }
                : {}),
            })
            .where(and(eq(inbox.eventId, eventId), eq(inbox.status, 'pending'))),
        ]);
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
      if (fx.unrecorded.length > 0) await this.deps.sendUnrecorded?.(fx.unrecorded);
      return { status: 'done' as const, response: fx.response };
    });
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
      return fx;
    });
  }

  /** Records and handles a card callback within the platform's answer budget. */
  async handleCard(envelope: EventEnvelope, source: Source): Promise<CardResponse> {
    const accepted = await this.accept(envelope, source);
    if (accepted === 'duplicate') return {};
    const work = this.process(envelope.header.event_id, envelope);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const budget = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.deps.cardBudgetMs ?? 2500);
    });
    const first = await Promise.race([work, budget]);
    clearTimeout(timer);
    if (first === 'late') {
      // Finish in the background; a card the late answer carried reaches the message as an update.
      const messageId = (envelope.event as { context?: { open_message_id?: string } })?.context
        ?.open_message_id;
      work
        .then(async (r) => {
          const card = r.response?.card?.data;
          if (r.status === 'done' && card && messageId && this.redacted.has(envelope)) {
            await this.deps.sendUnrecorded?.([{ op: 'patch', messageId, card: card as object }]);
          } else if (r.status === 'done' && card && messageId) {
            await this.runUnit('late-card-update', async (fx) => {
              fx.patch({ messageId }, card as object);
            });
          }
        })
        .catch((err) => this.deps.logger.error({ msg: 'late card handling failed', error: errorText(err) }));
      return SLOW_CARD_TOAST;
    }
    if (first.status === 'error') return FAILED_CARD_TOAST;
    return first.response ?? {};
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

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
