import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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
  writtenTable,
} from './index';
import {
  batchRunner,
  CONNECTION_PRAGMAS,
  type Failure,
  failure,
  JOURNAL_MODES,
  type Statement,
  statementCache,
  type UnitResult,
} from './sqlite-batch.js';

export const migrationsFolder = fileURLToPath(new URL('../../db/migrations', import.meta.url));

/** What the writing connection guarantees and how many transactions it has committed (each one fsync). */
export interface SqliteDurability {
  journalMode: string;
  /** 2 = FULL: the WAL is synced at every commit, so a committed transaction survives power loss. */
  synchronous: number;
  transactions: number;
  units: number;
  /** 'thread': commits run and sync on a writer thread of their own; 'inline': on the caller's (':memory:'). */
  writer: 'thread' | 'inline';
}

export interface SqliteStore extends Store {
  durability(): SqliteDurability;
  /** Runs a pragma on the connection that writes (e.g. `max_page_count = 100`); returns its rows. */
  writerPragma(text: string): Promise<unknown>;
}

interface Unit {
  statements: Statement[];
  resolve(r: CommitResult): void;
  reject(err: unknown): void;
}

/** Runs one batch of units in one transaction: each unit's own result, or a failure of the whole. */
interface Executor {
  /** `transactions` is 1 for the transaction that ran them, 0 when they joined one counted already. */
  run(
    units: Statement[][],
  ): Promise<{ results: UnitResult[]; touched: string[]; transactions: number } | { error: Failure }>;
  pragma(text: string): Promise<unknown>;
  durability(): { journalMode: string; synchronous: number; writer: 'thread' | 'inline' };
  /** Whether the batch runs beside the caller (a thread), so that sending it early lets it start sooner. */
  concurrent: boolean;
  close(): Promise<void>;
}

/**
 * Past this many statements queued in one turn of the event loop, they go to the writer at once instead of at
 * the turn's end, so the writer starts on them while the rest are still being built. A morning's reminders
 * build 64 units of about a dozen statements each before the loop turns: sent only then, the writer sat idle
 * while they were built and the event loop idle while the writer wrote them, about a fifth of the first tick.
 * (128 made more transactions, 512 left the writer waiting longer; 256 was the quickest of the three.) An
 * acknowledged event is one statement, so requests arriving together still go in one message.
 */
export const EARLY_FLUSH_STATEMENTS = 256;

const isMemory = (path: string) => path === ':memory:' || path.startsWith('file::memory:');

/**
 * The embedded store: one SQLite file (or ':memory:'), migrated on open. Commits are durable on return
 * (`synchronous = FULL`) and grouped: every commit asked for while the previous transaction was syncing
 * shares the next transaction and so one fsync, each unit in a savepoint of its own so one unit's failure
 * is its alone. A file's commits run on a writer thread (`sqlite-writer.js`): the fsync never holds up the
 * event loop, which reads through a connection of its own (WAL: readers see every committed transaction).
 */
export function openSqliteStore(path: string): SqliteStore {
  const sqlite = new Database(path);
  for (const p of CONNECTION_PRAGMAS) sqlite.pragma(p);
  const db = drizzle(readerWithStatementCache(sqlite), { schema });
  migrate(db, { migrationsFolder });
  const executor = isMemory(path) ? inlineExecutor(sqlite) : threadExecutor(path);

  const versions = new Map<string, number>();
  const counts = { transactions: 0, units: 0 };
  let queue: Unit[] = [];
  let queuedStatements = 0;
  let scheduled = false;
  const outstanding = new Set<Promise<void>>();
  const settle = (units: Unit[], outcome: Awaited<ReturnType<Executor['run']>>) => {
    if ('error' in outcome) {
      // The transaction itself failed (disk full, locked past the timeout): nothing of it was written.
      const err = sqliteError(outcome.error);
      for (const u of units) u.reject(err);
      return;
    }
    counts.transactions += outcome.transactions;
    counts.units += units.length;
    // Counted even for a unit rolled back to its savepoint: a cache reloads once too often, never too rarely.
    for (const t of outcome.touched) versions.set(t, (versions.get(t) ?? 0) + 1);
    units.forEach((u, i) => {
      const r = outcome.results[i]!;
      if (r.ok) u.resolve({ changes: r.changes });
      else {
        const err = sqliteError(r.error);
        u.reject(isGuardViolation(err) ? new ConflictError() : err);
      }
    });
  };
  const flush = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const units = queue;
    queue = [];
    queuedStatements = 0;
    const done = executor
      .run(units.map((u) => u.statements))
      .catch((err) => ({ error: failure(err) }))
      .then((outcome) => settle(units, outcome));
    outstanding.add(done);
    void done.finally(() => outstanding.delete(done));
  };
  return {
    db: db as unknown as Db,
    driver: 'better-sqlite3',
    commit(writes) {
      return new Promise<CommitResult>((resolve, reject) => {
        let statements: Statement[];
        try {
          statements = writes.map((w) => {
            const s = toStatement(w);
            return { sql: s.sql, params: s.params, table: writtenTable(s.sql) ?? null };
          });
        } catch (err) {
          reject(err);
          return;
        }
        // Everything asked for before the loop's check phase goes to the writer together.
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
        queue.push({ statements, resolve, reject });
        queuedStatements += statements.length;
        if (executor.concurrent && queuedStatements >= EARLY_FLUSH_STATEMENTS) flush();
      });
    },
    tableVersion(table) {
      return (versions.get(table) ?? 0) + (versions.get('*') ?? 0);
    },
    durability() {
      return { ...executor.durability(), ...counts };
    },
    writerPragma: (text) => executor.pragma(text),
    async close() {
      if (queue.length > 0) flush();
      await Promise.all([...outstanding]);
      await executor.close();
      sqlite.close();
    },
  };
}

/**
 * The connection as drizzle sees it, with its statements kept: drizzle prepares every query it runs anew,
 * and SQLite parsing and planning the same few hundred statements again was a fifth of a job's time. A kept
 * statement is handed back in the mode drizzle expects of a new one (objects, not raw rows).
 */
function readerWithStatementCache(sqlite: Database.Database): Database.Database {
  const kept = statementCache(sqlite);
  const prepare = (text: string) => {
    const { statement, fresh } = kept.get(text);
    if (!fresh && statement.reader) statement.raw(false);
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, key) {
      if (key === 'prepare') return prepare;
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function sqliteError(f: Failure): Error {
  return f.code ? new Database.SqliteError(f.message, f.code) : new Error(f.message);
}

/** How long opening the writer thread may take before the store gives up (it is a few milliseconds). */
const WRITER_START_MS = 15_000;

/** The writer thread's young generation (semi-spaces and all), in MB. */
const WRITER_YOUNG_MB = 6;

/** Writer threads that may be started again within a minute after one was lost, before the store gives up. */
const WRITER_RESTARTS_PER_MINUTE = 3;

/** What the writer thread posts back (`sqlite-writer.js`). */
type WriterMessage =
  | { op: 'committed'; ids: number[]; results?: UnitResult[][]; touched?: string[]; error?: Failure }
  | { op: 'pragma'; id: number; value?: unknown; error?: Failure };

interface Writer {
  worker: Worker;
  settings: { journalMode: string; synchronous: number };
}

/** Starts the writer thread and waits, bounded, until it has its connection: or throws. */
function startWriter(path: string): Writer {
  // [state (0 starting, 1 ready, 2 failed), synchronous, journal mode's index in JOURNAL_MODES]
  const ready = new SharedArrayBuffer(12);
  const worker = new Worker(new URL('./sqlite-writer.js', import.meta.url), {
    workerData: { path, ready },
    // Plain JavaScript: no loader of the parent's (tsx, profilers) is needed or wanted there.
    execArgv: [],
    // It allocates little beyond the statements it is sent: a young generation of V8's default size
    // (up to 48 MB) would only keep garbage resident.
    resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_MB },
  });
  const signal = new Int32Array(ready);
  Atomics.wait(signal, 0, 0, WRITER_START_MS);
  if (Atomics.load(signal, 0) !== 1) {
    void worker.terminate();
    throw Object.assign(new Error(`SQLite 写入线程无法打开数据库：${path}`), { code: 'SQLITE_CANTOPEN' });
  }
  // Idle, the writer does not keep the process alive; while a request is out it does.
  worker.unref();
  // As the writer's connection reported them once it had opened.
  return {
    worker,
    settings: {
      journalMode: JOURNAL_MODES[Atomics.load(signal, 2)] ?? 'unknown',
      synchronous: Atomics.load(signal, 1),
    },
  };
}

/**
 * Commits on a thread of their own, over a second connection to the same file. A writer that is lost
 * (its thread ended) fails what was waiting on it as the store being unavailable (503: the platform
 * delivers again; a unit it committed before it went is found done when retried), and the next commit
 * starts a new one, up to WRITER_RESTARTS_PER_MINUTE a minute; past that every commit fails until a
 * minute has gone by.
 */
function threadExecutor(path: string): Executor {
  let current: Writer | undefined = startWriter(path);
  let settings = current.settings;
  let seq = 0;
  const waiting = new Map<number, { resolve(v: any): void; reject(e: unknown): void }>();
  const restarts: number[] = [];
  let closing = false;
  const unavailable = (why: string) =>
    Object.assign(new Error(`SQLite 写入线程已退出：${why}`), { code: 'SQLITE_IOERR' });
  const wire = (w: Writer) => {
    w.worker.on('message', (msg: WriterMessage) => {
      if (msg.op === 'committed') {
        // One answer per transaction: each request's results in the order of `ids`; the first counts it.
        msg.ids.forEach((id, i) => {
          const pending = waiting.get(id);
          if (!pending) return;
          waiting.delete(id);
          pending.resolve(
            msg.error
              ? { error: msg.error }
              : { results: msg.results![i], touched: msg.touched, first: i === 0 },
          );
        });
      } else {
        const pending = waiting.get(msg.id);
        if (!pending) return;
        waiting.delete(msg.id);
        if (msg.error) pending.reject(sqliteError(msg.error));
        else pending.resolve(msg);
      }
      if (waiting.size === 0) w.worker.unref();
    });
    const lost = (why: string) => {
      if (current !== w) return;
      current = undefined;
      const err = unavailable(why);
      for (const pending of waiting.values()) pending.reject(err);
      waiting.clear();
    };
    w.worker.on('error', (err) => lost(err.message));
    w.worker.on('exit', (code) => lost(`退出码 ${code}`));
  };
  wire(current);
  const writer = (): Writer => {
    if (current) return current;
    if (closing) throw unavailable('存储已关闭');
    const now = Date.now();
    while (restarts.length > 0 && now - restarts[0]! > 60_000) restarts.shift();
    if (restarts.length >= WRITER_RESTARTS_PER_MINUTE) throw unavailable('一分钟内已重启多次');
    restarts.push(now);
    current = startWriter(path);
    settings = current.settings;
    wire(current);
    return current;
  };
  const request = <T>(message: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let w: Writer;
      try {
        w = writer();
      } catch (err) {
        reject(err);
        return;
      }
      const id = ++seq;
      waiting.set(id, { resolve, reject });
      w.worker.ref();
      w.worker.postMessage({ ...message, id });
    });
  return {
    async run(units) {
      const reply = await request<{
        results?: UnitResult[];
        touched?: string[];
        first?: boolean;
        error?: Failure;
      }>({ op: 'commit', units });
      return reply.error
        ? { error: reply.error }
        : { results: reply.results!, touched: reply.touched!, transactions: reply.first ? 1 : 0 };
    },
    async pragma(text) {
      return (await request<{ value: unknown }>({ op: 'pragma', sql: text })).value;
    },
    durability: () => ({ ...settings, writer: 'thread' as const }),
    concurrent: true,
    async close() {
      const w = current;
      closing = true;
      if (!w) return;
      const exited = new Promise<void>((resolve) => w.worker.once('exit', () => resolve()));
      // Held until the thread has gone, or the process could end (or exit 13 awaiting this) before it does;
      // commits still out are answered first, the writer taking its messages in order.
      w.worker.ref();
      w.worker.postMessage({ op: 'close' });
      await exited;
    },
  };
}

/** Commits on the caller's thread: for ':memory:', which a second connection could not see. */
function inlineExecutor(sqlite: Database.Database): Executor {
  const runBatch = batchRunner(sqlite);
  return {
    async run(units) {
      try {
        return { ...runBatch(units), transactions: 1 };
      } catch (err) {
        return { error: failure(err) };
      }
    },
    async pragma(text) {
      return sqlite.pragma(text);
    },
    durability: () => ({
      journalMode: String(sqlite.pragma('journal_mode', { simple: true })),
      synchronous: Number(sqlite.pragma('synchronous', { simple: true })),
      writer: 'inline' as const,
    }),
    concurrent: false,
    async close() {},
  };
}
