// Miniflare's proxy answers a synchronous call (every D1 `prepare`, `bind` and a statement's first `all`/`run`)
// through `SynchronousFetcher`: the main thread posts the request to a worker thread, sleeps in `Atomics.wait`
// until the worker stores 1 and notifies, then takes the answer with `receiveMessageOnPort` and asserts it is
// the answer to its request. The store and the notify are two steps, so a wake-up can belong to the request
// before: the main thread finds the 1 already stored (it was descheduled before its wait), takes its answer,
// posts the next request and sleeps, and the previous request's notify, late, wakes it with nothing to
// receive. The assertion (`message?.id === id`, fetch-sync.ts:147) then fails, and that Miniflare is unusable.
// On the shared two-core machine this happens once in a few suite runs.
//
// The fix is where the answer is taken: for a port of Miniflare's synchronous fetcher, an empty queue means
// "not yet", and the answer is waited for (it is always coming: the worker answers every request, errors
// included). Every other port is untouched. Node's own `worker_threads` exports are what Miniflare reads at
// each call, so the fix is installed there, in this process only (worker threads have their own modules).
import { createRequire } from 'node:module';

type WorkerThreads = typeof import('node:worker_threads');
const threads = createRequire(import.meta.url)('node:worker_threads') as WorkerThreads;

/** How long an answer is waited for before the call is left to fail as it would have. */
const ANSWER_WAIT_MS = 120_000;

const fetcherPorts = new WeakSet<object>();
let seen = 0;
let restore: (() => void) | undefined;

/** Whether the channel being made is a SynchronousFetcher's (its constructor is on the stack). */
function inFetcherConstructor(): boolean {
  return new Error().stack?.includes('at new SynchronousFetcher ') ?? false;
}

/** Installs the fix (once; later calls do nothing). Returns a function that takes it out again. */
export function fixMiniflareSyncFetch(): () => void {
  if (restore) return restore;
  const Channel = threads.MessageChannel;
  const receive = threads.receiveMessageOnPort;
  threads.MessageChannel = class extends Channel {
    constructor() {
      super();
      if (inFetcherConstructor()) {
        fetcherPorts.add(this.port1);
        seen++;
      }
    }
  } as WorkerThreads['MessageChannel'];
  const nap = new Int32Array(new SharedArrayBuffer(4));
  threads.receiveMessageOnPort = ((port: Parameters<WorkerThreads['receiveMessageOnPort']>[0]) => {
    let got = receive(port);
    if (got !== undefined || !fetcherPorts.has(port)) return got;
    const deadline = Date.now() + ANSWER_WAIT_MS;
    while (got === undefined && Date.now() < deadline) {
      Atomics.wait(nap, 0, 0, 1);
      got = receive(port);
    }
    return got;
  }) as WorkerThreads['receiveMessageOnPort'];
  restore = () => {
    threads.MessageChannel = Channel;
    threads.receiveMessageOnPort = receive;
    restore = undefined;
  };
  return restore;
}

/** How many synchronous fetchers' channels the fix has seen made (Miniflare makes one per proxy client). */
export function synchronousFetchersSeen(): number {
  return seen;
}
