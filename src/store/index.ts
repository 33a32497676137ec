import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../../db/schema';

export type Schema = typeof schema;
/** Drizzle database for reads; the same query code runs on better-sqlite3 and D1. */
export type Db = BaseSQLiteDatabase<'sync' | 'async', unknown, Schema>;

export interface SqlStatement {
  sql: string;
  params: unknown[];
}
/** A write is a drizzle query builder (not executed) or a raw statement; a commit runs a list of them atomically. */
export type Write = SqlStatement | { toSQL(): { sql: string; params: unknown[] } };

export interface CommitResult {
  /** Rows changed by each write, in order. */
  changes: number[];
}

export interface Store {
  readonly db: Db;
  readonly driver: 'better-sqlite3' | 'd1';
  /** Runs every write in one transaction (better-sqlite3) or one batch (D1): all or nothing. */
  commit(writes: Write[]): Promise<CommitResult>;
  /**
   * How many commits so far wrote to a table: a process cache of that table is current while this is
   * unchanged. Only a store whose process is the database's one writer has it (SQLite on Node).
   */
  tableVersion?(table: string): number;
  close(): Promise<void>;
}

const WRITTEN_TABLE =
  /^\s*(?:insert(?:\s+or\s+\w+)?\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+[`"]?(\w+)/i;

/** Statement texts are a fixed set in the code: each is looked at once (bounded all the same). */
const writtenTables = new Map<string, string | null>();

/** The table a write statement changes, if it is a plain insert, update or delete. */
export function writtenTable(sql: string): string | undefined {
  let table = writtenTables.get(sql);
  if (table === undefined) {
    table = WRITTEN_TABLE.exec(sql)?.[1] ?? null;
    if (writtenTables.size >= 2_000) writtenTables.clear();
    writtenTables.set(sql, table);
  }
  return table ?? undefined;
}

/** Someone else changed the row first; reload and decide again. */
export class ConflictError extends Error {
  constructor() {
    super('optimistic concurrency conflict');
    this.name = 'ConflictError';
  }
}

export function toStatement(w: Write): SqlStatement {
  const s = 'toSQL' in w ? w.toSQL() : w;
  return { sql: s.sql, params: s.params.map(toDriverValue) };
}

function toDriverValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/**
 * Aborts the whole commit unless the write just before it changed at least one row. Put it right after
 * every `UPDATE … WHERE version = ?` so two writers never both win.
 */
export const guard: SqlStatement = {
  sql: 'INSERT OR REPLACE INTO commit_guard (id, ok) VALUES (1, changes())',
  params: [],
};

export function isGuardViolation(err: unknown): boolean {
  const msg =
    err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
  return /commit_guard/.test(msg);
}

/** Runs `attempt` again while it loses optimistic-concurrency races; bounded. */
export async function retryOnConflict<T>(attempt: () => Promise<T>, maxAttempts = 25): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= maxAttempts) throw err;
      // Give the winner's commit a turn before reloading.
      await new Promise((r) => setTimeout(r, Math.min(2 ** i, 50) * Math.random()));
    }
  }
}

/**
 * The database cannot take a write right now (disk full, locked past the busy timeout, I/O error): nothing
 * was written, so the request is answered 503 and the platform retries; not a handler bug.
 */
export function isStoreUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^SQLITE_(FULL|BUSY|LOCKED|IOERR|CANTOPEN|READONLY)/.test(code))
    return true;
  const msg =
    err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
  return /database or disk is full|database is locked|disk I\/O error|SQLITE_(FULL|BUSY|LOCKED|IOERR)/.test(
    msg,
  );
}
