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

/** The store contract holds on both drivers; every store test runs against each. */
export const storeFactories: StoreFactory[] = [
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
