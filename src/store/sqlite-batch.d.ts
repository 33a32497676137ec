import type Database from 'better-sqlite3';

export interface Statement {
  sql: string;
  params: unknown[];
  table: string | null;
}
export interface Failure {
  message: string;
  code?: string;
}
export type UnitResult = { ok: true; changes: number[] } | { ok: false; error: Failure };

export function failure(err: unknown): Failure;
export function batchRunner(
  sqlite: Database.Database,
): ((units: Statement[][]) => { results: UnitResult[]; touched: string[] }) & { kept(): number };
export const KEPT_STATEMENTS: number;
export function statementCache(sqlite: Database.Database): {
  get(text: string): { statement: Database.Statement; fresh: boolean };
  size(): number;
};
export const CONNECTION_PRAGMAS: readonly string[];
export const JOURNAL_MODES: readonly string[];
