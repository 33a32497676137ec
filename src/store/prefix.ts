import { and, gte, lt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * Rows whose text column starts with `prefix`, as a range the column's index can serve (LIKE cannot: it is
 * case-insensitive and treats '_' in ids as a wildcard, so SQLite scans every row). Text compares by its
 * UTF-8 bytes, which order as code points do: everything starting with the prefix lies below the prefix
 * with its last character raised by one.
 */
export function startsWith(column: SQLiteColumn, prefix: string): SQL {
  if (prefix === '') throw new Error('startsWith needs a prefix');
  const last = prefix.codePointAt(prefix.length - 1)!;
  const upper = `${prefix.slice(0, -1)}${String.fromCodePoint(last + 1)}`;
  return and(gte(column, prefix), lt(column, upper))!;
}
