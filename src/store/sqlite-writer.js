// @ts-check
// The one writer of a SQLite file, on a thread of its own (src/store/sqlite.ts starts it). Every commit's
// fsync happens here, so the process's event loop goes on receiving and acknowledging while the disk syncs.
// Plain JavaScript so that any runner (tsx, vitest, node) can start it without a loader.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @typedef {{ sql: string, params: unknown[], table: string | null }} Statement */
/** @typedef {{ message: string, code?: string }} Failure */

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const { path, ready } = /** @type {{ path: string, ready: SharedArrayBuffer }} */ (workerData);
const signal = new Int32Array(ready);

/** @param {unknown} err @returns {Failure} */
const failure = (err) => ({
  message: err instanceof Error ? err.message : String(err),
  ...(typeof (/** @type {{ code?: unknown }} */ (err)?.code) === 'string'
    ? { code: /** @type {{ code: string }} */ (err).code }
    : {}),
});

/** @type {Database.Database} */
let sqlite;
try {
  sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // An event is acknowledged to the platform only after its commit: the WAL is synced at every commit.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Deleted and nulled data is overwritten, not left in free pages; the WAL is truncated after checkpoints.
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('journal_size_limit = 0');
} catch (err) {
  port.postMessage({ op: 'failed', error: failure(err) });
  Atomics.store(signal, 0, 2);
  Atomics.notify(signal, 0);
  throw err;
}
// What this connection guarantees, as SQLite reports it, for the opener to read (same order as sqlite.ts).
const JOURNAL_MODES = ['delete', 'truncate', 'persist', 'memory', 'wal', 'off'];
Atomics.store(signal, 1, Number(sqlite.pragma('synchronous', { simple: true })));
Atomics.store(signal, 2, JOURNAL_MODES.indexOf(String(sqlite.pragma('journal_mode', { simple: true }))));
Atomics.store(signal, 0, 1);
Atomics.notify(signal, 0);

/** @type {Map<string, Database.Statement>} */
const prepared = new Map();
/** @param {string} text */
const prepare = (text) => {
  let st = prepared.get(text);
  if (!st) {
    st = sqlite.prepare(text);
    prepared.set(text, st);
  }
  return st;
};

const savepoint = sqlite.prepare('savepoint unit');
const rollbackTo = sqlite.prepare('rollback to unit');
const release = sqlite.prepare('release unit');

/** Tables written by the transaction under way ('*' for a write that could change anything). */
/** @type {Set<string>} */
let touched = new Set();

/** @param {Statement[]} statements */
const runWrites = (statements) =>
  statements.map((s) => {
    const st = prepare(s.sql);
    if (!st.reader) {
      touched.add(s.table ?? '*');
      return st.run(...s.params).changes;
    }
    st.all(...s.params);
    return 0;
  });

// Each unit in a savepoint of its own: one unit's failure is its alone, the fsync is shared.
const runBatch = sqlite.transaction(
  /** @param {Statement[][]} units */
  (units) =>
    units.map((statements) => {
      savepoint.run();
      try {
        const changes = runWrites(statements);
        release.run();
        return { ok: true, changes };
      } catch (err) {
        // Disk full or an I/O error can make SQLite roll back the whole transaction, not only this unit:
        // then nothing of the batch stands, and every unit in it fails with the original error.
        if (!sqlite.inTransaction) throw err;
        rollbackTo.run();
        release.run();
        return { ok: false, error: failure(err) };
      }
    }),
);

/** @typedef {{ op: string, id: number, units?: Statement[][], sql?: string }} Request */

/**
 * Group commit: every commit request that queued while the last transaction was syncing goes into the
 * next one, so a busy writer makes fewer, larger transactions and an idle one answers at once.
 * @param {Request[]} requests
 */
const commit = (requests) => {
  touched = new Set();
  const units = requests.flatMap((r) => /** @type {Statement[][]} */ (r.units));
  try {
    const results = runBatch.immediate(units);
    const written = [...touched];
    let at = 0;
    requests.forEach((r, i) => {
      const n = /** @type {Statement[][]} */ (r.units).length;
      // `first` marks one request per transaction, so the opener counts transactions (fsyncs) right.
      port.postMessage({
        op: 'committed',
        id: r.id,
        results: results.slice(at, at + n),
        touched: written,
        first: i === 0,
      });
      at += n;
    });
  } catch (err) {
    // The transaction itself failed (disk full, locked past the timeout): nothing of it was written.
    for (const r of requests) port.postMessage({ op: 'committed', id: r.id, error: failure(err) });
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
    sqlite.close();
    port.postMessage({ op: 'closed', id: msg.id });
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
  if (after) other(after);
});
