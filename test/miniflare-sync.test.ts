// The fix for Miniflare's synchronous calls (test/support/miniflare-sync.ts), held to the fault it fixes: the
// protocol of Miniflare's SynchronousFetcher (fetch-sync.ts), with the two threads descheduled where a loaded
// machine deschedules them, loses its place without the fix and keeps it with it.
import { createRequire } from 'node:module';
import { Miniflare } from 'miniflare';
import { afterAll, describe, expect, it } from 'vitest';
import { fixMiniflareSyncFetch, synchronousFetchersSeen } from './support/miniflare-sync';
import { workerdAvailable } from './support/stores';

const threads = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');

// Miniflare's worker stores 1 and then notifies. Here the notify is held back as a loaded machine may hold it:
// until a thread waits (the main thread's next call), or 50 ms at most.
const WORKER = `
const { workerData } = require('node:worker_threads');
const { notifyHandle, port } = workerData;
const nap = new Int32Array(new SharedArrayBuffer(4));
port.addEventListener('message', (event) => {
  port.postMessage({ id: event.data.id });
  Atomics.store(notifyHandle, 0, 1);
  for (let k = 0; k < 50 && Atomics.notify(notifyHandle, 0) === 0; k++) Atomics.wait(nap, 0, 0, 1);
});
port.start();
`;

const nap = new Int32Array(new SharedArrayBuffer(4));

/** Miniflare's protocol, step for step, reading `worker_threads` at each call as its bundle does. */
class SynchronousFetcher {
  readonly channel = new threads.MessageChannel();
  readonly notifyHandle = new Int32Array(new SharedArrayBuffer(4));
  readonly worker = new threads.Worker(WORKER, {
    eval: true,
    workerData: { notifyHandle: this.notifyHandle, port: this.channel.port2 },
    transferList: [this.channel.port2],
  });
  nextId = 0;

  /**
   * The id answered, or undefined where Miniflare's assertion would have failed. `descheduled`: the main thread
   * is held between its post and its wait until the worker has stored its 1, so the wait does not sleep.
   */
  fetch(descheduled: boolean): number | undefined {
    Atomics.store(this.notifyHandle, 0, 0);
    const id = this.nextId++;
    this.channel.port1.postMessage({ id });
    for (let k = 0; descheduled && k < 5_000 && Atomics.load(this.notifyHandle, 0) === 0; k++)
      Atomics.wait(nap, 0, 0, 1);
    Atomics.wait(this.notifyHandle, 0, 0);
    const message = threads.receiveMessageOnPort(this.channel.port1)?.message as { id: number } | undefined;
    return message?.id === id ? id : undefined;
  }

  dispose() {
    return this.worker.terminate();
  }
}

/**
 * Pairs of calls: the first held before its wait (its notify then comes late), the second waiting at once, where
 * the late notify can wake it. How many calls lost their place; with `untilLost`, it stops at the first.
 */
async function lostPlaces(pairs: number, untilLost = false): Promise<number> {
  const fetcher = new SynchronousFetcher();
  let lost = 0;
  try {
    for (let i = 0; i < 2 * pairs; i++) {
      if (fetcher.fetch(i % 2 === 0) !== undefined) continue;
      lost++;
      if (untilLost) break;
      // Without the fix the answer is still on its way; take it so the next call starts level.
      for (let waited = 0; waited < 5_000; waited++) {
        if (threads.receiveMessageOnPort(fetcher.channel.port1) !== undefined) break;
        Atomics.wait(nap, 0, 0, 1);
      }
    }
  } finally {
    await fetcher.dispose();
  }
  return lost;
}

describe("Miniflare's synchronous calls", () => {
  afterAll(() => {
    fixMiniflareSyncFetch();
  });

  it('without the fix, a late notify wakes the next call before its answer', async () => {
    const restore = fixMiniflareSyncFetch();
    restore();
    expect(await lostPlaces(20, true)).toBeGreaterThan(0);
  });

  it('with the fix, every call takes its own answer; other ports still find an empty queue empty', async () => {
    fixMiniflareSyncFetch();
    expect(await lostPlaces(10)).toBe(0);
    const other = new threads.MessageChannel();
    expect(threads.receiveMessageOnPort(other.port1)).toBeUndefined();
    other.port1.close();
  });

  it.skipIf(!workerdAvailable)("is applied to Miniflare's own fetcher", async () => {
    fixMiniflareSyncFetch();
    const before = synchronousFetchersSeen();
    const mf = new Miniflare({
      modules: true,
      script: 'export default { fetch() { return new Response(null, { status: 404 }); } }',
      d1Databases: ['DB'],
    });
    try {
      const d1 = await mf.getD1Database('DB');
      const row = await d1.prepare('select ? as n').bind(7).first<{ n: number }>();
      expect(row?.n).toBe(7);
      expect(synchronousFetchersSeen()).toBeGreaterThan(before);
    } finally {
      await mf.dispose();
    }
  });
});
