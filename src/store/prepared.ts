import type { Db } from './index';

/**
 * Reads a unit makes many times (a case by id, a role's members, a bound chat, an order's receipt), built
 * once per database: drizzle building the same query anew was most of a job's time. Placeholders carry the
 * values.
 */
const preparedBy = new WeakMap<Db, Map<string, unknown>>();

export function prepared<T>(db: Db, name: string, build: (db: Db) => T): T {
  let kept = preparedBy.get(db);
  if (!kept) {
    kept = new Map();
    preparedBy.set(db, kept);
  }
  let q = kept.get(name) as T | undefined;
  if (q === undefined) {
    q = build(db);
    kept.set(name, q);
  }
  return q;
}

/** Entries kept per database; past it they start over (a bound on memory, not a policy). */
const MAX_KEPT = 1_000;

const versionsBy = new WeakMap<Db, (table: string) => number>();
const keptBy = new WeakMap<Db, Map<string, { at: number; value: Promise<unknown> }>>();

/**
 * Lets `kept` reads of this store's database be kept in memory between the commits that write their table.
 * Only a store that is its database's one writer knows when that is (`tableVersion`: SQLite on Node); on
 * any other (D1, where other isolates write too) every read goes to the database.
 */
export function keepReadsOf(store: { db: Db; tableVersion?(table: string): number }): void {
  if (store.tableVersion) versionsBy.set(store.db, store.tableVersion.bind(store));
}

/**
 * A read of `table` (a role's members, a bound chat), kept until a commit writes that table: every due
 * item of a job and every message's recipients asked the same few questions of tables that rarely change.
 * A failed read is not kept. The value is shared: callers must not change it.
 */
export function kept<T>(db: Db, table: string, key: string, read: () => Promise<T>): Promise<T> {
  const version = versionsBy.get(db);
  if (!version) return read();
  let all = keptBy.get(db);
  if (!all) {
    all = new Map();
    keptBy.set(db, all);
  }
  const at = version(table);
  const name = `${table}\u0000${key}`;
  const hit = all.get(name);
  if (hit?.at === at) return hit.value as Promise<T>;
  const value = read();
  if (all.size >= MAX_KEPT) all.clear();
  const entry = { at, value };
  all.set(name, entry);
  value.catch(() => {
    if (all.get(name) === entry) all.delete(name);
  });
  return value;
}
