import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/d1';
import { migrate } from 'drizzle-orm/d1/migrator';
import type { Store } from '../../src/store';
import { openD1Store } from '../../src/store/d1';
import { migrationsFolder, openSqliteStore } from '../../src/store/sqlite';
import { fixMiniflareSyncFetch } from './miniflare-sync';

export interface StoreFactory {
  name: 'better-sqlite3' | 'd1';
  open(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'rc-')), 'test.sqlite');
}

/**
 * workerd (Miniflare's D1) hangs under libfaketime, which the date-shifted CI runs use; there the D1 half of
 * each store test is left out and the SQLite half still runs on the shifted date.
 */
/**
 * The migrations folder as it stood up to `tag`: the migrations before it, or up to and including it with
 * `{ including: true }` — a database to migrate from, for the tests of a migration's data step.
 */
export function migrationsUpTo(tag: string, opts: { including?: boolean } = {}): string {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag}`);
  const kept = journal.entries.slice(0, opts.including ? at + 1 : at);
  const dir = mkdtempSync(join(tmpdir(), 'rc-mig-'));
  mkdirSync(join(dir, 'meta'));
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }));
  for (const f of readdirSync(migrationsFolder))
    if (kept.some((e) => f === `${e.tag}.sql`)) copyFileSync(join(migrationsFolder, f), join(dir, f));
  return dir;
}

export const workerdAvailable = process.env.FAKETIME === undefined && process.env.RC_NO_WORKERD !== '1';

/** A D1 database in workerd (Miniflare) with every migration applied; `d1` is the binding a Worker gets. */
export async function migratedD1(): Promise<{ d1: any; dispose(): Promise<void> }> {
  // Loaded when a D1 is asked for: the benchmark's SQLite server imports this module and must not carry
  // workerd's loader in its memory.
  const { Miniflare } = await import('miniflare');
  fixMiniflareSyncFetch();
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null, { status: 404 }); } }',
    d1Databases: ['DB'],
  });
  const d1 = (await mf.getD1Database('DB')) as any;
  await migrate(drizzle(d1), { migrationsFolder });
  return { d1, dispose: () => mf.dispose() };
}

/** The store contract holds on both drivers; every store test runs against each. */
const allStoreFactories: StoreFactory[] = [
  {
    name: 'better-sqlite3',
    async open() {
      const store = openSqliteStore(tempDbPath());
      return { store, dispose: () => store.close() };
    },
  },
  {
    name: 'd1',
    async open() {
      const { d1, dispose } = await migratedD1();
      return { store: openD1Store(d1), dispose };
    },
  },
];

export const storeFactories = allStoreFactories.filter((f) => f.name !== 'd1' || workerdAvailable);

/**
 * A store on either driver whose every statement sent to the database, with its parameters, is appended
 * to `sent`: better-sqlite3 through its own trace (parameters expanded), D1 at the binding's API.
 */
export async function openCapturingStore(
  driver: StoreFactory['name'],
  sent: string[],
  /** D1 only: one entry per round trip to the database (a statement run, or a batch). */
  trips: string[] = [],
): Promise<{ store: Store; dir?: string; dispose(): Promise<void> }> {
  if (driver === 'better-sqlite3') {
    const path = tempDbPath();
    const restore = captureBetterSqlite(sent);
    const store = openSqliteStore(path);
    return {
      store,
      dir: dirname(path),
      async dispose() {
        await store.close();
        restore();
      },
    };
  }
  const { d1, dispose } = await migratedD1();
  const record = (sql: string, params: unknown[]) => sent.push(`${sql} ${JSON.stringify(params)}`);
  // Statements run without bind() are recorded as they run.
  const unbound = (sql: string, run: () => unknown) => (): unknown => {
    record(sql, []);
    return run();
  };
  // A bound statement run on its own is one round trip; inside a batch it rides along with the batch's.
  const running = (st: any, sql: string): any => {
    const trip =
      (name: string) =>
      (...args: unknown[]) => {
        trips.push(sql);
        return st[name](...args);
      };
    return { bound: st, sql, all: trip('all'), raw: trip('raw'), run: trip('run'), first: trip('first') };
  };
  const statement = (st: any, sql: string): any => ({
    bind: (...params: unknown[]) => {
      record(sql, params);
      return running(st.bind(...params), sql);
    },
    all: unbound(sql, () => {
      trips.push(sql);
      return st.all();
    }),
    raw: unbound(sql, () => {
      trips.push(sql);
      return st.raw();
    }),
    run: unbound(sql, () => {
      trips.push(sql);
      return st.run();
    }),
    first: unbound(sql, () => {
      trips.push(sql);
      return st.first();
    }),
  });
  const capturing = {
    prepare: (sql: string) => statement(d1.prepare(sql), sql),
    batch: (stmts: any[]) => {
      trips.push(`batch of ${stmts.length}: ${stmts.map((s) => s.sql ?? '?').join(' ; ')}`);
      return d1.batch(stmts.map((s) => s.bound ?? s));
    },
    exec: (sql: string) => unbound(sql, () => d1.exec(sql))(),
    dump: () => d1.dump(),
  };
  const store = openD1Store(capturing as never);
  return { store, dispose };
}

/**
 * Every statement better-sqlite3 runs in this test file, with its parameters in full (its own trace cuts
 * long values), and every statement handed to the store's writer thread (which runs better-sqlite3 of its
 * own). Patched on the prototypes, so the store under test is opened exactly as in production.
 */
function captureBetterSqlite(sent: string[]): () => void {
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();
  const undo: (() => void)[] = [];
  const wrap = (proto: any, name: string, describe: (self: any, args: unknown[]) => string) => {
    const original = proto[name];
    proto[name] = function (this: unknown, ...args: unknown[]) {
      sent.push(describe(this, args));
      return original.apply(this, args);
    };
    undo.push(() => {
      proto[name] = original;
    });
  };
  const params = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ');
  for (const name of ['run', 'get', 'all', 'iterate'])
    wrap(statementProto, name, (st, args) => `${st.source} ${params(args)}`);
  wrap(Database.prototype, 'exec', (_db, args) => String(args[0]));
  // The writer thread's statements cross here, in full, before it runs them.
  const originalPost = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, message: any, ...rest: any[]) {
    if (message?.op === 'commit')
      for (const unit of message.units as { sql: string; params: unknown[] }[][])
        for (const st of unit) sent.push(`${st.sql} ${params(st.params)}`);
    else if (message?.op === 'pragma') sent.push(`pragma ${String(message.sql)}`);
    return originalPost.call(this, message, ...rest);
  };
  undo.push(() => {
    Worker.prototype.postMessage = originalPost;
  });
  return () => {
    for (const u of undo) u();
  };
}
