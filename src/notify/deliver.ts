import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { messageRefs, outbox } from '../../db/schema';
import { LarkCallError, type LarkTransport } from '../lark/client';
import type { Logger } from '../log';
import { guard, type Store, type Write } from '../store';
import { fileContent } from './files';
import { enqueueSend, textMessage } from './outbox';

type Row = typeof outbox.$inferSelect;

/**
 * Rows whose ref starts with `private:` carry something that must not be traced to a person (an anonymous
 * reporter's query code): once settled, the row keeps neither recipient nor content, and no message ref.
 */
export const PRIVATE_REF_PREFIX = 'private:';
const isPrivate = (ref: string | null) => ref?.startsWith(PRIVATE_REF_PREFIX) ?? false;
/**
 * The Lark uuid goes with the recipient: resent within the platform's dedup window it would return the
 * original message, chat included. A fresh random value keeps the column unique and says nothing.
 */
const forgetRecipient = () => ({ receiveId: null, targetMessageId: null, uuid: randomUUID() });

export interface DeliveryPolicy {
  baseBackoffMs: number; // first retry after this, doubling
  maxBackoffMs: number;
  maxAttempts: number; // then the row is failed and the admins are told
  leaseMs: number; // a claimed row is someone else's for this long
  perTargetPerSecond: number; // Lark: 5 messages/s to one user or one chat
  perAppPerSecond: number; // Lark: about 50/s per app
  batch: number;
  /**
   * Retry later by timer in this process. Off on Workers, where a timer outlives its request and the
   * per-minute tick does the retrying.
   */
  selfSchedule: boolean;
}

export const defaultDeliveryPolicy: DeliveryPolicy = {
  baseBackoffMs: 1_000,
  maxBackoffMs: 5 * 60_000,
  maxAttempts: 10,
  leaseMs: 60_000,
  perTargetPerSecond: 5,
  perAppPerSecond: 50,
  batch: 100,
  selfSchedule: true,
};

/** Lark's answer to a PATCH of a message sent more than 14 days ago. */
export const CARD_EXPIRED_CODE = 230031;

/** Cards that show a current state (lists, trackers, vote and order cards, application copies): sent again when expired. */
const RESENT_WHEN_EXPIRED = [
  'list:',
  'tracker:',
  'deliberation:',
  'corr-order:',
  'reportcard:',
  'application:',
];

export interface DeliveryReport {
  delivered: number;
  retried: number;
  failed: number;
  deferred: number;
}

/** A call counted in a window: from when it starts until a second after it ends (Lark counts arrivals). */
interface Slot {
  at: number;
  inFlight: boolean;
}

/** Sliding one-second windows: what Lark allows per chat/user and per app. */
class Pacer {
  private windows = new Map<string, Slot[]>();
  private lastSweep = 0;
  constructor(
    private readonly clock: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}
  /** Windows of chats and users not sent to in the last second hold nothing: drop them (bounded memory). */
  private forgetIdle(): void {
    const now = this.clock();
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [key, w] of this.windows)
      if (w.every((s) => !s.inFlight && s.at <= now - 1000)) this.windows.delete(key);
  }

  /** Waits for room in `key`'s window; the slot counts until a second after `done()` marks the call ended. */
  async take(key: string, limit: number): Promise<{ done(): void }> {
    this.forgetIdle();
    for (let i = 0; i < 10_000; i++) {
      const now = this.clock();
      const w = (this.windows.get(key) ?? []).filter((s) => s.inFlight || s.at > now - 1000);
      this.windows.set(key, w);
      if (w.length < limit) {
        const slot: Slot = { at: now, inFlight: true };
        w.push(slot);
        return {
          done: () => {
            slot.at = this.clock();
            slot.inFlight = false;
          },
        };
      }
      // The earliest ended call frees its place a second after it ended; calls still in flight are waited on.
      const ended = w.filter((s) => !s.inFlight).map((s) => s.at);
      await this.sleep(ended.length > 0 ? Math.min(...ended) + 1001 - now : 20);
    }
    return { done() {} };
  }
}

export interface DelivererDeps {
  store: Store;
  transport: LarkTransport;
  logger: Logger;
  /** Real time: pacing, leases, back-off and what is due. */
  clock?: () => number;
  /** Business time for what delivery records (a notice's delivery on its case, an admin alert); default `clock`. */
  businessClock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  policy?: Partial<DeliveryPolicy>;
  /** Who hears about messages that can never be delivered. */
  admins: () => Promise<string[]>;
  /** Told after a row with a `ref` is settled (e.g. to record a notice's delivery on its case). */
  onSettled?: (ref: string, outcome: 'delivered' | 'failed', now: Date) => Promise<void>;
}

/**
 * Delivers outbox rows: Lark's uuid makes a repeated send harmless, failures back off exponentially,
 * token errors get one refresh (in the transport), permanent failures are marked and reported.
 */
export class Deliverer {
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly policy: DeliveryPolicy;
  private readonly pacer: Pacer;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Sweeps in one process run one after another, so a card is never overtaken by its own update or urgent. */
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DelivererDeps) {
    this.clock = deps.clock ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.policy = { ...defaultDeliveryPolicy, ...deps.policy };
    this.pacer = new Pacer(this.clock, this.sleep);
  }

  /** Start delivering now (after a commit); runs are never concurrent within one process. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.deliverDue();
        } while (this.again && !this.closed);
      } catch (err) {
        this.deps.logger.error({ msg: 'delivery run failed', error: String(err) });
      } finally {
        this.running = null;
        this.scheduleNext().catch((err) =>
          this.deps.logger.error({ msg: 'delivery scheduling failed', error: String(err) }),
        );
      }
    })();
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves when no run is in progress (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * At start-up nothing in this process is delivering: claims a killed predecessor left are released at once,
   * not a lease later (a row another process is sending goes out twice with one uuid, which Lark collapses).
   */
  async releaseLeases(): Promise<number> {
    const { store } = this.deps;
    const { changes } = await store.commit([
      store.db
        .update(outbox)
        .set({ leaseUntil: null })
        .where(and(eq(outbox.status, 'pending'), isNotNull(outbox.leaseUntil))),
    ]);
    return changes[0] ?? 0;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * Holds a call made outside the outbox (an unrecorded answer to an anonymous reporter) to the same pacing as
   * the rows, so it neither overruns the platform's per-chat limit nor pushes a recorded message into it.
   */
  async paced<T>(key: string, call: () => Promise<T>): Promise<T> {
    const appSlot = await this.pacer.take('app', this.policy.perAppPerSecond);
    const targetSlot = await this.pacer.take(key, this.policy.perTargetPerSecond);
    try {
      return await call();
    } finally {
      appSlot.done();
      targetSlot.done();
    }
  }

  /** How long until the next pending row is due, if that is within `withinMs` (a retry about to go out). */
  async nextDueWithin(withinMs: number): Promise<number | null> {
    // Once closed (shutdown) nothing more goes out from here: nothing to wait for.
    if (this.closed || !this.policy.selfSchedule) return null;
    const next = await this.nextPending();
    if (!next) return null;
    const wait = Math.max(0, next.at - this.clock());
    return wait <= withinMs ? wait : null;
  }

  /** The pending row due first. */
  private async nextPending(): Promise<{ at: number } | undefined> {
    const [next] = await this.deps.store.db
      .select({ at: outbox.nextAttemptAt })
      .from(outbox)
      .where(eq(outbox.status, 'pending'))
      .orderBy(asc(outbox.nextAttemptAt))
      .limit(1);
    return next;
  }

  private async scheduleNext(): Promise<void> {
    if (this.closed || !this.policy.selfSchedule) return;
    const next = await this.nextPending();
    if (!next || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(next.at - this.clock(), this.policy.maxBackoffMs));
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref?.();
  }

  /**
   * One sweep over everything due by the real clock; also what `tick` calls. `now` is the business time the
   * sweep records effects at (a `tick --now` far from today still delivers what is due, and only that).
   */
  deliverDue(now: Date = new Date((this.deps.businessClock ?? this.clock)())): Promise<DeliveryReport> {
    const run = this.sweeping.then(() => this.sweep(now));
    this.sweeping = run.catch(() => undefined);
    return run;
  }

  private async sweep(now: Date): Promise<DeliveryReport> {
    const { db } = this.deps.store;
    const t = this.clock();
    const due = await db
      .select()
      .from(outbox)
      .where(
        and(
          eq(outbox.status, 'pending'),
          lte(outbox.nextAttemptAt, t),
          or(isNull(outbox.leaseUntil), lte(outbox.leaseUntil, t)),
        ),
      )
      .orderBy(asc(outbox.id))
      .limit(this.policy.batch);
    const report: DeliveryReport = { delivered: 0, retried: 0, failed: 0, deferred: 0 };
    // Rows for one chat or user go in order; different targets go side by side.
    const groups = new Map<string, Row[]>();
    // An update rides with the card it updates when both are due, so it never overtakes it.
    const refOwner = new Map(due.filter((r) => r.ref && r.receiveId).map((r) => [r.ref!, r.receiveId!]));
    for (const row of due) {
      const key =
        row.receiveId ??
        (row.targetRef ? (refOwner.get(row.targetRef) ?? row.targetRef) : undefined) ??
        row.targetMessageId ??
        String(row.id);
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const queue = [...groups.entries()];
    const workers = Array.from({ length: Math.min(5, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        for (const row of next[1]) await this.deliverOne(row, now, report);
      }
    });
    await Promise.all(workers);
    return report;
  }

  private async deliverOne(row: Row, sweepNow: Date, report: DeliveryReport): Promise<void> {
    // What delivery records happened no earlier than the business time the row was written at: a row a
    // job wrote at a simulated later day, delivered by a background sweep, is recorded on that day.
    const now = new Date(Math.max(row.createdAt, sweepNow.getTime()));
    const { store, logger } = this.deps;
    const { db } = store;
    const t = this.clock();
    // Claim: only one process delivers a row at a time.
    try {
      await store.commit([
        db
          .update(outbox)
          .set({ leaseUntil: t + this.policy.leaseMs, attempts: row.attempts + 1 })
          .where(and(eq(outbox.id, row.id), eq(outbox.status, 'pending'), eq(outbox.attempts, row.attempts))),
        guard,
      ]);
    } catch {
      return;
    }
    const started = this.clock();
    let targetMessageId = row.targetMessageId;
    if (!targetMessageId && row.targetRef) {
      const [ref] = await db.select().from(messageRefs).where(eq(messageRefs.ref, row.targetRef));
      if (!ref) {
        // The card this row updates has not gone out yet: wait for it without spending an attempt.
        const [origin] = await db.select().from(outbox).where(eq(outbox.ref, row.targetRef)).limit(1);
        if (origin?.status === 'failed' || !origin) {
          await this.finish(row, now, { status: 'failed', lastError: 'target message never delivered' });
          report.failed++;
        } else {
          await this.finish(row, now, {
            status: 'pending',
            attempts: row.attempts,
            nextAttemptAt: Math.max(t, origin.nextAttemptAt) + 500,
          });
          report.deferred++;
        }
        return;
      }
      targetMessageId = ref.messageId;
    }
    if (row.op === 'patch') {
      // Only the newest pending update of a card matters.
      const newer = await db
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          and(
            eq(outbox.op, 'patch'),
            eq(outbox.status, 'pending'),
            gt(outbox.id, row.id),
            row.targetRef
              ? eq(outbox.targetRef, row.targetRef)
              : eq(outbox.targetMessageId, targetMessageId ?? ''),
          ),
        )
        .limit(1);
      if (newer.length > 0) {
        await this.finish(row, now, { status: 'done', lastError: 'superseded', content: null });
        return;
      }
    }
    const paceKey = row.receiveId ?? targetMessageId ?? 'app';
    try {
      const { messageId, chatId } = await this.paced(paceKey, () => this.call(row, targetMessageId));
      const writes: Write[] = [];
      if (row.ref && messageId && !isPrivate(row.ref)) {
        writes.push(
          db
            .insert(messageRefs)
            .values({ ref: row.ref, messageId, updatedAt: t, chatId })
            .onConflictDoUpdate({ target: messageRefs.ref, set: { messageId, updatedAt: t, chatId } }),
        );
      }
      // Sent content is not kept: the message lives in Lark now. A private row (an anonymous reporter's
      // query code) also forgets whom it went to.
      const forget = isPrivate(row.ref) ? { ...forgetRecipient(), messageId: null } : { messageId };
      await this.finish(row, now, { status: 'done', deliveredAt: t, content: null, ...forget }, writes);
      await this.settled(row.ref, 'delivered', now);
      report.delivered++;
      logger.info({
        msg: 'delivered',
        outbox: row.id,
        op: row.op,
        attempt: row.attempts + 1,
        ms: this.clock() - started,
      });
    } catch (err) {
      const e = err instanceof LarkCallError ? err : new LarkCallError('retry', undefined, undefined);
      const attempts = row.attempts + 1;
      const lastError = `${e.kind}:${e.code ?? e.httpStatus ?? 'network'}`;
      if (e.kind === 'permanent' || attempts >= this.policy.maxAttempts) {
        // A card past Lark's 14-day update limit (230031) only misses an update: nothing for an admin to fix.
        const expired = row.op === 'patch' && e.code === CARD_EXPIRED_CODE;
        const alerts =
          row.ref?.startsWith('alert:') || expired ? [] : await this.alertAdmins(row, lastError, now);
        const resent = expired ? await this.resendExpired(row, now) : [];
        const forget = isPrivate(row.ref) ? { ...forgetRecipient(), content: null } : {};
        await this.finish(row, now, { status: 'failed', lastError, ...forget }, [...alerts, ...resent]);
        await this.settled(row.ref, 'failed', now);
        report.failed++;
        logger.warn({ msg: 'delivery failed', outbox: row.id, op: row.op, error: lastError, attempts });
      } else {
        const backoff = Math.min(this.policy.baseBackoffMs * 2 ** (attempts - 1), this.policy.maxBackoffMs);
        await this.finish(row, now, { status: 'pending', nextAttemptAt: this.clock() + backoff, lastError });
        report.retried++;
        logger.info({
          msg: 'delivery retry',
          outbox: row.id,
          op: row.op,
          error: lastError,
          attempts,
          backoffMs: backoff,
        });
      }
    }
  }

  /** The platform call a row stands for; what was sent, and in which chat when the platform says. */
  private async call(
    row: Row,
    targetMessageId: string | null,
  ): Promise<{ messageId: string | null; chatId: string | null }> {
    const { store, transport } = this.deps;
    if (row.msgType === 'file') row.content = await fileContent(store, transport, row);
    switch (row.op) {
      case 'send': {
        const sent = await transport.send(
          row.receiveIdType as 'open_id' | 'chat_id',
          row.receiveId!,
          row.msgType!,
          row.content!,
          row.uuid,
        );
        return {
          messageId: sent.messageId,
          chatId: sent.chatId ?? (row.receiveIdType === 'chat_id' ? row.receiveId : null),
        };
      }
      case 'reply': {
        const sent = await transport.reply(targetMessageId!, row.msgType!, row.content!, row.uuid);
        return { messageId: sent.messageId, chatId: sent.chatId ?? null };
      }
      case 'patch':
        await transport.patch(targetMessageId!, row.content!);
        return { messageId: targetMessageId, chatId: null };
      case 'urgent':
        await transport.urgent(targetMessageId!, JSON.parse(row.urgentUsers ?? '[]'));
        return { messageId: targetMessageId, chatId: null };
    }
    return { messageId: null, chatId: null };
  }

  private async settled(ref: string | null, outcome: 'delivered' | 'failed', now: Date): Promise<void> {
    if (!ref || !this.deps.onSettled) return;
    try {
      await this.deps.onSettled(ref, outcome, now);
    } catch (err) {
      this.deps.logger.error({ msg: 'settle hook failed', ref, error: String(err) });
    }
  }

  /**
   * A card kept current whose update came too late (past 14 days, and not renewed): the update, which is the
   * card as it now stands, is sent afresh to the chat the card was in, under the same ref, so later updates
   * and clicks reach the new message.
   */
  private async resendExpired(row: Row, now: Date): Promise<Write[]> {
    const ref = row.targetRef;
    if (!ref || !row.content || !RESENT_WHEN_EXPIRED.some((p) => ref.startsWith(p))) return [];
    const { db } = this.deps.store;
    const [sent] = await db.select().from(messageRefs).where(eq(messageRefs.ref, ref));
    if (!sent?.chatId) return [];
    return [
      enqueueSend(db, {
        to: { chatId: sent.chatId },
        message: { msgType: 'interactive', content: row.content },
        now,
        ref,
      }),
    ];
  }

  private async finish(row: Row, _now: Date, set: Partial<Row>, extra: Write[] = []): Promise<void> {
    const { db } = this.deps.store;
    await this.deps.store.commit([
      db
        .update(outbox)
        .set({ leaseUntil: null, ...set })
        .where(eq(outbox.id, row.id)),
      ...extra,
    ]);
  }

  private async alertAdmins(row: Row, error: string, now: Date): Promise<Write[]> {
    const admins = await this.deps.admins();
    const target = isPrivate(row.ref)
      ? '一位不具名的收件人'
      : row.receiveIdType === 'chat_id'
        ? `群聊 ${row.receiveId}`
        : row.receiveId
          ? `用户 ${row.receiveId}`
          : '已发送的卡片';
    const reason = error.includes('230002')
      ? '机器人不在该群中，请将机器人拉入群聊'
      : error.includes('230013')
        ? '该用户不在应用的可用范围内，请在开发者后台调整可用范围'
        : `错误 ${error}`;
    const text = `⚠️ 消息未能送达${target}（${reason}）。请处理后在「查看配置」中核对。`;
    return admins.map((openId) =>
      enqueueSend(this.deps.store.db, {
        to: { openId },
        message: textMessage(text),
        now,
        ref: `alert:${row.id}:${openId}`,
      }),
    );
  }
}
