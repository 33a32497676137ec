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
