import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store';
import { keepReadsOf } from '../../src/store/prepared';
import { Repo } from '../../src/store/repo';
import { openSqliteStore } from '../../src/store/sqlite';
import { storeFactories, tempDbPath } from '../support/stores';

const by = 'ou_admin_kept';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 1, minute));

describe.each(storeFactories)('who holds a role, which chat is bound ($name)', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
    keepReadsOf(store);
  });
  afterEach(async () => dispose());

  it('answer from what is committed: a role given, renamed or taken away, a chat bound again', async () => {
    const repo = () => new Repo(store.db);
    await store.commit([
      repo().addRole({ openId: 'ou_a', role: 'clerk', name: '甲', by, now: at(1) }),
      repo().bindChat({ chatId: 'oc_1', kind: 'party', by, now: at(1) }),
    ]);
    expect(await repo().withRole('clerk')).toEqual([{ openId: 'ou_a', role: 'clerk', name: '甲' }]);
    expect(await repo().withRole('secretary')).toEqual([]);
    expect(await repo().chatFor('party')).toBe('oc_1');
    expect(await repo().chatFor('unit', 'u1')).toBeUndefined();

    await store.commit([
      repo().addRole({ openId: 'ou_b', role: 'clerk', name: '乙', by, now: at(2) }),
      repo().addRole({ openId: 'ou_a', role: 'clerk', name: '甲改', by, now: at(2) }),
      repo().bindChat({ chatId: 'oc_2', kind: 'party', by, now: at(2) }),
      repo().bindChat({ chatId: 'oc_u1', kind: 'unit', unitId: 'u1', by, now: at(2) }),
    ]);
    const clerks = await repo().withRole('clerk');
    expect(clerks.map((r) => `${r.openId}:${r.name}`).sort()).toEqual(['ou_a:甲改', 'ou_b:乙']);
    expect(await repo().chatFor('party')).toBe('oc_2');
    expect(await repo().chatFor('unit', 'u1')).toBe('oc_u1');

    await store.commit([repo().removeRoles('ou_a', ['clerk'])]);
    expect((await repo().withRole('clerk')).map((r) => r.openId)).toEqual(['ou_b']);
    // The answer is shared, so it cannot be changed: no caller's edit reaches the next one.
    const shared = (await repo().withRole('clerk')) as unknown as { name: string | null }[];
    expect(() => {
      shared[0]!.name = '改过';
    }).toThrow(TypeError);
    expect(() => shared.push({ name: '多' })).toThrow(TypeError);
    expect((await repo().withRole('clerk'))[0]!.name).toBe('乙');
  });
});

describe('kept reads on the database’s one writer (SQLite on Node)', () => {
  let store: ReturnType<typeof openSqliteStore> | undefined;
  let path: string;
  afterEach(async () => store?.close());

  /** A write the store cannot see coming (another program on the file): only a read shows it. */
  const behindItsBack = (sql: string) => {
    const raw = new Database(path);
    try {
      raw.exec(sql);
    } finally {
      raw.close();
    }
  };

  it('go to the database again only after a commit of the store wrote their table', async () => {
    path = tempDbPath();
    store = openSqliteStore(path);
    keepReadsOf(store);
    const repo = () => new Repo(store!.db);
    await store.commit([
      repo().addRole({ openId: 'ou_a', role: 'clerk', name: '甲', by, now: at(1) }),
      repo().bindChat({ chatId: 'oc_1', kind: 'party', by, now: at(1) }),
    ]);
    expect((await repo().withRole('clerk')).map((r) => r.openId)).toEqual(['ou_a']);
    expect(await repo().chatFor('party')).toBe('oc_1');
    behindItsBack(
      `INSERT INTO roster (open_id, role, name, added_by, added_at) VALUES ('ou_x', 'clerk', NULL, 'x', 0);
       UPDATE chat_bindings SET chat_id = 'oc_x' WHERE kind = 'party'`,
    );
    // Kept: the file changed, but no commit of the store wrote either table.
    expect((await repo().withRole('clerk')).map((r) => r.openId)).toEqual(['ou_a']);
    expect(await repo().chatFor('party')).toBe('oc_1');
    // Another table written: both answers still stand.
    await store.commit([repo().addRole({ openId: 'ou_a', role: 'admin', name: null, by, now: at(2) })]);
    expect(await repo().chatFor('party')).toBe('oc_1');
    expect((await repo().withRole('clerk')).map((r) => r.openId).sort()).toEqual(['ou_a', 'ou_x']);
    await store.commit([repo().bindChat({ chatId: 'oc_2', kind: 'unit', unitId: 'u1', by, now: at(3) })]);
    expect(await repo().chatFor('party')).toBe('oc_x');
  });

  it('are not kept for a store that does not know when its tables change', async () => {
    path = tempDbPath();
    store = openSqliteStore(path);
    keepReadsOf({ db: store.db } as Store);
    const repo = () => new Repo(store!.db);
    expect(await repo().withRole('clerk')).toEqual([]);
    behindItsBack(
      "INSERT INTO roster (open_id, role, name, added_by, added_at) VALUES ('ou_x', 'clerk', NULL, 'x', 0)",
    );
    expect((await repo().withRole('clerk')).map((r) => r.openId)).toEqual(['ou_x']);
  });
});
