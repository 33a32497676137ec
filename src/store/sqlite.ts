import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../../db/schema';
import { ConflictError, type Db, isGuardViolation, type Store, toStatement, type Write } from './index';

export const migrationsFolder = fileURLToPath(new URL('../../db/migrations', import.meta.url));

/** The embedded store: one SQLite file (or ':memory:'), migrated on open. */
export function openSqliteStore(path: string): Store {
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Deleted and nulled data (raw event payloads, an anonymous reporter's draft) is overwritten, not left in
  // free pages; the WAL file is truncated after checkpoints so old frames do not linger either.
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('journal_size_limit = 0');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  const prepared = new Map<string, Database.Statement>();
  const prepare = (text: string) => {
    let st = prepared.get(text);
    if (!st) {
      st = sqlite.prepare(text);
      prepared.set(text, st);
    }
    return st;
  };
  const runAll = sqlite.transaction((writes: Write[]) =>
    writes.map((w) => {
      const s = toStatement(w);
      const st = prepare(s.sql);
      if (!st.reader) return st.run(...s.params).changes;
      st.all(...s.params);
      return 0;
    }),
  );
  return {
    db: db as unknown as Db,
    driver: 'better-sqlite3',
    async commit(writes) {
      try {
        return { changes: runAll.immediate(writes) };
      } catch (err) {
        if (isGuardViolation(err)) throw new ConflictError();
        throw err;
      }
    },
    async close() {
      sqlite.close();
    },
  };
}
