import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../../db/schema';
import {
  type CommitResult,
  ConflictError,
  type Db,
  isGuardViolation,
  type Store,
  toStatement,
  type Write,
  writtenTable,
} from './index';

export const migrationsFolder = fileURLToPath(new URL('../../db/migrations', import.meta.url));

/** What the connection guarantees and how many transactions it has committed (each one fsync). */
export interface SqliteDurability {
  journalMode: string;
  /** 2 = FULL: the WAL is synced at every commit, so a committed transaction survives power loss. */
  synchronous: number;
  transactions: number;
  units: number;
}

export interface SqliteStore extends Store {
  durability(): SqliteDurability;
}

interface Unit {
  writes: Write[];
  resolve(r: CommitResult): void;
  reject(err: unknown): void;
}

/**
 * The embedded store: one SQLite file (or ':memory:'), migrated on open. Commits are durable on return
 * (`synchronous = FULL`) and grouped: every commit asked for in one turn of the event loop shares one
 * transaction and so one fsync, each unit in a savepoint of its own so one unit's failure is its alone.
 */
export function openSqliteStore(path: string): SqliteStore {
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // An event is acknowledged to the platform only after its commit; NORMAL could lose the last commits on
  // power loss, and the platform never resends what got a 200.
  sqlite.pragma('synchronous = FULL');
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
  const versions = new Map<string, number>();
  // Tables written by the transaction under way; counted once it commits.
  let touched = new Set<string>();
  const runWrites = (writes: Write[]) =>
    writes.map((w) => {
      const s = toStatement(w);
      const st = prepare(s.sql);
      if (!st.reader) {
        const table = writtenTable(s.sql);
        // A write that is not a plain insert, update or delete could change anything: every cache goes.
        touched.add(table ?? '*');
        return st.run(...s.params).changes;
      }
      st.all(...s.params);
      return 0;
    });
  const savepoint = sqlite.prepare('savepoint unit');
  const rollbackTo = sqlite.prepare('rollback to unit');
  const release = sqlite.prepare('release unit');
  const runBatch = sqlite.transaction((units: Unit[]) =>
    units.map((u) => {
      savepoint.run();
      try {
        const changes = runWrites(u.writes);
        release.run();
        return { ok: true as const, changes };
      } catch (err) {
        // Disk full or an I/O error can make SQLite roll back the whole transaction, not only this unit:
        // then nothing of the batch stands, and every unit in it fails with the original error.
        if (!sqlite.inTransaction) throw err;
        rollbackTo.run();
        release.run();
        return { ok: false as const, err };
      }
    }),
  );
  const counts = { transactions: 0, units: 0 };
  let queue: Unit[] = [];
  const flush = () => {
    const units = queue;
    queue = [];
    let results: ReturnType<typeof runBatch>;
    touched = new Set();
    try {
      results = runBatch.immediate(units);
      counts.transactions++;
      counts.units += units.length;
      // Counted even for a unit rolled back to its savepoint: a cache reloads once too often, never too rarely.
      for (const t of touched) versions.set(t, (versions.get(t) ?? 0) + 1);
    } catch (err) {
      // The transaction itself failed (disk full, locked past the timeout): nothing of it was written.
      for (const u of units) u.reject(err);
      return;
    }
    units.forEach((u, i) => {
      const r = results[i]!;
      if (r.ok) u.resolve({ changes: r.changes });
      else u.reject(isGuardViolation(r.err) ? new ConflictError() : r.err);
    });
  };
  return {
    db: db as unknown as Db,
    driver: 'better-sqlite3',
    commit(writes) {
      return new Promise<CommitResult>((resolve, reject) => {
        // Everything asked for before the loop's check phase joins the same transaction.
        if (queue.length === 0) setImmediate(flush);
        queue.push({ writes, resolve, reject });
      });
    },
    tableVersion(table) {
      return (versions.get(table) ?? 0) + (versions.get('*') ?? 0);
    },
    durability() {
      return {
        journalMode: String(sqlite.pragma('journal_mode', { simple: true })),
        synchronous: Number(sqlite.pragma('synchronous', { simple: true })),
        ...counts,
      };
    },
    async close() {
      if (queue.length > 0) flush();
      sqlite.close();
    },
  };
}
