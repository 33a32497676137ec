// @ts-check
// The one writer of a SQLite file, on a thread of its own (src/store/sqlite.ts starts it). Every commit's
// fsync happens here, so the process's event loop goes on receiving and acknowledging while the disk syncs.
// Plain JavaScript so that any runner (tsx, vitest, node) can start it without a loader.
import { closeSync, fdatasyncSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { batchRunner, CONNECTION_PRAGMAS, failure, JOURNAL_MODES } from './sqlite-batch.js';

/** @typedef {import('./sqlite-batch.js').Statement} Statement */

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const { path, ready } = /** @type {{ path: string, ready: SharedArrayBuffer }} */ (workerData);
const signal = new Int32Array(ready);

/** @type {Database.Database} */
let sqlite;
try {
  sqlite = new Database(path);
  for (const p of CONNECTION_PRAGMAS) sqlite.pragma(p);
} catch (err) {
  // The opener reads the state and throws; there is nothing else to tell it.
  Atomics.store(signal, 0, 2);
  Atomics.notify(signal, 0);
  throw err;
}
// What this connection guarantees, as SQLite reports it, for the opener to read.
Atomics.store(signal, 1, Number(sqlite.pragma('synchronous', { simple: true })));
Atomics.store(signal, 2, JOURNAL_MODES.indexOf(String(sqlite.pragma('journal_mode', { simple: true }))));
Atomics.store(signal, 0, 1);
Atomics.notify(signal, 0);

const runBatch = batchRunner(sqlite);

/**
 * Checkpoints wait for a pause. SQLite's own default checkpoints inside the commit that takes the WAL past
 * 1,000 pages; under a burst of jobs that copying and the database file's fsync were half of the writer's
 * time. Here the WAL is checkpointed once no commit has come for `IDLE_CHECKPOINT_MS` (a commit arriving
 * then waits for it, so the pause is a real one, not the gap between two requests).
 *
 * Load with no such pause is copied by the checkpointer thread (`sqlite-checkpointer.js`): every
 * `CHECKPOINT_EVERY_MS` while commits go on it copies what they added, on a connection of its own, and no
 * commit waits for it. Without it, the commit that took the WAL past `BUSY_CHECKPOINT_PAGES` copied all of
 * it (30–45 ms with acknowledgements waiting at 2,000 events/s), and the commit after it cut the file
 * (another 20 ms). Now that commit finds all but the last moments copied, and the WAL restarts from its
 * beginning in a file kept at up to `journal_size_limit` (the limit's size), not cut to nothing.
 *
 * The pause's checkpoint empties the WAL file (TRUNCATE): deleted data's old frames do not outlive it. Left
 * to the commit that restarts the WAL, cutting a WAL of a few thousand pages and syncing that cost the first
 * event after every quiet second 10–30 ms before its 200, twenty times an ordinary commit. Emptying it
 * waits for no reader: with one still reading from the WAL (the event loop's connection, mid-query) the
 * checkpoint copies what it can and returns at once, and the next pause empties it.
 *
 * Then, still in the pause, the emptied file is given back its size as zeros (`refillSlice`), synced a slice
 * at a time: the next burst's commits overwrite blocks the file already has instead of extending it, and
 * here an fsync that extends a file took twice as long at the median as one that overwrites (0.25 against
 * 0.13 ms) and up to five times as long at the 99th percentile. SQLite ignores what lies past the frames
 * it wrote (an emptied WAL starts again at its first byte), so zeros are only space; the refill stops at the
 * first message, before a commit writes anything, and the next pause does it again.
 */
const IDLE_CHECKPOINT_MS = 1_000;
const BUSY_CHECKPOINT_PAGES = 16_000;
const CHECKPOINT_EVERY_MS = 100;
/** How long closing waits for the checkpointer to close its connection. */
const CHECKPOINTER_CLOSE_MS = 5_000;
sqlite.pragma(`wal_autocheckpoint = ${BUSY_CHECKPOINT_PAGES}`);
const WAL_LIMIT_BYTES = BUSY_CHECKPOINT_PAGES * Number(sqlite.pragma('page_size', { simple: true }));
sqlite.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
/** Shared with the checkpointer: [0] transactions committed here, [1] 1 once closing. */
const shared = new Int32Array(new SharedArrayBuffer(8));
/** A checkpointer that cannot start, or fails, leaves the copying to the pause and to the limit. */
let checkpointer = /** @type {Worker | undefined} */ (undefined);
let checkpointerStarted = false;
/**
 * Started after the first commit has been answered, not while the writer opens: starting a thread takes a
 * few milliseconds, and the first commits would have waited for it.
 */
const startCheckpointer = () => {
  if (checkpointerStarted) return;
  checkpointerStarted = true;
  try {
    checkpointer = new Worker(new URL('./sqlite-checkpointer.js', import.meta.url), {
      workerData: { path, shared: shared.buffer, everyMs: CHECKPOINT_EVERY_MS },
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    });
    checkpointer.on('error', () => {});
    checkpointer.unref();
  } catch {
    checkpointer = undefined;
  }
};
/**
 * How long a commit waits on a lock (CONNECTION_PRAGMAS). The pause's work (its checkpoint, then the refill)
 * runs with no wait at all, and this is restored once that work is over, before the next commit runs.
 */
const BUSY_TIMEOUT_MS = Number(sqlite.pragma('busy_timeout', { simple: true }));
const WAL_PATH = `${path}-wal`;
/** What the refill writes and syncs at a time: a commit arriving meanwhile waits for one slice at most. */
const REFILL_SLICE = Buffer.alloc(256 * 1024);
const walBytes = () => {
  try {
    return statSync(WAL_PATH).size;
  } catch {
    return 0;
  }
};
/** @type {{ fd: number, at: number, end: number } | undefined} */
let refill;
const stopRefill = () => {
  if (!refill) return;
  const { fd } = refill;
  refill = undefined;
  try {
    closeSync(fd);
  } catch {}
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
};
const beginWrite = sqlite.prepare('begin immediate');
const endWrite = sqlite.prepare('commit');
const header = Buffer.alloc(32);
/**
 * One slice of zeros, written and synced; the next one in the next turn of the thread's loop. Each slice
 * holds SQLite's write lock (an empty write transaction, which writes nothing itself), so no connection of
 * another process (`npm run tick`, a restarted server) can write frames into the file meanwhile. And the
 * slice is written only while the WAL still holds no frame since the pause emptied it: whoever writes first
 * after that writes the WAL header at the file's first byte, so a header that is no longer zeros (or never
 * written, for the first slice) means the file is SQLite's again and the refill ends.
 */
const refillSlice = () => {
  const r = refill;
  if (!r) return;
  try {
    beginWrite.run();
  } catch {
    // Another connection is writing: the file is SQLite's again.
    return stopRefill();
  }
  try {
    const seen = readSync(r.fd, header, 0, header.length, 0);
    if (header.subarray(0, seen).some((b) => b !== 0)) return stopRefill();
    const n = Math.min(REFILL_SLICE.length, r.end - r.at);
    let written = 0;
    while (written < n) written += writeSync(r.fd, REFILL_SLICE, written, n - written, r.at + written);
    fdatasyncSync(r.fd);
    r.at += n;
  } catch {
    // Out of space, or the file gone: the zeros were only for speed.
    return stopRefill();
  } finally {
    // Ending a transaction that wrote nothing; should even that fail, the thread ends and the store starts
    // another writer (sqlite.ts), rather than commits running inside a transaction left open.
    endWrite.run();
  }
  if (r.at >= r.end) stopRefill();
  else setImmediate(refillSlice);
};
/** @type {ReturnType<typeof setTimeout> | undefined} */
let checkpointTimer;
const checkpointSoon = () => {
  if (checkpointTimer) clearTimeout(checkpointTimer);
  checkpointTimer = setTimeout(() => {
    checkpointTimer = undefined;
    const held = Math.min(walBytes(), WAL_LIMIT_BYTES);
    try {
      // Never waits on the readers: what it cannot copy or empty now, the next pause does.
      sqlite.pragma('busy_timeout = 0');
      const [emptied] = /** @type {{ busy: number, log: number }[]} */ (
        sqlite.pragma('wal_checkpoint(TRUNCATE)')
      );
      // Only a WAL emptied to nothing (no reader held it) is refilled.
      if (held > 0 && emptied?.busy === 0 && emptied.log === 0) {
        refill = { fd: openSync(WAL_PATH, 'r+'), at: 0, end: held };
        setImmediate(refillSlice);
      }
    } catch {
      // A checkpoint that cannot run now (disk full, I/O error) loses nothing: the WAL holds every commit.
    } finally {
      if (!refill) sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }, IDLE_CHECKPOINT_MS);
};

/** @typedef {{ op: string, id: number, units?: Statement[][], sql?: string }} Request */

/**
 * Group commit: every commit request that queued while the last transaction was syncing goes into the
 * next one, so a busy writer makes fewer, larger transactions and an idle one answers at once. The answer
 * is one message for the whole transaction: each request's results in the order of `ids`.
 * @param {Request[]} requests
 */
const commit = (requests) => {
  const units = requests.flatMap((r) => /** @type {Statement[][]} */ (r.units));
  const ids = requests.map((r) => r.id);
  try {
    const { results, touched } = runBatch(units);
    /** @type {import('./sqlite-batch.js').UnitResult[][]} */
    const each = [];
    let at = 0;
    for (const r of requests) {
      const n = /** @type {Statement[][]} */ (r.units).length;
      each.push(results.slice(at, at + n));
      at += n;
    }
    port.postMessage({ op: 'committed', ids, results: each, touched });
  } catch (err) {
    // The transaction itself failed (disk full, locked past the timeout): nothing of it was written.
    port.postMessage({ op: 'committed', ids, error: failure(err) });
  }
};

/** @param {Request} msg */
const other = (msg) => {
  if (msg.op === 'pragma') {
    // Settings of the writing connection (tests set a size limit to see a full disk).
    try {
      port.postMessage({ op: 'pragma', id: msg.id, value: sqlite.pragma(/** @type {string} */ (msg.sql)) });
    } catch (err) {
      port.postMessage({ op: 'pragma', id: msg.id, error: failure(err) });
    }
  } else if (msg.op === 'close') {
    // The thread ends once its port is closed: the opener waits for that exit.
    if (checkpointTimer) clearTimeout(checkpointTimer);
    // The checkpointer's connection closes first (it finishes a checkpoint under way): the writer's is the
    // file's last, whose close copies what is left and removes the WAL.
    let closed = false;
    const closeOwn = () => {
      if (closed) return;
      closed = true;
      sqlite.close();
      port.close();
    };
    const cp = checkpointer;
    if (!cp) return closeOwn();
    cp.once('exit', closeOwn);
    Atomics.store(shared, 1, 1);
    Atomics.notify(shared, 1);
    Atomics.notify(shared, 0);
    // Bounded: a checkpointer that does not answer is ended, and the writer closes all the same.
    setTimeout(() => void cp.terminate(), CHECKPOINTER_CLOSE_MS).unref();
  }
};

/** How many requests one transaction takes at most, so that one answer never waits on an unbounded batch. */
const MAX_REQUESTS = 256;

port.on('message', (/** @type {Request} */ first) => {
  // Before anything is written: from here on the WAL file is SQLite's again.
  stopRefill();
  if (first.op !== 'commit') return other(first);
  const requests = [first];
  /** @type {Request | undefined} */
  let after;
  while (requests.length < MAX_REQUESTS) {
    const next = receiveMessageOnPort(port);
    if (!next) break;
    const msg = /** @type {Request} */ (next.message);
    if (msg.op !== 'commit') {
      after = msg;
      break;
    }
    requests.push(msg);
  }
  commit(requests);
  Atomics.add(shared, 0, 1);
  Atomics.notify(shared, 0);
  startCheckpointer();
  checkpointSoon();
  if (after) other(after);
});
