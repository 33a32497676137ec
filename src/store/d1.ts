import type { D1Database } from '@cloudflare/workers-types';
import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../../db/schema';
import { ConflictError, type Db, isGuardViolation, type Store, toStatement } from './index';

/** The Workers store: D1, where an atomic commit is one batch (D1 runs a batch as one transaction). */
export function openD1Store(d1: D1Database): Store {
  const db = drizzle(d1 as any, { schema });
  return {
    db: db as unknown as Db,
    driver: 'd1',
    async commit(writes) {
      if (writes.length === 0) return { changes: [] };
      const stmts = writes.map((w) => {
        const s = toStatement(w);
        return d1.prepare(s.sql).bind(...(s.params as (string | number | null)[]));
      });
      try {
        const results = await d1.batch(stmts);
        return { changes: results.map((r) => r.meta?.changes ?? 0) };
      } catch (err) {
        if (isGuardViolation(err)) throw new ConflictError();
        throw err;
      }
    },
    async close() {},
  };
}
