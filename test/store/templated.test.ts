import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, cases, outbox } from '../../db/schema';
import { type Store, toStatement } from '../../src/store';
import { openSqliteStore } from '../../src/store/sqlite';
import { templated } from '../../src/store/templated';

const text = fc.option(fc.string({ maxLength: 12 }), { nil: null });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

describe('writes built once per shape and filled by position', () => {
  let store: Store;
  beforeAll(() => {
    store = openSqliteStore(':memory:');
  });
  afterAll(async () => store.close());

  it('give exactly the statement drizzle builds, for any values and any set of columns', () => {
    const { db } = store;
    fc.assert(
      fc.property(
        fc.record({
          uuid: fc.uuid(),
          op: fc.constantFrom('send', 'reply', 'patch'),
          receiveIdType: maybe(fc.constantFrom('open_id', 'chat_id')),
          receiveId: maybe(fc.string({ maxLength: 8 })),
          ref: maybe(fc.string({ maxLength: 8 })),
          msgType: fc.constantFrom('interactive', 'text'),
          content: fc.string({ maxLength: 40 }),
          nextAttemptAt: fc.integer({ min: 0, max: 2 ** 40 }),
          createdAt: fc.integer({ min: 0, max: 2 ** 40 }),
        }),
        fc.record({
          at: fc.integer(),
          actor: fc.string(),
          action: fc.string(),
          subject: fc.string(),
          before: text,
          after: text,
        }),
        fc.record({
          status: maybe(fc.constantFrom('draft', 'decided')),
          caseDate: maybe(text),
          doc: fc.string(),
          version: fc.integer({ min: 1, max: 1000 }),
          updatedAt: fc.integer({ min: 0, max: 2 ** 40 }),
          id: fc.string({ minLength: 1, maxLength: 10 }),
          at: fc.integer({ min: 0, max: 1000 }),
        }),
        (row, entry, update) => {
          const pairs: [ReturnType<typeof templated>, { toSQL(): { sql: string; params: unknown[] } }][] = [
            [templated(db, 'outbox', (v) => db.insert(outbox).values(v), row), db.insert(outbox).values(row)],
            [
              templated(db, 'audit', (v) => db.insert(audit).values(v), entry),
              db.insert(audit).values(entry),
            ],
            [
              templated(
                db,
                'case.update',
                ({ id, at, ...set }) =>
                  db
                    .update(cases)
                    .set(set)
                    .where(and(eq(cases.id, id), eq(cases.version, at))),
                update,
              ),
              (() => {
                const { id, at, ...set } = update;
                return db
                  .update(cases)
                  .set(set)
                  .where(and(eq(cases.id, id), eq(cases.version, at)));
              })(),
            ],
          ];
          for (const [mine, theirs] of pairs) expect(toStatement(mine)).toEqual(toStatement(theirs));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leave to drizzle a value that is not plain, and a write whose SQL depends on its values', () => {
    const { db } = store;
    const row = { at: 1, actor: 'a', action: 'x', subject: 's', before: null, after: null };
    // Learnt once with plain values …
    const plain = templated(db, 'audit.sql', (v) => db.insert(audit).values(v), row);
    expect('toSQL' in plain).toBe(false);
    // … then given drizzle's own SQL for a value: drizzle builds it.
    const withSql = templated(db, 'audit.sql', (v) => db.insert(audit).values(v), { ...row, at: sql`42` });
    expect(toStatement(withSql).sql).toContain('42');
    expect(toStatement(withSql)).toEqual(toStatement(db.insert(audit).values({ ...row, at: sql`42` })));
    // A build whose SQL follows a value is caught when the first real build differs from the marked one.
    const branchy = (v: { id: string }) =>
      v.id.startsWith('x')
        ? db.delete(audit).where(eq(audit.actor, v.id))
        : db.delete(audit).where(eq(audit.subject, v.id));
    const first = templated(db, 'branchy', branchy, { id: 'x1' });
    const second = templated(db, 'branchy', branchy, { id: 'y1' });
    expect(toStatement(first).sql).toContain('"actor"');
    expect(toStatement(second).sql).toContain('"subject"');
  });
});
