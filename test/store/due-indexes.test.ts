import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStatement } from '../../src/store';
import { decisionDueQuery } from '../../src/store/repo-cases';
import { correctionDueQuery } from '../../src/store/repo-correction';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite';
import { tempDbPath } from '../support/stores';

/** What SQLite says it will do for a query, one line per step. */
function plan(path: string, q: { toSQL(): { sql: string; params: unknown[] } }): string[] {
  const { sql, params } = toStatement(q);
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
      (r) => r.detail,
    );
  } finally {
    db.close();
  }
}

describe('the jobs read only what is due, through an index', () => {
  const path = tempDbPath();
  let store: SqliteStore;
  beforeAll(() => {
    store = openSqliteStore(path);
  });
  afterAll(async () => store?.close());

  it('correction reminders search the open orders by deadline, then each case by its id', () => {
    const steps = plan(path, correctionDueQuery(store.db, '2026-06-30'));
    expect(steps.some((s) => /SEARCH correction_orders USING INDEX correction_orders_due_idx/.test(s))).toBe(
      true,
    );
    expect(steps.some((s) => /SEARCH cases USING INDEX sqlite_autoindex_cases_1 \(id=\?\)/.test(s))).toBe(
      true,
    );
    expect(steps.some((s) => /^SCAN (correction_orders|cases)\b/.test(s))).toBe(false);
  });

  it('decision-deadline reminders search the cases by status and due date', () => {
    const steps = plan(path, decisionDueQuery(store.db, ['investigating', 'deliberating'], '2026-06-30'));
    expect(steps.some((s) => /SEARCH cases USING INDEX cases_status_due_idx/.test(s))).toBe(true);
    expect(steps.some((s) => /^SCAN cases\b/.test(s))).toBe(false);
  });
});
