import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import type { Service } from '../../src/service';
import type { Store } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { ADMIN } from '../support/harness';
import { text } from '../support/messages';
import { startRig } from '../support/rig';
import { openCapturingStore, workerdAvailable } from '../support/stores';

const SEC = { openId: 'ou_sec_trips_li', name: '李书记' };
const OFFICER = { openId: 'ou_officer_trips_zhao', name: '赵执法' };
const SECRETARY_LINE = '归档 编号';

interface Running {
  emu: LarkEmulator;
  store: Store;
  service: Service;
  close(): Promise<void>;
}

/** Sends 帮助 and returns the help card it got, with delivery running only once the event is committed. */
async function help(rig: Running, openId: string, during?: () => void): Promise<string> {
  await rig.service.settle();
  during?.();
  await rig.emu.sendText(openId, '帮助');
  await rig.service.settle();
  const mine = rig.emu.messages({ openId }).filter((m) => m.from === 'app');
  return text(mine.at(-1));
}

describe.runIf(workerdAvailable)('帮助 on D1: round trips to the database', () => {
  const sent: string[] = [];
  const trips: string[] = [];
  let rig: Running;

  beforeAll(async () => {
    rig = await startRig(await openCapturingStore('d1', sent, trips));
    for (const u of [SEC, OFFICER]) rig.emu.addUser(u);
    const repo = new Repo(rig.store.db);
    await rig.store.commit([repo.addRole({ ...SEC, role: 'secretary', by: ADMIN.openId, now: new Date() })]);
  });
  afterAll(async () => rig?.close());

  it('records, reads and commits a 帮助 in at most 3 round trips, and the answer still shows the roles', async () => {
    for (const who of [OFFICER, SEC, OFFICER]) {
      let handled: string[] = [];
      const card = await help(rig, who.openId, () => {
        trips.length = 0;
      });
      // Delivery's own trips (claiming and settling the outbox row) come after the event's commit.
      const commit = trips.findIndex((t) => t.includes('insert into "outbox"'));
      expect(commit).toBeGreaterThan(0);
      handled = trips.slice(0, commit + 1);
      expect(handled.length, handled.join('\n')).toBeLessThanOrEqual(3);
      expect(card).toContain('申请容错');
      expect(card.includes(SECRETARY_LINE)).toBe(who === SEC);
    }
  });
});

describe('帮助 on SQLite: roster, holidays and conversation are read again only after a write to them', () => {
  const sent: string[] = [];
  let rig: Running;
  const reads = (table: string) =>
    sent.filter((s) => s.startsWith('select') && s.includes(`from "${table}"`));

  beforeAll(async () => {
    rig = await startRig(await openCapturingStore('better-sqlite3', sent));
    for (const u of [SEC, OFFICER]) rig.emu.addUser(u);
  });
  afterAll(async () => rig?.close());

  it('a second 帮助 reads none of them; a role granted in between is read and shown at once', async () => {
    await help(rig, OFFICER.openId);
    await help(rig, SEC.openId);
    sent.length = 0;
    const again = await help(rig, SEC.openId);
    expect(again).toContain('申请容错');
    expect(again).not.toContain(SECRETARY_LINE);
    expect(reads('roster')).toEqual([]);
    expect(reads('kv').filter((s) => s.includes('policy:calendar.extraDays'))).toEqual([]);
    expect(reads('conversations')).toEqual([]);

    const repo = new Repo(rig.store.db);
    await rig.store.commit([repo.addRole({ ...SEC, role: 'secretary', by: ADMIN.openId, now: new Date() })]);
    sent.length = 0;
    const promoted = await help(rig, SEC.openId);
    expect(promoted).toContain(SECRETARY_LINE);
    expect(reads('roster').length).toBeGreaterThan(0);
  });

  it('a conversation opened in between is seen by the next 帮助', async () => {
    await help(rig, OFFICER.openId);
    await rig.emu.sendText(OFFICER.openId, '申请容错');
    await rig.service.settle();
    const card = await help(rig, OFFICER.openId);
    expect(card).toContain('未提交的容错申请草稿');
  });
});
