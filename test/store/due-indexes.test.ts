import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewalDueQuery } from '../../src/jobs/renewal';
import { expiredDraftsPurge } from '../../src/jobs/tick';
import { toStatement } from '../../src/store';
import { riskCasesInWindowQuery, riskWindowQuery } from '../../src/store/repo-analysis';
import { decisionDueQuery } from '../../src/store/repo-cases';
import { correctionDueQuery } from '../../src/store/repo-correction';
import { openNoticesQuery } from '../../src/store/repo-deliberation';
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

  it('risk warnings search the cases by the date they happened, within the window only: the look and the read that names them', () => {
    for (const q of [
      riskWindowQuery(store.db, '2026-01-01', '2026-06-30'),
      riskCasesInWindowQuery(store.db, '2026-01-01', '2026-06-30'),
    ]) {
      const steps = plan(path, q);
      expect(
        steps.some((s) =>
          /SEARCH cases USING INDEX cases_date_idx \(case_date>\? AND case_date<\?\)/.test(s),
        ),
      ).toBe(true);
      expect(steps.some((s) => /^SCAN cases\b/.test(s))).toBe(false);
    }
  });

  it('notice follow-ups search only the notices not done, subject and chat ones by their own index', () => {
    const steps = plan(path, openNoticesQuery(store.db));
    expect(
      steps.some((s) =>
        /SEARCH notices USING INDEX notices_unacknowledged_idx \(kind=\? AND acknowledged_at=\?\)/.test(s),
      ),
    ).toBe(true);
    expect(
      steps.some((s) =>
        /SEARCH notices USING INDEX notices_unsent_idx \(sent_at=\? AND delivered_at=\?\)/.test(s),
      ),
    ).toBe(true);
    expect(steps.some((s) => /^SCAN (notices|cases)\b/.test(s))).toBe(false);
  });

  it('card renewal searches the message refs by when they were sent', () => {
    const steps = plan(path, renewalDueQuery(store.db, new Date(Date.UTC(2026, 5, 30))));
    expect(
      steps.some((s) => /SEARCH message_refs USING INDEX message_refs_updated_idx \(updated_at<\?\)/.test(s)),
    ).toBe(true);
    expect(steps.some((s) => /^SCAN message_refs\b/.test(s))).toBe(false);
  });

  it("every tick's purge of expired anonymous drafts reads only the drafts' keys", () => {
    const steps = plan(path, expiredDraftsPurge(store.db, Date.UTC(2026, 5, 30)));
    expect(
      steps.some((s) => /SEARCH kv USING INDEX sqlite_autoindex_kv_1 \(key>\? AND key<\?\)/.test(s)),
    ).toBe(true);
    expect(steps.some((s) => /^SCAN kv\b/.test(s))).toBe(false);
  });
});
