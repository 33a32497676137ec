import type { Logger } from '../log';

/**
 * When recorded events are handled, on Node: acknowledgements first. Every event is durable in the inbox
 * before its 200, so handling can wait; the platform's 3 s to acknowledge cannot. While requests are being
 * received (any in progress, or one answered in the last `quietMs`), nothing new starts — except that an
 * event never waits longer than `maxHoldMs`: past that, one handler starts every `trickleGapMs` beside the
 * requests (100 a second by default, twice the 50 messages a second the platform lets one app send, so the
 * outbox stays ahead of delivery while nearly all of the loop goes to acknowledgements). Once requests
 * pause, up to `idleConcurrency` handlers run at once and their commits share fsyncs.
 */
export interface HandlingQueueOptions {
  logger: Logger;
  quietMs?: number;
  maxHoldMs?: number;
  trickleGapMs?: number;
  /**
   * Handlers at once once requests pause (default 32). Thirty-two already fill each fsync with commits;
   * sixty-four handled no faster and held about 20 MB more resident while a backlog drained.
   */
  idleConcurrency?: number;
  /** Monotonic milliseconds (tests move it). */
  now?: () => number;
}

interface Waiting {
  at: number;
  start: () => void;
}

export class HandlingQueue {
  private readonly backlog: Waiting[] = [];
  private head = 0;
  private running = 0;
  private active = 0;
  private lastEnd = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDue = 0;
  private readonly pending = new Set<Promise<void>>();
  /** Per key, the work queued behind the one of that key now waiting or running, in arrival order. */
  private readonly chains = new Map<string, Waiting[]>();
  private readonly quietMs: number;
  private readonly maxHoldMs: number;
  private readonly trickleGapMs: number;
  private lastTrickle = Number.NEGATIVE_INFINITY;
  private readonly idleConcurrency: number;
  private readonly now: () => number;

  constructor(private readonly o: HandlingQueueOptions) {
    this.quietMs = o.quietMs ?? 50;
    this.maxHoldMs = o.maxHoldMs ?? 1_000;
    this.trickleGapMs = o.trickleGapMs ?? 10;
    this.idleConcurrency = o.idleConcurrency ?? 32;
    this.now = o.now ?? (() => performance.now());
  }

  /** A request (webhook or long connection) is being received and answered. */
  readonly ingress = {
    begin: () => {
      this.active++;
    },
    end: () => {
      this.active--;
      this.lastEnd = this.now();
      if (this.active === 0) this.recheck(this.quietMs);
    },
  };

  /**
   * Queues background work; it runs when the queue's turn comes (see the class comment). Work with a key
   * runs after all earlier work with the same key has finished, in the order it was queued.
   */
  readonly defer = (work: () => Promise<unknown>, key?: string): void => {
    const p = new Promise<void>((resolve) => {
      const item: Waiting = {
        at: this.now(),
        start: () => {
          this.running++;
          work()
            .catch((err) => this.o.logger.error({ msg: 'background work failed', error: String(err) }))
            .finally(() => {
              this.running--;
              if (key !== undefined) this.nextOf(key);
              resolve();
              this.pumpSoon();
            });
        },
      };
      if (key !== undefined) {
        const chain = this.chains.get(key);
        if (chain) {
          chain.push(item);
          return;
        }
        this.chains.set(key, []);
      }
      this.backlog.push(item);
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    this.pumpSoon();
  };

  /** One look per turn of the loop, however many events were queued in it. */
  private pumpScheduled = false;
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** The next queued work of a key joins the backlog once the one before it has finished. */
  private nextOf(key: string): void {
    const chain = this.chains.get(key);
    const next = chain?.shift();
    if (next) this.backlog.push(next);
    else this.chains.delete(key);
  }

  /** Waiting or running work (settling waits for it). */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves once everything queued so far has run. */
  async drained(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private readonly pump = (): void => {
    const waiting = this.backlog.length - this.head;
    if (waiting === 0) return;
    const now = this.now();
    const receiving = this.active > 0 || now - this.lastEnd < this.quietMs;
    if (receiving) {
      const held = now - this.backlog[this.head]!.at;
      const sinceTrickle = now - this.lastTrickle;
      if (held >= this.maxHoldMs && sinceTrickle >= this.trickleGapMs) {
        this.lastTrickle = now;
        this.startNext();
      }
      const wait = held >= this.maxHoldMs ? this.trickleGapMs : this.maxHoldMs - held;
      this.recheck(Math.max(1, Math.min(this.quietMs, wait)));
      return;
    }
    while (this.running < this.idleConcurrency && this.head < this.backlog.length) this.startNext();
  };

  private startNext(): void {
    const next = this.backlog[this.head]!;
    this.backlog[this.head++] = undefined as never;
    // Drop the consumed front now and then, so the array does not grow without end.
    if (this.head > 1024 && this.head * 2 > this.backlog.length) {
      this.backlog.splice(0, this.head);
      this.head = 0;
    }
    next.start();
  }

  /** One timer at a time, however many events wait: the earliest look asked for wins. */
  private recheck(ms: number): void {
    const due = this.now() + ms;
    if (this.timer) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, ms);
  }
}
