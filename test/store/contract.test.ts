import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { audit, kv } from '../../db/schema';
import { ConflictError, guard, retryOnConflict, type Store } from '../../src/store';
import { storeFactories } from '../support/stores';

describe.each(storeFactories)('store contract on $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
  });
  afterEach(async () => dispose());

  const put = (key: string, value: string) =>
    store.db.insert(kv).values({ key, value, version: 1, updatedAt: 1 });
  const bump = (key: string, value: string, expected: number) =>
    store.db
      .update(kv)
      .set({ value, version: expected + 1, updatedAt: 2 })
      .where(and(eq(kv.key, key), eq(kv.version, expected)));
  const read = async (key: string) => (await store.db.select().from(kv).where(eq(kv.key, key)))[0];

  it('commits every write together and reports changes', async () => {
    const r = await store.commit([
      put('a', 'x'),
      store.db
        .insert(audit)
        .values({ at: 1, actor: 'ou_1', action: 'kv.put', subject: 'kv:a', after: '"x"' }),
    ]);
    expect(r.changes).toEqual([1, 1]);
    expect((await read('a'))?.value).toBe('x');
    expect(await store.db.select().from(audit)).toHaveLength(1);
  });

  it('rolls back everything when one write fails', async () => {
    await store.commit([put('a', 'x')]);
    await expect(store.commit([put('b', 'y'), put('a', 'dup')])).rejects.toThrow();
    expect(await read('b')).toBeUndefined();
    expect((await read('a'))?.value).toBe('x');
  });

  it('a versioned update with a stale version is a conflict and leaves nothing behind', async () => {
    await store.commit([put('a', 'v1'), put('other', 'o1')]);
    await store.commit([bump('a', 'v2', 1), guard]);
    expect(await read('other')).toMatchObject({ value: 'o1', version: 1 });
    const stale = store.commit([
      bump('a', 'lost', 1),
      guard,
      store.db.insert(audit).values({ at: 3, actor: 'ou_2', action: 'kv.bump', subject: 'kv:a' }),
    ]);
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    const row = await read('a');
    expect(row).toMatchObject({ value: 'v2', version: 2 });
    expect(await store.db.select().from(audit)).toHaveLength(0);
  });

  it('of two concurrent writers from the same version exactly one wins', async () => {
    await store.commit([put('a', 'v1')]);
    const results = await Promise.allSettled(
      ['w1', 'w2', 'w3', 'w4', 'w5'].map((w) =>
        store.commit([
          bump('a', w, 1),
          guard,
          store.db.insert(audit).values({ at: 2, actor: w, action: 'kv.bump', subject: 'kv:a' }),
        ]),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    const rows = await store.db.select().from(audit);
    expect(rows).toHaveLength(1);
    expect((await read('a'))?.value).toBe(rows[0]?.actor);
  });

  it('retryOnConflict lets every concurrent read-modify-write land once', async () => {
    await store.commit([put('n', '0')]);
    const increment = () =>
      retryOnConflict(async () => {
        const row = (await read('n'))!;
        await store.commit([bump('n', String(Number(row.value) + 1), row.version), guard]);
      });
    await Promise.all(Array.from({ length: 15 }, increment));
    expect(await read('n')).toMatchObject({ value: '15', version: 16 });
  });
});
