import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { kv } from '../../db/schema';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite';
import { tempDbPath } from '../support/stores';

// The reading connection keeps its prepared statements; one kept statement serves every query of its text.
describe('kept statements', () => {
  let store: SqliteStore | undefined;
  afterEach(async () => store?.close());

  it('a statement used for rows as arrays (a select) answers with objects when the same text is run raw', async () => {
    store = openSqliteStore(tempDbPath());
    const { db } = store;
    await store.commit([db.insert(kv).values({ key: 'a', value: 'x', version: 1, updatedAt: 1 })]);
    const select = db.select({ key: kv.key, value: kv.value }).from(kv).where(eq(kv.key, 'a'));
    // drizzle reads a select's rows as arrays and maps them to its fields.
    expect(await select).toEqual([{ key: 'a', value: 'x' }]);
    const [before, after] = select.toSQL().sql.split('?');
    // The very same text, run as raw SQL, expects objects straight from SQLite.
    const rows = db.all(sql.join([sql.raw(before!), sql`${'a'}`, sql.raw(after!)])) as unknown;
    expect(rows).toEqual([{ key: 'a', value: 'x' }]);
    // And the select still maps its rows after the raw run.
    expect(await select).toEqual([{ key: 'a', value: 'x' }]);
  });
});
