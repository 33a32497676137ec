// @ts-check
// Copies the WAL into the database file while commits go on, over a connection of its own, on a thread of
// its own (the writer thread, sqlite-writer.js, starts it and ends it). A PASSIVE checkpoint waits for no
// reader or writer and no commit waits for it: under sustained load the WAL is copied a little at a time
// here, not all at once inside the commit that takes it past the writer's limit. Plain JavaScript, like the
// writer.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CONNECTION_PRAGMAS } from './sqlite-batch.js';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const { path, commits, everyMs } =
  /** @type {{ path: string, commits: SharedArrayBuffer, everyMs: number }} */ (workerData);
/** [0]: transactions the writer has committed. */
const counters = new Int32Array(commits);

/** @type {Database.Database | undefined} */
let sqlite;
try {
  sqlite = new Database(path);
  for (const p of CONNECTION_PRAGMAS) sqlite.pragma(p);
} catch {
  // Without it the writer's own limit checkpoints, as it would have anyway: nothing is lost.
  sqlite = undefined;
}

let seen = Atomics.load(counters, 0);
const timer = setInterval(() => {
  const now = Atomics.load(counters, 0);
  // Nothing committed since the last look: nothing new to copy (the writer's pause empties the WAL).
  if (now === seen || !sqlite) return;
  seen = now;
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failed: the next look, the writer's pause or its own limit copies it; the WAL holds every commit.
  }
}, everyMs);

port.on('message', (msg) => {
  if (msg !== 'close') return;
  clearInterval(timer);
  sqlite?.close();
  port.close();
});
