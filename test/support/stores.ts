import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/d1';
import { migrate } from 'drizzle-orm/d1/migrator';
import { Miniflare } from 'miniflare';
import type { Store } from '../../src/store';
import { openD1Store } from '../../src/store/d1';
import { migrationsFolder, openSqliteStore } from '../../src/store/sqlite';

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
export const workerdAvailable = process.env.FAKETIME === undefined && process.env.RC_NO_WORKERD !== '1';

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
      const mf = new Miniflare({
        modules: true,
        script: 'export default { fetch() { return new Response(null, { status: 404 }); } }',
        d1Databases: ['DB'],
      });
      const d1 = (await mf.getD1Database('DB')) as any;
      await migrate(drizzle(d1), { migrationsFolder });
      const store = openD1Store(d1);
      return { store, dispose: () => mf.dispose() };
    },
  },
];

export const storeFactories = allStoreFactories.filter((f) => f.name !== 'd1' || workerdAvailable);
