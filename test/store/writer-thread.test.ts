import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { kv } from '../../db/schema';
import { isStoreUnavailable } from '../../src/store';
import { EARLY_FLUSH_STATEMENTS, openSqliteStore, type SqliteStore } from '../../src/store/sqlite';
import { tempDbPath } from '../support/stores';

// The fsync of every commit happens on the store's writer thread: the event loop that receives and
// acknowledges requests goes on while the disk works, or while the database is locked by someone else.
describe('SQLite commits on a writer thread', () => {
  let store: SqliteStore | undefined;
  afterEach(async () => store?.close());

  it('a commit waiting on a lock held elsewhere leaves the event loop running, and lands once the lock goes', async () => {
    const path = tempDbPath();
    store = openSqliteStore(path);
    expect(store.durability()).toMatchObject({ writer: 'thread', journalMode: 'wal', synchronous: 2 });
    const other = new Database(path);
    other.exec('begin immediate');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    // Only this thread's loop can let the lock go: a commit that blocked it would wait out its busy timeout.
    const release = setTimeout(() => {
      other.exec('commit');
      other.close();
    }, 300);
    const started = performance.now();
    try {
      await store.commit([store.db.insert(kv).values({ key: 'k', value: 'v', version: 1, updatedAt: 1 })]);
    } finally {
      clearInterval(ticker);
      clearTimeout(release);
    }
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(ticks).toBeGreaterThanOrEqual(10);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('select value from kv where key = ?').get('k')).toEqual({ value: 'v' });
    reader.close();
  });

  it('commits asked for while the writer is busy go together into its next transaction', async () => {
    const path = tempDbPath();
    store = openSqliteStore(path);
    const put = (key: string) => store!.db.insert(kv).values({ key, value: 'x', version: 1, updatedAt: 1 });
    const before = store.durability().transactions;
    // The writer is kept busy on the first commit by a lock held here, while 40 more are asked for.
    const other = new Database(path);
    other.exec('begin immediate');
    const first = store.commit([put('a0')]);
    const later: Promise<unknown>[] = [];
    for (let i = 1; i <= 40; i++) {
      await new Promise((r) => setImmediate(r));
      later.push(store.commit([put(`a${i}`)]));
    }
    await new Promise((r) => setTimeout(r, 50));
    other.exec('commit');
    other.close();
    await Promise.all([first, ...later]);
    const { transactions, units } = store.durability();
    expect(units).toBe(41);
    // The first, then the 40 that queued behind it, in one transaction (one fsync). A writer thread the machine
    // kept from running until all 41 were queued takes them all in one: the 40 still went together.
    expect(transactions - before).toBeGreaterThanOrEqual(1);
    expect(transactions - before).toBeLessThanOrEqual(2);
    expect((await store.db.select().from(kv)).length).toBe(41);
  });

  it('commits built in one turn of the loop reach the writer while that turn goes on, once they are many', async () => {
    const path = tempDbPath();
    store = openSqliteStore(path);
    const put = (key: string) => store!.db.insert(kv).values({ key, value: 'x', version: 1, updatedAt: 1 });
    const reader = new Database(path, { readonly: true });
    const count = reader.prepare("select count(*) as n from kv where key like 'u%'");
    const seen = () => (count.get() as { n: number }).n;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    try {
      // A few statements wait for the turn's end: nothing is written while this turn runs.
      const few = [store.commit([put('u_few')])];
      for (let i = 0; i < 50 && seen() === 0; i++) Atomics.wait(nap, 0, 0, 2);
      expect(seen()).toBe(0);
      // Units of a dozen statements each, as a job builds them, past EARLY_FLUSH_STATEMENTS in all: the writer
      // commits the first ones while this turn has not yet ended (it waits here, at most 5 s, without yielding).
      const many: Promise<unknown>[] = [];
      const units = Math.ceil(EARLY_FLUSH_STATEMENTS / 12) + 2;
      for (let u = 0; u < units; u++)
        many.push(store.commit(Array.from({ length: 12 }, (_, k) => put(`u${u}_${k}`))));
      const deadline = Date.now() + 5_000;
      while (seen() === 0 && Date.now() < deadline) Atomics.wait(nap, 0, 0, 1);
      expect(seen()).toBeGreaterThan(0);
      await Promise.all([...few, ...many]);
      expect(seen()).toBe(1 + units * 12);
    } finally {
      reader.close();
    }
  });

  it('after close, a commit is refused with the reason, not left hanging', async () => {
    const s = openSqliteStore(tempDbPath());
    await s.commit([s.db.insert(kv).values({ key: 'z', value: 'z', version: 1, updatedAt: 1 })]);
    await s.close();
    await expect(s.commit([])).rejects.toThrow(/写入线程/);
  });
});

describe('a lost writer thread', () => {
  it('fails what waited on it as the store being unavailable, and the next commit starts a new one', async () => {
    // The test finds the store's writer thread as the worker its commits are posted to.
    const workers = new Set<Worker>();
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      workers.add(this);
      return post.apply(this, args);
    };
    const store = openSqliteStore(tempDbPath());
    try {
      const put = (key: string) => store.db.insert(kv).values({ key, value: 'v', version: 1, updatedAt: 1 });
      await store.commit([put('before')]);
      expect(workers.size).toBe(1);
      const [first] = [...workers];
      const waitingOnIt = store.commit([put('lost')]);
      await first!.terminate();
      const failed = await waitingOnIt.then(
        () => null,
        (err: unknown) => err,
      );
      // Either it was committed before the thread went, or it failed as unavailable (503, delivered again).
      if (failed) expect(isStoreUnavailable(failed)).toBe(true);
      await store.commit([put('after')]);
      expect(workers.size).toBe(2);
      const keys = (await store.db.select({ key: kv.key }).from(kv)).map((r) => r.key);
      expect(keys).toContain('before');
      expect(keys).toContain('after');
    } finally {
      Worker.prototype.postMessage = post;
      await store.close();
    }
  });
});
