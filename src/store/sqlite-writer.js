// @ts-check
// The one writer of a SQLite file, on a thread of its own (src/store/sqlite.ts starts it). Every commit's
// fsync happens here, so the process's event loop goes on receiving and acknowledging while the disk syncs.
// Plain JavaScript so that any runner (tsx, vitest, node) can start it without a loader.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
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
 * then waits for it, so the pause is a real one, not the gap between two requests); a WAL that reaches
 * `BUSY_CHECKPOINT_PAGES` without such a pause is checkpointed by the commit, as before, in pieces of about
 * 64 MB: the morning's reminders over a thousand due cases (each of its own officer) write about 9,900
 * pages, and fit before it.
 *
 * The pause's checkpoint also empties the WAL file (TRUNCATE). Left to `journal_size_limit = 0`, the
 * truncation came with the first commit after the pause, when the WAL restarts: cutting a WAL of a few
 * thousand pages and syncing that cost the first event after every quiet second 10–30 ms before its 200,
 * twenty times an ordinary commit. Emptying it waits for no reader: with one still reading from the WAL
 * (the event loop's connection, mid-query) the checkpoint copies what it can and returns at once, and that
 * WAL is cut as before, by the commit that restarts it.
 */
const IDLE_CHECKPOINT_MS = 1_000;
const BUSY_CHECKPOINT_PAGES = 16_000;
sqlite.pragma(`wal_autocheckpoint = ${BUSY_CHECKPOINT_PAGES}`);
/** How long a commit waits on a lock (CONNECTION_PRAGMAS), restored after each checkpoint. */
const BUSY_TIMEOUT_MS = Number(sqlite.pragma('busy_timeout', { simple: true }));
/** @type {ReturnType<typeof setTimeout> | undefined} */
let checkpointTimer;
const checkpointSoon = () => {
  if (checkpointTimer) clearTimeout(checkpointTimer);
  checkpointTimer = setTimeout(() => {
    checkpointTimer = undefined;
    try {
      // Never waits on the readers: what it cannot copy or empty now, the next pause does.
      sqlite.pragma('busy_timeout = 0');
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint that cannot run now (disk full, I/O error) loses nothing: the WAL holds every commit.
    } finally {
      sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
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
    sqlite.close();
    port.close();
  }
};

/** How many requests one transaction takes at most, so that one answer never waits on an unbounded batch. */
const MAX_REQUESTS = 256;

port.on('message', (/** @type {Request} */ first) => {
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
  checkpointSoon();
  if (after) other(after);
});
