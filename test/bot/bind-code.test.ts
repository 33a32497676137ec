import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kv, roster } from '../../db/schema';
import {
  BIND_CODE_KEY,
  BIND_CODE_TTL_MS,
  checkBindCode,
  ensureBindCode,
  hashBindCode,
} from '../../src/bot/bind-code';
import { ConflictError, type Store } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { openSqliteStore } from '../../src/store/sqlite';
import { tempDbPath } from '../support/stores';

const T0 = new Date('2026-03-02T01:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('one-time admin bind code', () => {
  let store: Store;
  beforeEach(() => {
    store = openSqliteStore(tempDbPath());
  });
  afterEach(() => store.close());

  const codeRow = async () => (await store.db.select().from(kv).where(eq(kv.key, BIND_CODE_KEY)))[0];

  it('is issued only when nobody administers the bot, and stored as a hash with an expiry', async () => {
    const code = await ensureBindCode(store, T0, () => 'K7M2Q9RX4T', []);
    expect(code).toBe('K7M2Q9RX4T');
    const row = await codeRow();
    expect(row?.value).toBe(hashBindCode('K7M2Q9RX4T'));
    expect(row?.value).not.toContain('K7M2Q9RX4T');
    expect(row?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.expiresAt).toBe(T0.getTime() + BIND_CODE_TTL_MS);
  });

  it('is not issued (and a leftover is removed) when ADMIN_OPEN_IDS names an admin', async () => {
    await ensureBindCode(store, T0, () => 'K7M2Q9RX4T', []);
    expect(await ensureBindCode(store, T0, () => 'OTHERCODE2', ['ou_admin_cfg'])).toBeNull();
    expect(await codeRow()).toBeUndefined();
  });

  it('is not issued when the roster already has an admin', async () => {
    await store.commit([
      new Repo(store.db).addRole({ openId: 'ou_a', role: 'admin', name: '甲', by: 'ou_a', now: T0 }),
    ]);
    expect(await ensureBindCode(store, T0, () => 'K7M2Q9RX4T', [])).toBeNull();
    expect(await codeRow()).toBeUndefined();
  });

  it('a restart replaces the code: the old one stops working', async () => {
    await ensureBindCode(store, T0, () => 'FIRSTCODE2', []);
    await ensureBindCode(store, at(1000), () => 'SECONDCODE', [], 60_000);
    expect((await checkBindCode(store.db, 'FIRSTCODE2', at(2000))).ok).toBe(false);
    expect((await checkBindCode(store.db, 'SECONDCODE', at(2000))).ok).toBe(true);
    expect((await codeRow())?.expiresAt).toBe(at(61_000).getTime());
  });

  it('accepts the right code typed forgivingly, refuses a wrong one, refuses it once expired', async () => {
    await ensureBindCode(store, T0, () => 'K7M2Q9RX4T', [], 60_000);
    expect(await checkBindCode(store.db, 'K7M2Q9RX4X', at(1))).toEqual({ ok: false, reason: 'wrong' });
    expect(await checkBindCode(store.db, '', at(1))).toEqual({ ok: false, reason: 'wrong' });
    expect((await checkBindCode(store.db, 'k7m2 q9rx4t', at(1))).ok).toBe(true);
    expect((await checkBindCode(store.db, 'Ｋ７Ｍ２Ｑ９ＲＸ４Ｔ', at(1))).ok).toBe(true);
    expect((await checkBindCode(store.db, 'K7M2Q9RX4T', at(59_999))).ok).toBe(true);
    const expired = await checkBindCode(store.db, 'K7M2Q9RX4T', at(60_000));
    expect(expired).toMatchObject({ ok: false, reason: 'expired' });
    // Checking changes nothing: the code stays until a caller commits `consume`.
    expect(await codeRow()).toBeDefined();
  });

  it('is single-use: once consumed it is gone, and a second consumer racing for it loses', async () => {
    await ensureBindCode(store, T0, () => 'K7M2Q9RX4T', []);
    const first = await checkBindCode(store.db, 'K7M2Q9RX4T', at(1));
    const second = await checkBindCode(store.db, 'K7M2Q9RX4T', at(1));
    if (!first.ok || !second.ok) throw new Error('both checks should pass before either commits');
    const repo = new Repo(store.db);
    await store.commit([
      ...first.consume,
      repo.addRole({ openId: 'ou_a', role: 'admin', name: '甲', by: 'ou_a', now: T0 }),
    ]);
    await expect(
      store.commit([
        ...second.consume,
        repo.addRole({ openId: 'ou_b', role: 'admin', name: '乙', by: 'ou_b', now: T0 }),
      ]),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await store.db.select().from(roster)).toEqual([
      expect.objectContaining({ openId: 'ou_a', role: 'admin' }),
    ]);
    expect(await checkBindCode(store.db, 'K7M2Q9RX4T', at(2))).toEqual({ ok: false, reason: 'none' });
  });
});
