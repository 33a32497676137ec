import { and, gte, lt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * Rows whose text column starts with `prefix`, as a range the column's index can serve (LIKE cannot: it is
 * case-insensitive and treats '_' in ids as a wildcard, so SQLite scans every row). Text compares by its
 * UTF-8 bytes, which order as code points do: everything starting with the prefix lies below the prefix
 * with its last character raised by one.
 */
export function startsWith(column: SQLiteColumn, prefix: string): SQL {
  const { from, below } = prefixRange(prefix);
  return and(gte(column, from), lt(column, below))!;
}

/** The range `startsWith` reads, as values (for a prepared query's placeholders): `from` ≤ text < `below`. */
export function prefixRange(prefix: string): { from: string; below: string } {
  if (prefix === '') throw new Error('startsWith needs a prefix');
  const chars = [...prefix];
  const last = chars.pop()!.codePointAt(0)!;
  return { from: prefix, below: `${chars.join('')}${String.fromCodePoint(last + 1)}` };
}
