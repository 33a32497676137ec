import { and, asc, between, eq, gte, inArray, ne, notInArray, or, sql } from 'drizzle-orm';
import { cases, determinations, kv } from '../../db/schema';
import type { Case, CaseStatus } from '../cases/types';
import { type Db, guard, type Write } from './index';
import { caseColumns, caseOf } from './repo';

const FINISHED: CaseStatus[] = ['closed', 'withdrawn'];

/**
 * The cases statistics look at: every open case, and finished ones changed since `sinceMs` (a case's
 * occurrence and decision both precede its last change, so nothing in a window starting then is missed).
 */
export async function casesForAnalysis(db: Db, sinceMs: number): Promise<Case[]> {
  const rows = await db
    .select(caseColumns)
    .from(cases)
    .where(
      and(
        ne(cases.status, 'draft'),
        or(
          notInArray(cases.status, FINISHED),
          and(inArray(cases.status, FINISHED), gte(cases.updatedAt, sinceMs)),
        ),
      ),
    );
  return rows.map(caseOf);
}

/**
 * What art. 17's counting needs of a case, from the columns its commits keep beside its document (see
 * `caseColumnsOf` in repo.ts and the determinations projection): nothing to parse.
 */
export interface RiskFacts {
  id: string;
  status: CaseStatus;
  caseDate: string | null;
  errorCategory: string | null;
  enforcementArea: string | null;
  /** Art. 14, as recorded on the determination; null while the case has none. */
  notErrorRecord: boolean | null;
}

const windowWhere = (from: string, to: string) =>
  and(between(cases.caseDate, from, to), notInArray(cases.status, ['draft', 'withdrawn']));

/** The columns a case is counted by: `RiskFacts` as the row holds them. */
const riskFactColumns = {
  id: cases.id,
  status: cases.status,
  caseDate: cases.caseDate,
  errorCategory: cases.errorCategory,
  enforcementArea: cases.enforcementArea,
  notErrorRecord: determinations.notErrorRecord,
};

/** Art. 14's flag as the determinations projection stores it (0/1, or none yet). */
const notErrorRecordOf = (v: number | null) => (v === null ? null : v !== 0);

/** The query behind riskFactsInWindow, open for EXPLAIN QUERY PLAN in the tests and the benchmark. */
export function riskWindowQuery(db: Db, from: string, to: string) {
  return (
    db
      .select(riskFactColumns)
      .from(cases)
      .leftJoin(determinations, eq(determinations.caseId, cases.id))
      .where(windowWhere(from, to))
      // The table's own order, as a read of every case gave it: the warnings list their cases in it.
      .orderBy(asc(sql`${cases}.rowid`))
  );
}

/** The cases, other than drafts and withdrawn ones, that happened between `from` and `to` (dates): an index range. */
export async function riskFactsInWindow(db: Db, from: string, to: string): Promise<RiskFacts[]> {
  return (await riskWindowQuery(db, from, to)).map((r) => ({
    ...r,
    notErrorRecord: notErrorRecordOf(r.notErrorRecord),
  }));
}

/** A case in the risk window as a warning counts and names it: its facts, number, title and unit. */
export interface RiskCase extends RiskFacts {
  number: string | null;
  title: string;
  unitId: string | null;
}

/** The query behind riskCasesInWindow, open for EXPLAIN QUERY PLAN in the tests. */
export function riskCasesInWindowQuery(db: Db, from: string, to: string) {
  return db
    .select({
      ...riskFactColumns,
      number: cases.number,
      unitId: cases.unitId,
      // The one part of the document a warning shows that no column holds; SQLite takes it out of the text.
      title: sql<string | null>`json_extract(${cases.doc}, '$.facts.title')`,
    })
    .from(cases)
    .leftJoin(determinations, eq(determinations.caseId, cases.id))
    .where(windowWhere(from, to))
    .orderBy(asc(sql`${cases}.rowid`));
}

/**
 * The same cases as `riskFactsInWindow`, with what a warning names them by, in one read: the figures and the
 * names of a warning come from the same rows. (Not the documents whole: a thousand of them parsed were most
 * of the art. 17 job's time.)
 */
export async function riskCasesInWindow(db: Db, from: string, to: string): Promise<RiskCase[]> {
  return (await riskCasesInWindowQuery(db, from, to)).map((r) => ({
    ...r,
    title: r.title ?? '',
    notErrorRecord: notErrorRecordOf(r.notErrorRecord),
  }));
}

/** Which risk groups (`category:<id>`, `area:<id>`) are at or over the threshold and were warned about. */
export interface RiskState {
  active: Record<string, { since: string; caseIds: string[] }>;
}

export interface StoredRiskState {
  state: RiskState;
  version: number;
}

export const RISK_STATE_KEY = 'analysis:risk';

export async function readRiskState(db: Db): Promise<StoredRiskState> {
  const [row] = await db.select().from(kv).where(eq(kv.key, RISK_STATE_KEY));
  return row
    ? { state: JSON.parse(row.value) as RiskState, version: row.version }
    : { state: { active: {} }, version: 0 };
}

/** Replaces the risk state from the version it was read at; a concurrent writer turns this into a conflict. */
export function writeRiskState(db: Db, before: StoredRiskState, state: RiskState, now: Date): Write[] {
  const value = JSON.stringify(state);
  if (before.version === 0) {
    return [
      db
        .insert(kv)
        .values({ key: RISK_STATE_KEY, value, version: 1, updatedAt: now.getTime() })
        .onConflictDoNothing(),
      guard,
    ];
  }
  return [
    db
      .update(kv)
      .set({ value, version: before.version + 1, updatedAt: now.getTime() })
      .where(and(eq(kv.key, RISK_STATE_KEY), eq(kv.version, before.version))),
    guard,
  ];
}
