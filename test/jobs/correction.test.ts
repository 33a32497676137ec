import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atBusinessTime } from '../../src/calendar';
import type { Case } from '../../src/cases/types';
import { correctionReminderJob } from '../../src/jobs/correction';
import type { EmulatedMessage } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import { carriedCase, determinationCommand, envAt, run, secretary } from '../cases/fixtures';
import { ADMIN, type Harness, startHarness } from '../support/harness';

const SUBJECT = { openId: 'ou_subject', name: '张执法' };
const SEC = { openId: secretary.openId, name: '李书记' };
const PARTY = 'oc_party_reminders';
const UNIT = 'oc_unit_enforcement_1';
/** Friday after National Day 2026 (holidays 10-01…10-07; Saturday 10-10 is a make-up working day). */
const DEADLINE = '2026-10-09';

const text = (m: EmulatedMessage) => JSON.stringify(m.content);

describe('correction reminders through the runtime, around National Day 2026', () => {
  let h: Harness;
  let caseId: string;
  const toSubject = () =>
    h.emu.messages({ openId: SUBJECT.openId }).filter((m) => /整改期限提醒|整改已逾期/.test(text(m)));
  const escalations = (chatId: string) =>
    h.emu.messages({ chatId }).filter((m) => text(m).includes('纠错整改逾期'));
  const getCase = async () => (await new Repo(h.rt.store.db).getCase(caseId)) as Case;
  /** Ticks at `hour`:`minute` Shanghai on `date`, twice, and returns how many cases the job handled each time. */
  const tickTwice = async (date: string, hour = 9, minute = 0) => {
    const at = atBusinessTime(date, hour, minute);
    const a = await h.rt.service.tick(at);
    await h.settle();
    const b = await h.rt.service.tick(at);
    await h.settle();
    return [a.jobs[correctionReminderJob.name], b.jobs[correctionReminderJob.name]];
  };

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SUBJECT, SEC]) h.emu.addUser(u);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: [SEC.openId] });
    h.emu.addChat({ chatId: UNIT, name: '执法一科', members: [SUBJECT.openId] });
    const env = envAt('2026-09-01T02:00:00Z');
    const c = run(
      carriedCase('exempt', env),
      {
        ...determinationCommand,
        correction: { ...determinationCommand.correction!, deadline: DEADLINE },
      },
      secretary,
      env,
    );
    caseId = c.id;
    const repo = new Repo(h.rt.store.db);
    const now = new Date();
    const by = ADMIN.openId;
    await h.rt.store.commit([
      repo.addRole({ ...SEC, role: 'secretary', by, now }),
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      repo.bindChat({ chatId: UNIT, kind: 'unit', unitId: 'enforcement_1', by, now }),
      ...repo.saveCase(null, c),
    ]);
  });
  afterAll(async () => h?.close());

  it('reminds at 09:00 on the working days 3, 1 and 0 before the deadline, never on holidays, once each', async () => {
    expect((await getCase()).status).toBe('correcting');
    // Three working days before 10-09 is 09-29: the National Day week does not count.
    expect(await tickTwice('2026-09-28', 10)).toEqual([0, 0]);
    expect(await tickTwice('2026-09-29', 8, 59)).toEqual([0, 0]);
    expect(toSubject()).toHaveLength(0);
    expect(await tickTwice('2026-09-29')).toEqual([1, 0]);
    expect(toSubject()).toHaveLength(1);
    expect(text(toSubject()[0]!)).toContain('距整改期限还有 10 天');
    expect(await tickTwice('2026-09-30', 15)).toEqual([0, 0]);
    for (const holiday of ['2026-10-01', '2026-10-03', '2026-10-06', '2026-10-07'])
      expect(await tickTwice(holiday, 9, 30)).toEqual([0, 0]);
    expect(toSubject()).toHaveLength(1);

    expect(await tickTwice('2026-10-08')).toEqual([1, 0]);
    expect(text(toSubject()[1]!)).toContain('距整改期限还有 1 天');
    expect(await tickTwice('2026-10-09', 11)).toEqual([0, 0]); // outside the reminder hour
    expect(await tickTwice('2026-10-09', 9, 40)).toEqual([1, 0]);
    expect(text(toSubject()[2]!)).toContain('今天是整改期限');
    expect(toSubject()).toHaveLength(3);
    expect((await getCase()).correction?.remindedOn).toEqual(['2026-09-29', '2026-10-08', '2026-10-09']);
    expect(escalations(PARTY)).toHaveLength(0);
  });

  it('after the deadline: a daily overdue reminder on working days and one escalation to the party group', async () => {
    // Saturday 10-10 is a make-up working day: overdue from 09:00, escalated once.
    expect(await tickTwice('2026-10-10', 8)).toEqual([0, 0]);
    expect(await tickTwice('2026-10-10')).toEqual([1, 0]);
    const overdue = toSubject().at(-1)!;
    expect(text(overdue)).toContain('已超过整改期限 1 天');
    expect(overdue.urgentTo).toEqual([SUBJECT.openId]);
    expect(escalations(PARTY)).toHaveLength(1);
    expect(text(escalations(PARTY)[0]!)).toContain('张执法（执法一科）');
    expect(escalations(UNIT)).toHaveLength(1);

    expect(await tickTwice('2026-10-11', 10)).toEqual([0, 0]); // Sunday
    expect(await tickTwice('2026-10-12')).toEqual([1, 0]);
    expect(await tickTwice('2026-10-13', 16)).toEqual([0, 0]); // outside the reminder hour
    expect(await tickTwice('2026-10-13', 9, 50)).toEqual([1, 0]);
    const subjectOverdue = toSubject().filter((m) => text(m).includes('整改已逾期'));
    expect(subjectOverdue.map((m) => text(m).match(/已超过整改期限 (\d+) 天/)?.[1])).toEqual(['1', '3', '4']);
    expect(escalations(PARTY)).toHaveLength(1);
    const c = await getCase();
    expect(c.correction?.lastOverdueReminderOn).toBe('2026-10-13');
    expect(c.correction?.escalatedAt).toBe(atBusinessTime('2026-10-10', 9).toISOString());
  });
});
