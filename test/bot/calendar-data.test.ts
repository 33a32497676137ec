import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveCalendar, readExtraDays, writeExtraDays } from '../../src/bot/calendar-data';
import { ConflictError, type Store } from '../../src/store';
import { storeFactories } from '../support/stores';

describe.each(storeFactories)('holidays added as data on $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
  });
  afterEach(async () => dispose());

  it('a day an admin adds takes effect at the next sync, without a release', async () => {
    const cal = new LiveCalendar([]);
    await cal.sync(store.db);
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // beyond the library's data: a plain Friday
    const now = new Date('2026-11-01T01:00:00Z');
    const before = await readExtraDays(store.db);
    await store.commit(
      writeExtraDays(store.db, before, [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }], now),
    );
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // not yet synced
    await cal.sync(store.db);
    expect(cal.isWorkingDay('2027-01-01')).toBe(false);
    expect(cal.addDays('2026-12-31', 1, 'working')).toBe('2027-01-04');
    expect(cal.dataEndsOn() >= '2027-01-01').toBe(true);
  });

  it('two admins editing from the same version: one wins', async () => {
    const now = new Date('2026-11-01T01:00:00Z');
    const v0 = await readExtraDays(store.db);
    await store.commit(writeExtraDays(store.db, v0, [{ date: '2027-01-01', kind: 'holiday' }], now));
    const v1 = await readExtraDays(store.db);
    await store.commit(writeExtraDays(store.db, v1, [{ date: '2027-02-07', kind: 'workday' }], now));
    await expect(store.commit(writeExtraDays(store.db, v1, [], now))).rejects.toBeInstanceOf(ConflictError);
    expect((await readExtraDays(store.db)).days).toEqual([{ date: '2027-02-07', kind: 'workday' }]);
  });
});
