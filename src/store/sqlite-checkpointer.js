// @ts-check
// Copies the WAL into the database file while commits go on, over a connection of its own, on a thread of
// its own (the writer thread, sqlite-writer.js, starts it and ends it). A PASSIVE checkpoint waits for no
// reader or writer and no commit waits for it: under sustained load the WAL is copied a little at a time
// here, not all at once inside the commit that takes it past the writer's limit. Plain JavaScript, like the
// writer.
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CONNECTION_PRAGMAS } from './sqlite-batch.js';

const { path, shared, everyMs } =
  /** @type {{ path: string, shared: SharedArrayBuffer, everyMs: number }} */ (workerData);
/** [0]: transactions the writer has committed; [1]: 1 once the writer is closing. */
const state = new Int32Array(shared);
const closing = () => Atomics.load(state, 1) !== 0;

/** @type {Database.Database | undefined} */
let sqlite;
try {
  sqlite = new Database(path);
  for (const p of CONNECTION_PRAGMAS) sqlite.pragma(p);
} catch {
  // Without it the pause and the writer's own limit copy the WAL, as they would have anyway: nothing is lost.
  sqlite = undefined;
}

if (sqlite) {
  let seen = Atomics.load(state, 0);
  while (!closing()) {
    // Asleep until the writer commits or closes: the checkpointer of an idle store never wakes.
    Atomics.wait(state, 0, seen);
    if (closing()) break;
    // Let a moment's commits gather, then copy them all in one checkpoint.
    Atomics.wait(state, 1, 0, everyMs);
    if (closing()) break;
    seen = Atomics.load(state, 0);
    try {
      sqlite.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failed: the next turn, the writer's pause or its own limit copies it; the WAL holds every commit.
    }
  }
  sqlite.close();
}
