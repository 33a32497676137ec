import { describe, expect, it } from 'vitest';
import { HandlingQueue } from '../../src/bot/handling-queue';
import { silentLogger } from '../../src/log';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Work that records when it started, on the queue's own clock. */
function recorder(queue: HandlingQueue, now: () => number) {
  const started: number[] = [];
  const add = (n: number) => {
    for (let i = 0; i < n; i++)
      queue.defer(async () => {
        started.push(now());
      });
  };
  return { started, add };
}

// Acknowledgements first: background handling waits while requests are being answered.
describe('background handling gives way to requests', () => {
  it('nothing starts while a request is in progress or just answered; all of it once requests pause', async () => {
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const queue = new HandlingQueue({ logger: silentLogger, quietMs: 40, maxHoldMs: 10_000, now });
    const { started, add } = recorder(queue, now);
    queue.ingress.begin();
    add(5);
    await sleep(80);
    expect(started).toHaveLength(0);
    queue.ingress.end();
    const ended = now();
    await sleep(15);
    // Just answered: still within the quiet time.
    expect(started).toHaveLength(0);
    await queue.drained();
    expect(started).toHaveLength(5);
    expect(Math.min(...started)).toBeGreaterThanOrEqual(ended + 40 - 2);
  });

  it('an event held past the longest wait is handled beside the requests, one per gap, not all at once', async () => {
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const queue = new HandlingQueue({
      logger: silentLogger,
      quietMs: 40,
      maxHoldMs: 60,
      trickleGapMs: 30,
      now,
    });
    const { started, add } = recorder(queue, now);
    queue.ingress.begin();
    add(20);
    await sleep(250);
    // Requests never paused: from 60 ms on, one start every 30 ms or more.
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started.length).toBeLessThanOrEqual(7);
    expect(started[0]!).toBeGreaterThanOrEqual(60 - 2);
    for (let i = 1; i < started.length; i++)
      expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(30 - 2);
    queue.ingress.end();
    await queue.drained();
    expect(started).toHaveLength(20);
  });

  it('with no requests at all it starts at once, up to its concurrency', async () => {
    let running = 0;
    let most = 0;
    const queue = new HandlingQueue({ logger: silentLogger, idleConcurrency: 4 });
    for (let i = 0; i < 12; i++)
      queue.defer(async () => {
        running++;
        most = Math.max(most, running);
        await sleep(5);
        running--;
      });
    await queue.drained();
    expect(most).toBe(4);
    expect(queue.size).toBe(0);
  });

  it('work that fails is logged and does not stop the rest', async () => {
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (o: unknown) => errors.push(o) };
    const queue = new HandlingQueue({ logger });
    let done = 0;
    queue.defer(async () => {
      throw new Error('boom');
    });
    queue.defer(async () => {
      done++;
    });
    await queue.drained();
    expect(done).toBe(1);
    expect(JSON.stringify(errors)).toContain('boom');
  });

  it("one key's work runs in the order it came, one at a time; other keys' beside it", async () => {
    const queue = new HandlingQueue({ logger: silentLogger });
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
    };
    queue.defer(job('a1', 30), 'u:a');
    queue.defer(job('a2', 1), 'u:a');
    queue.defer(job('b1', 5), 'u:b');
    queue.defer(job('a3', 1), 'u:a');
    await queue.drained();
    const at = (e: string) => log.indexOf(e);
    // a2 waits for a1, a3 for a2; b1 does not wait for a1.
    expect(at('start a2')).toBeGreaterThan(at('end a1'));
    expect(at('start a3')).toBeGreaterThan(at('end a2'));
    expect(at('start b1')).toBeLessThan(at('end a1'));
    expect(log).toHaveLength(8);
  });
});
