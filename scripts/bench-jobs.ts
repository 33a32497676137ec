// The whole tick over a large office: 100,000 cases under correction with their orders, 1,000 of them due
// (order overdue, notices not done, happened within the risk window). Runs in a process of its own (npm run
// bench starts it) on its own SQLite file with the real jobs; delivery is left out (the platform's rate
// limit paces it, and it has rows of its own). Each job query's plan, as SQLite chose it over these rows, is
// printed beside the time.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { atBusinessTime } from '../src/calendar';
import type { Case } from '../src/cases/types';
import { loadConfig } from '../src/config';
import { renewalDueQuery } from '../src/jobs/renewal';
import { tick } from '../src/jobs/tick';
import { createLarkTransport } from '../src/lark/client';
import { silentLogger } from '../src/log';
import { createService } from '../src/service';
import { toStatement } from '../src/store';
import { Repo } from '../src/store/repo';
import { riskWindowQuery } from '../src/store/repo-analysis';
import { decisionDueQuery } from '../src/store/repo-cases';
import { correctionDueQuery } from '../src/store/repo-correction';
import { openNoticesQuery } from '../src/store/repo-deliberation';
import { openSqliteStore } from '../src/store/sqlite';
import {
  carriedCase,
  determinationCommand,
  envAt,
  subject as officer,
  run,
  secretary,
} from '../test/cases/fixtures';
import { APP, appEnv, startEmulator } from '../test/support/harness';
import { tempDbPath } from '../test/support/stores';

export interface JobsMeasure {
  open: number;
  due: number;
  /** What each job did on the first tick. */
  jobs: Record<string, number>;
  /** The first tick: every job acting on the due cases. */
  firstMs: number;
  /** CPU time of the whole process (every thread) through the first tick. */
  firstCpuMs: number;
  /** The main thread's collector through the first tick: pauses of the young generation and of the whole heap. */
  firstGc: { minorMs: number; minor: number; majorMs: number; major: number };
  /** The WAL the first tick left, copied into the database file as the writer does at the next pause. */
  checkpoint: { pages: number; ms: number };
  /** Median of the ticks after it at the same instant: every job's reads, nothing left to do. */
  ms: number;
  /** Each job's own time in the first tick and (median) in the later ones. */
  jobMs: Record<string, { first: number; later: number }>;
  plans: Record<string, string[]>;
}

/** The template's officer, replaced in every copy by one of its own. */
const SUBJECT = officer.openId;

/** A Tuesday 09:30 Shanghai: reminder hour, not the digest's Monday. */
const NOW = atBusinessTime('2026-06-16', 9, 30);

function template(due: boolean): Case {
  const env = envAt('2026-05-20T02:00:00Z');
  const c = run(
    {
      ...carriedCase('exempt', env),
    },
    {
      ...determinationCommand,
      correction: { ...determinationCommand.correction!, deadline: due ? '2026-06-10' : '2027-06-30' },
    },
    secretary,
    env,
  );
  const at = env.now.toISOString();
  return {
    ...c,
    // Due cases happened inside the risk window and still wait on their notices; the rest long before, all done.
    facts: { ...c.facts, occurredOn: due ? '2026-05-18' : '2024-03-01' },
    notices: due
      ? c.notices
      : c.notices.map((n) => ({ ...n, sentAt: at, deliveredAt: at, acknowledgedAt: at })),
  };
}

export async function measureJobs(open: number, due: number, reps = 5): Promise<JobsMeasure> {
  const path = tempDbPath();
  const store = openSqliteStore(path);
  const emu = await startEmulator();
  try {
    const repo = new Repo(store.db);
    const templates = [template(false), template(true)];
    await store.commit(
      templates.flatMap((c, i) =>
        repo.saveCase(null, { ...c, id: `tpl_${i}`, number: `tpl_${i}`, year: 1, seq: i }),
      ),
    );
    const raw = new Database(path);
    try {
      const every = Math.floor(open / due);
      const clone = (table: string, columns: string, values: string, where: string) =>
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${open - 1})
         INSERT INTO ${table} (${columns}) SELECT ${values} FROM n JOIN ${table} t
           ON t.case_id = CASE WHEN i % ${every} = 0 THEN 'tpl_1' ELSE 'tpl_0' END ${where};`;
      const caseId = `printf('case_%06d', i)`;
      // Every case an officer of its own, as in an office (the template's officer replaced wherever the
      // document names them: the subject, the one ordered to correct): what follows a case is theirs alone.
      const subject = `printf('ou_officer_%06d', i)`;
      const columns = (t: string) =>
        (raw.prepare(`select name from pragma_table_info('${t}')`).all() as { name: string }[]).map(
          (r) => r.name,
        );
      const copy = (t: string, set: Record<string, string>) => {
        const cols = columns(t);
        return clone(t, cols.join(', '), cols.map((c) => set[c] ?? `t.${c}`).join(', '), '');
      };
      raw.exec(
        [
          `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${open - 1})
           INSERT INTO cases (${columns('cases').join(', ')})
           SELECT ${columns('cases')
             .map((c) =>
               c === 'id'
                 ? caseId
                 : c === 'number'
                   ? `printf('容错〔2026〕%d号', i + 1)`
                   : c === 'seq' || c === 'year'
                     ? `${c === 'seq' ? 'i + 1' : '2026'}`
                     : c === 'doc'
                       ? `json_set(replace(t.doc, '"${SUBJECT}"', '"' || ${subject} || '"'), '$.id', ${caseId}, '$.number', printf('容错〔2026〕%d号', i + 1), '$.seq', i + 1, '$.year', 2026)`
                       : c === 'subject_open_id'
                         ? subject
                         : `t.${c}`,
             )
             .join(', ')}
           FROM n JOIN cases t ON t.id = CASE WHEN i % ${every} = 0 THEN 'tpl_1' ELSE 'tpl_0' END;`,
          copy('correction_orders', { case_id: caseId, responsible_open_id: subject }),
          copy('correction_items', { case_id: caseId }),
          copy('determinations', { case_id: caseId }),
          copy('notices', { id: `${caseId} || ':' || t.id`, case_id: caseId }),
          "DELETE FROM notices WHERE case_id LIKE 'tpl_%'",
          "DELETE FROM correction_items WHERE case_id LIKE 'tpl_%'",
          "DELETE FROM determinations WHERE case_id LIKE 'tpl_%'",
          "DELETE FROM correction_orders WHERE case_id LIKE 'tpl_%'",
          "DELETE FROM cases WHERE id LIKE 'tpl_%'",
          // Every case's tracker card, sent recently: renewal must not read them all. And the order card the
          // responsible person holds, which a reminder brings up to date.
          ...['tracker', 'corr-order'].map(
            (
              kind,
              k,
            ) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${open - 1})
           INSERT INTO message_refs (ref, message_id, updated_at, chat_id)
           SELECT '${kind}:' || ${caseId}, printf('om_${k}_%06d', i), ${NOW.getTime() - 86_400_000}, NULL FROM n`,
          ),
          'ANALYZE',
        ].join(';\n'),
      );
      const explain = (q: { toSQL(): { sql: string; params: unknown[] } }) => {
        const s = toStatement(q);
        return (raw.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.params) as { detail: string }[]).map(
          (r) => r.detail,
        );
      };
      const { db } = store;
      const plans = {
        'notices.follow_up': explain(openNoticesQuery(db)),
        'decision.reminders': explain(decisionDueQuery(db, ['investigating', 'deliberating'], '2026-06-19')),
        'correction.reminders': explain(correctionDueQuery(db, '2026-06-19')),
        'analysis.risk': explain(riskWindowQuery(db, '2025-12-19', '2026-06-16')),
        'cards.renewal': explain(renewalDueQuery(db, NOW)),
      };
      raw.close();

      const loaded = loadConfig(appEnv(emu, path));
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      const service = createService({
        config: loaded.config,
        store,
        transport: createLarkTransport({ appId: APP.appId, appSecret: APP.appSecret, domain: emu.url }),
        logger: silentLogger,
        clock: () => NOW.getTime(),
      });
      // Delivery is not timed here: what the jobs queued stays in the outbox.
      service.deliverer.close();
      const idle = { deliverDue: async () => ({ delivered: 0, retried: 0, failed: 0, deferred: 0 }) };
      const deps = {
        store,
        pipeline: service.pipeline,
        deliverer: idle as unknown as typeof service.deliverer,
        logger: silentLogger,
        // The server's wall clock is its business clock; retention (30 days of refs) reads the wall clock.
        wallClock: () => NOW.getTime(),
        bot: service.bot,
        jobs: (await import('../src/jobs')).jobs.map((job) => ({
          name: job.name,
          async run(d: Parameters<typeof job.run>[0], now: Date) {
            const t = performance.now();
            try {
              return await job.run(d, now);
            } finally {
              spent[job.name] = [...(spent[job.name] ?? []), performance.now() - t];
            }
          },
        })),
      };
      const spent: Record<string, number[]> = {};
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const firstGc = { minorMs: 0, minor: 0, majorMs: 0, major: 0 };
      const countGc = (entries: PerformanceEntry[]) => {
        for (const e of entries) {
          // Every kind but the young generation's (full, incremental marking, weak callbacks) is the old space's.
          const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
          if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
            firstGc.minor++;
            firstGc.minorMs += e.duration;
          } else {
            firstGc.major++;
            firstGc.majorMs += e.duration;
          }
        }
      };
      const gcs = new PerformanceObserver((list) => countGc(list.getEntries()));
      gcs.observe({ entryTypes: ['gc'] });
      const first = await tick(deps, NOW);
      const firstMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      countGc(gcs.takeRecords());
      gcs.disconnect();
      const firstCpuMs = (cpu.user + cpu.system) / 1000;
      // What the writer copies into the file at the next pause (a second without commits), done here at once.
      // The store's checkpointer thread may be copying at that moment (then SQLite answers busy, -1 pages):
      // asked again a few milliseconds later, at most 50 times.
      let checkpoint = { pages: -1, ms: 0 };
      for (let attempt = 0; attempt < 50 && checkpoint.pages < 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 5));
        const c0 = performance.now();
        const [copied] = (await store.writerPragma('wal_checkpoint(PASSIVE)')) as {
          busy: number;
          log: number;
        }[];
        if (copied?.busy === 0) checkpoint = { pages: copied.log, ms: performance.now() - c0 };
      }
      const times: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t = performance.now();
        await tick(deps, NOW);
        times.push(performance.now() - t);
      }
      const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
      const jobMs = Object.fromEntries(
        Object.entries(spent).map(([name, [head = 0, ...rest]]) => [
          name,
          { first: head, later: median(rest) },
        ]),
      );
      return {
        open,
        due,
        jobs: first.jobs,
        firstMs,
        firstCpuMs,
        firstGc,
        checkpoint,
        ms: median(times),
        jobMs,
        plans,
      };
    } finally {
      if (raw.open) raw.close();
    }
  } finally {
    await store.close();
    await emu.close();
    rmSync(dirname(path), { recursive: true, force: true });
  }
}

// Run as a process of its own (`npm run bench` does): the measurement as JSON on stdout. The tick then has a
// heap of its own, as in the server, rather than the load generator's after every other run.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [open, due] = process.argv.slice(2).map(Number);
  if (!Number.isInteger(open) || !Number.isInteger(due) || open! < 1 || due! < 1) {
    console.error('usage: bench-jobs.ts <open> <due>');
    process.exit(2);
  }
  measureJobs(open!, due!).then(
    (m) => {
      process.stdout.write(`${JSON.stringify(m)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(`jobs measurement failed: ${String(err)}`);
      process.exit(1);
    },
  );
}
