import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rosterNames } from '../../src/bot/event-reads';
import type { Store } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { storeFactories } from '../support/stores';

const by = 'ou_admin_names';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 1, minute));

describe.each(storeFactories)('the roster names on cards ($name)', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
  });
  afterEach(async () => dispose());

  it('names each person by their first named row, and a rename shows on the next read', async () => {
    const repo = new Repo(store.db);
    await store.commit([
      repo.addRole({ openId: 'ou_a', role: 'party_member', name: '王委员', by, now: at(1) }),
      repo.addRole({ openId: 'ou_a', role: 'secretary', name: '王书记', by, now: at(2) }),
      repo.addRole({ openId: 'ou_b', role: 'party_member', name: null, by, now: at(3) }),
      repo.addRole({ openId: 'ou_c', role: 'investigator', name: '赵核查', by, now: at(4) }),
    ]);
    const names = rosterNames(store);
    // By role, then by when added: 'party_member' sorts before 'secretary'; a row without a name is skipped.
    expect(await names(new Repo(store.db))).toEqual({ ou_a: '王委员', ou_c: '赵核查' });
    await store.commit([
      repo.addRole({ openId: 'ou_a', role: 'party_member', name: '王新名', by, now: at(5) }),
      repo.addRole({ openId: 'ou_b', role: 'party_member', name: '李委员', by, now: at(6) }),
    ]);
    expect(await names(new Repo(store.db))).toEqual({ ou_a: '王新名', ou_b: '李委员', ou_c: '赵核查' });
    await store.commit([repo.removeRoles('ou_c')]);
    expect(await names(new Repo(store.db))).toEqual({ ou_a: '王新名', ou_b: '李委员' });
  });

  it('reads the roster again only after a commit wrote it, where the store is its one writer', async () => {
    const repo = new Repo(store.db);
    await store.commit([
      repo.addRole({ openId: 'ou_a', role: 'party_member', name: '王委员', by, now: at(1) }),
    ]);
    const names = rosterNames(store);
    const reads = vi.spyOn(Repo.prototype, 'rosterNames');
    try {
      await names(new Repo(store.db));
      await names(new Repo(store.db));
      // Another table written: the names still stand.
      await store.commit([repo.bindChat({ chatId: 'oc_x', kind: 'party', by, now: at(2) })]);
      await names(new Repo(store.db));
      const cached = store.tableVersion !== undefined;
      expect(reads).toHaveBeenCalledTimes(cached ? 1 : 3);
      await store.commit([
        repo.addRole({ openId: 'ou_a', role: 'party_member', name: '王新名', by, now: at(3) }),
      ]);
      expect(await names(new Repo(store.db))).toEqual({ ou_a: '王新名' });
      expect(reads).toHaveBeenCalledTimes(cached ? 2 : 4);
    } finally {
      reads.mockRestore();
    }
  });
});
