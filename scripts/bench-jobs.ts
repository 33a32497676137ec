// The reminder job's reads over a large office: 100,000 cases under correction, 1,000 of them due.
// Runs in the bench process on its own SQLite file; what it times is the job's query and the reading of
// the due cases' rows, with the plan SQLite chose beside it.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { toStatement } from '../src/store';
import { correctionDueQuery } from '../src/store/repo-correction';
import { openSqliteStore } from '../src/store/sqlite';
import { tempDbPath } from '../test/support/stores';

export interface JobsMeasure {
  open: number;
  due: number;
  found: number;
  /** Median over the repetitions: the due query plus reading each due case's row. */
  ms: number;
  /** The same reads the job did before the index: every case under correction. */
  scanMs: number;
  plan: string[];
}

export async function measureJobs(open: number, due: number, reps = 5): Promise<JobsMeasure> {
  const path = tempDbPath();
  const store = openSqliteStore(path);
  await store.close();
  const raw = new Database(path);
  try {
    raw.pragma('journal_mode = WAL');
    // Deadlines: `due` of them already past, the rest a year out; one synthetic case document each.
    raw.exec(`
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${open - 1})
      INSERT INTO cases (id, origin, subject_open_id, status, doc, version, created_at, updated_at)
        SELECT printf('case_%06d', i), 'self', printf('ou_%06d', i), 'correcting',
               '{"id":"' || printf('case_%06d', i) || '","pad":"' || hex(randomblob(600)) || '"}', 1, i, i FROM n;
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${open - 1})
      INSERT INTO correction_orders (case_id, responsible_open_id, unit_id, deadline, status)
        SELECT printf('case_%06d', i), printf('ou_%06d', i), NULL,
               CASE WHEN i % ${Math.floor(open / due)} = 0 THEN '2026-01-05' ELSE '2027-06-30' END, 'open' FROM n;
      ANALYZE;`);
    const q = toStatement(correctionDueQuery(openSqliteStore(':memory:').db, '2026-01-20'));
    const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map(
      (r) => r.detail,
    );
    const dueQuery = raw.prepare(q.sql);
    const readCase = raw.prepare('select doc from cases where id = ?');
    const scan = raw.prepare("select doc from cases where status = 'correcting'");
    const times: number[] = [];
    const scans: number[] = [];
    let found = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const ids = dueQuery.all(...q.params) as { case_id?: string; caseId?: string }[];
      for (const row of ids) JSON.parse((readCase.get(Object.values(row)[0]) as { doc: string }).doc);
      times.push(performance.now() - t0);
      found = ids.length;
      const t1 = performance.now();
      for (const row of scan.iterate() as Iterable<{ doc: string }>) JSON.parse(row.doc);
      scans.push(performance.now() - t1);
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    return { open, due, found, ms: median(times), scanMs: median(scans), plan };
  } finally {
    raw.close();
    rmSync(dirname(path), { recursive: true, force: true });
  }
}
