import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { batchRunner, KEPT_STATEMENTS } from '../../src/store/sqlite-batch.js';

// The writer prepares each statement text once and keeps it; a long-running writer must not keep every
// text it was ever sent.
describe("the writer's prepared statements", () => {
  let sqlite: Database.Database | undefined;
  afterEach(() => sqlite?.close());

  const open = () => {
    sqlite = new Database(':memory:');
    sqlite.exec('create table t (k text primary key, v integer not null)');
    return batchRunner(sqlite);
  };

  it('one text is prepared once however often it is written', () => {
    const run = open();
    for (let i = 0; i < 100; i++)
      run([[{ sql: 'insert into t (k, v) values (?, ?)', params: [`k${i}`, i], table: 't' }]]);
    expect(run.kept()).toBe(1);
    expect(sqlite!.prepare('select count(*) as n from t').get()).toEqual({ n: 100 });
  });

  it('texts that differ by their values stay within the bound, and every write still lands', () => {
    const run = open();
    const n = KEPT_STATEMENTS * 3 + 7;
    for (let i = 0; i < n; i++) {
      const { results } = run([
        [{ sql: `insert into t (k, v) values (?, ${i})`, params: [`k${i}`], table: 't' }],
      ]);
      expect(results[0]).toEqual({ ok: true, changes: [1] });
      expect(run.kept()).toBeLessThanOrEqual(KEPT_STATEMENTS);
    }
    expect(run.kept()).toBeGreaterThan(0);
    expect(sqlite!.prepare('select count(*) as n, sum(v) as s from t').get()).toEqual({
      n,
      s: (n * (n - 1)) / 2,
    });
  });
});

// Units share a transaction, and each stands or falls alone: a single statement without a savepoint of its own
// (it is atomic by itself), several statements within one.
describe('units in one batch', () => {
  let sqlite: Database.Database | undefined;
  afterEach(() => sqlite?.close());

  it("a failing unit leaves nothing of itself, whether one statement or several, and the others' writes land", () => {
    sqlite = new Database(':memory:');
    sqlite.exec('create table t (k text primary key, v integer not null check (v >= 0))');
    const run = batchRunner(sqlite);
    const insert = (params: unknown[]) => ({ sql: 'insert into t (k, v) values (?, ?)', params, table: 't' });
    const { results } = run([
      [insert(['a', 1])],
      // One statement writing three rows, the third refused: the first two go with it.
      [{ sql: "insert into t (k, v) values ('b', 1), ('c', 2), ('d', -1)", params: [], table: 't' }],
      // Two statements, the second refused: the first goes with it.
      [insert(['e', 1]), insert(['a', 9])],
      [insert(['f', 2])],
      // A statement whose failure is its own: the unit still fails without touching its neighbours.
      [{ sql: "update t set v = v - 5 where k in ('a', 'f')", params: [], table: 't' }],
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true, false]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_CHECK' } });
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } });
    expect(sqlite.prepare('select k, v from t order by k').all()).toEqual([
      { k: 'a', v: 1 },
      { k: 'f', v: 2 },
    ]);
  });
});
