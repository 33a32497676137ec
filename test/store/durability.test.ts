import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inbox, kv } from '../../db/schema';
import { Pipeline } from '../../src/bot/pipeline';
import type { EventEnvelope } from '../../src/lark/envelope';
import { silentLogger } from '../../src/log';
import { ConflictError, guard } from '../../src/store';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite';
import { tempDbPath } from '../support/stores';

const envelope = (id: string): EventEnvelope => ({
  schema: '2.0',
  header: { event_id: id, event_type: 'im.message.receive_v1' },
  event: {},
});

// An event acknowledged to the platform must survive power loss: FULL sync, with the cost paid per batch.
describe('SQLite durability and group commit', () => {
  let path: string;
  let store: SqliteStore;
  beforeEach(() => {
    path = tempDbPath();
    store = openSqliteStore(path);
  });
  afterEach(async () => store.close());

  const put = (key: string) => store.db.insert(kv).values({ key, value: 'x', version: 1, updatedAt: 1 });
  /** One commit of `count` rows of about 4 KB each (a page apiece), keyed `${prefix}_${i}_${j}`. */
  const commitBlobs = (prefix: string, i: number, count: number) =>
    store.commit(
      Array.from({ length: count }, (_, j) =>
        store.db
          .insert(kv)
          .values({ key: `${prefix}_${i}_${j}`, value: 'x'.repeat(4_000), version: 1, updatedAt: 1 }),
      ),
    );
  /** Rows whose key starts with `start`, as the connection `db` sees them. */
  const countKeys = (db: Database.Database, start: string) =>
    (db.prepare('select count(*) as n from kv where key like ?').get(`${start}%`) as { n: number }).n;
  /** Rows keyed `${prefix}_…` as another connection to the file sees them. */
  const countElsewhere = (prefix: string) => {
    const other = new Database(path, { readonly: true });
    try {
      return countKeys(other, `${prefix}_`);
    } finally {
      other.close();
    }
  };

  it('syncs the WAL at every commit (synchronous = FULL), not only at checkpoints (NORMAL)', () => {
    const d = store.durability();
    expect(d.journalMode).toBe('wal');
    expect(d.synchronous).toBe(2);
  });

  const walBytes = () => statSync(`${path}-wal`).size;
  const walAllZero = () => readFileSync(`${path}-wal`).every((b) => b === 0);
  /** Polls `check` every `everyMs` until it holds, at most `times` times. */
  const until = async (check: () => boolean, times: number, everyMs: number) => {
    for (let attempt = 0; attempt < times; attempt++) {
      if (check()) return true;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    return check();
  };
  /** The file and its WAL as a power cut would leave them once every commit so far was synced, opened anew. */
  const afterPowerCut = (prefixes: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'rc-cut-'));
    try {
      copyFileSync(path, join(dir, 'db.sqlite'));
      copyFileSync(`${path}-wal`, join(dir, 'db.sqlite-wal'));
      const other = new Database(join(dir, 'db.sqlite'));
      try {
        return {
          integrity: other.pragma('integrity_check', { simple: true }),
          rows: prefixes.map((p) => countKeys(other, p)),
        };
      } finally {
        other.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('copies the WAL into the database once commits pause, not inside a busy commit, and clears it in the pause', async () => {
    // About 1,500 pages (6 MB) in 30 commits: past SQLite's default of checkpointing at 1,000 pages.
    for (let i = 0; i < 30; i++) await commitBlobs('big', i, 50);
    // Still all in the WAL: no commit paid for copying it.
    const held = walBytes();
    expect(held).toBeGreaterThan(1_200 * 4_096);
    // After a pause (a second without commits) the writer checkpoints and empties the WAL there and then,
    // then gives the file back its size as zeros: none of the old frames is left in it, and the next commit
    // neither copies it nor cuts it nor extends it.
    expect(await until(() => walBytes() === held && walAllZero(), 40, 100)).toBe(true);
    // The checkpoint ran without waiting on readers; commits wait on a lock as long as before.
    expect(await store.writerPragma('busy_timeout')).toEqual([{ timeout: 5000 }]);
    expect(afterPowerCut(['big_'])).toEqual({ integrity: 'ok', rows: [1_500] });
    await store.commit([put('after_pause')]);
    expect(walBytes()).toBe(held);
    expect(walAllZero()).toBe(false);
    expect(countElsewhere('big')).toBe(1_500);
    expect(afterPowerCut(['big_', 'after_pause'])).toEqual({ integrity: 'ok', rows: [1_500, 1] });
  });

  it('a commit arriving while the pause clears the WAL stops the clearing and is kept whole', async () => {
    let interrupted = false;
    let commits = 0;
    // Bounded: a machine so fast that the clearing always ends before the commit gets there has three tries.
    for (let attempt = 0; attempt < 3 && !interrupted; attempt++) {
      // About 16 MB in the WAL: clearing it takes 64 slices, each written and synced.
      for (let i = 0; i < 80; i++) await commitBlobs(`wide${attempt}`, i, 50);
      const held = walBytes();
      // The pause's checkpoint empties the file; the moment it is shorter, the clearing is under way.
      expect(await until(() => walBytes() < held, 1_000, 2)).toBe(true);
      await store.commit([put(`during${attempt}_0`)]);
      commits++;
      interrupted = walBytes() < held;
      expect(countElsewhere(`during${attempt}`)).toBe(1);
      const cut = afterPowerCut([`wide${attempt}_`, `during${attempt}`]);
      expect(cut).toEqual({ integrity: 'ok', rows: [4_000, 1] });
      if (interrupted) {
        // Stopped for good: the commits after it write where SQLite wants, and the clearing waits for the
        // next pause, which leaves none of the old frames behind.
        await new Promise((r) => setTimeout(r, 300));
        expect(walBytes()).toBeLessThan(held);
        await store.commit([put(`later${attempt}_0`)]);
        expect(afterPowerCut([`during${attempt}`, `later${attempt}`])).toEqual({
          integrity: 'ok',
          rows: [1, 1],
        });
        expect(await until(() => walBytes() > 0 && walAllZero(), 60, 100)).toBe(true);
      }
    }
    expect(interrupted).toBe(true);
    expect(commits).toBeGreaterThan(0);
  });

  it('another process writing while the pause clears the WAL keeps every row it wrote', async () => {
    // Another connection to the file with nothing of this store's in between, as `npm run tick` or a
    // restarted server would open it: locked against this store's writer by SQLite alone.
    const other = new Database(path);
    other.pragma('busy_timeout = 5000');
    const insert = other.prepare('insert into kv (key, value, version, updated_at) values (?, ?, 1, 1)');
    const blob = 'y'.repeat(4_000);
    const theirs = other.transaction((prefix: string) => {
      for (let j = 0; j < 1_024; j++) insert.run(`${prefix}_${j}`, blob);
    });
    try {
      let overlapped = false;
      for (let attempt = 0; attempt < 3 && !overlapped; attempt++) {
        for (let i = 0; i < 80; i++) await commitBlobs(`mine${attempt}`, i, 50);
        const held = walBytes();
        // The moment the pause has emptied the file, four megabytes at a time from the other connection.
        expect(await until(() => walBytes() < held, 1_000, 1)).toBe(true);
        for (let i = 0; i < 4; i++) {
          overlapped ||= walBytes() < held;
          theirs(`theirs${attempt}_${i}`);
          await new Promise((r) => setImmediate(r));
        }
        expect(countElsewhere(`theirs${attempt}`)).toBe(4 * 1_024);
        expect(afterPowerCut([`mine${attempt}_`, `theirs${attempt}_`])).toEqual({
          integrity: 'ok',
          rows: [4_000, 4 * 1_024],
        });
      }
      expect(overlapped).toBe(true);
    } finally {
      other.close();
    }
  });

  it('under load with no pause, copies the WAL into the database beside the commits, not inside one', async () => {
    const dbBytes = () => statSync(path).size;
    const before = dbBytes();
    // About 6 MB in 40 commits 20 ms apart: never the quiet second the writer's own checkpoint waits for.
    for (let i = 0; i < 40; i++) {
      await commitBlobs('load', i, 40);
      await new Promise((r) => setTimeout(r, 20));
    }
    // The writer's pause has not come (its checkpoint empties the WAL), yet most of the rows are already in
    // the database file itself: the checkpointer copied them while the commits went on.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    expect(dbBytes() - before).toBeGreaterThan(3 * 1024 * 1024);
    expect(countElsewhere('load')).toBe(1_600);
  });

  it('commits asked for together share one transaction, and each is on disk when it resolves', async () => {
    const before = store.durability().transactions;
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const other = new Database(path, { readonly: true });
    try {
      const seen = await Promise.all(
        keys.map(async (k) => {
          await store.commit([put(k)]);
          // A second connection sees only what was committed to the file.
          return other.prepare('select count(*) as n from kv where key = ?').get(k) as { n: number };
        }),
      );
      expect(seen.every((s) => s.n === 1)).toBe(true);
    } finally {
      other.close();
    }
    const after = store.durability();
    expect(after.transactions - before).toBe(1);
    expect(after.units).toBeGreaterThanOrEqual(50);
  });

  it('a unit that fails in a shared transaction fails alone', async () => {
    await store.commit([put('taken')]);
    const results = await Promise.allSettled([
      store.commit([put('a')]),
      store.commit([put('b'), put('taken')]),
      store.commit([
        store.db
          .update(kv)
          .set({ version: 9 })
          .where(and(eq(kv.key, 'taken'), eq(kv.version, 5))),
        guard,
      ]),
      store.commit([put('c')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    const keys = (await store.db.select({ key: kv.key }).from(kv)).map((r) => r.key).sort();
    expect(keys).toEqual(['a', 'c', 'taken']);
  });

  it('the same event delivered twice in one batch is recorded once and reported as a duplicate', async () => {
    const p = new Pipeline({ store, logger: silentLogger, router: async () => {}, kickDelivery: () => {} });
    const results = await Promise.all([
      p.accept(envelope('ev1'), 'webhook'),
      p.accept(envelope('ev2'), 'webhook'),
      p.accept(envelope('ev1'), 'websocket'),
    ]);
    expect(results).toEqual(['accepted', 'accepted', 'duplicate']);
    expect(await store.db.select().from(inbox)).toHaveLength(2);
  });
});
