// 第十七条: the correction is followed up — reminders at 09:00 on working days only, never for a time
// that passed before the order (or an approved extension) existed — and frequent errors are warned of.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atBusinessTime } from '../../src/calendar';
import { type Case, correctionRemindersDue, decideCase } from '../../src/cases';
import { currentRisks, taxonomyCounts } from '../../src/jobs/analysis';
import { correctionReminderJob } from '../../src/jobs/correction';
import { defaultPolicy as policy } from '../../src/policy';
import { Repo } from '../../src/store/repo';
import { determinationCommand, envAt, ok, run, secretary, subject } from '../cases/fixtures';
import { ADMIN, type Harness, startHarness } from '../support/harness';
import { carriedOn, clause } from './support';

const FOLLOW = clause('应当采取适当方式，跟踪了解纠错对象的整改情况');
const FREQUENT = clause(
  '对同一类问题频繁出现或者同一领域集中出现的易错情形，应当针对性研究分析，找出易错风险点和问题症结并警示提醒',
);

/** Shanghai wall time on a fixed 2026 date (no holidays around 16–24 March). */
const at = (date: string, hour: number, minute = 0) => atBusinessTime(date, hour, minute);

/** A case whose determination and order were issued at `when`, with the order's deadline. */
function orderedAt(when: Date, deadline: string): Case {
  const e = envAt(when);
  const c = carriedOn({}, 'exempt', e);
  const cmd = { ...determinationCommand, correction: { ...determinationCommand.correction!, deadline } };
  return ok(decideCase(c, cmd, secretary, e)).state;
}

const due = (c: Case, now: Date) => correctionRemindersDue(c, envAt(now)).intents;

describe(`第十七条「${FOLLOW}」: reminders at 09:00 on working days`, () => {
  it('an order set on Monday 22:00 with a Wednesday deadline: nothing at 22:01, the first reminder on Tuesday 09:00', () => {
    const c = orderedAt(at('2026-03-16', 22), '2026-03-18');
    expect(due(c, at('2026-03-16', 22, 1))).toEqual([]);
    expect(due(c, at('2026-03-16', 23, 59))).toEqual([]);
    expect(due(c, at('2026-03-17', 8, 59))).toEqual([]);
    const tue = due(c, at('2026-03-17', 9));
    expect(tue).toEqual([
      expect.objectContaining({
        template: 'correction.reminder',
        data: expect.objectContaining({ daysLeft: 1 }),
      }),
    ]);
  });

  it('an order set on Saturday 21:00: nothing on the rest days, the first reminder on Monday 09:00', () => {
    const c = orderedAt(at('2026-03-21', 21), '2026-03-24');
    expect(due(c, at('2026-03-21', 21, 1))).toEqual([]);
    expect(due(c, at('2026-03-22', 9))).toEqual([]); // Sunday
    expect(due(c, at('2026-03-23', 9))).toHaveLength(1);
  });

  it('a reminder time that passed before the order existed is skipped, not sent late', () => {
    // Three working days before 03-18 is Friday 03-13, before the order: only 03-17 and 03-18 remain.
    let c = orderedAt(at('2026-03-16', 22), '2026-03-18');
    const sent: string[] = [];
    for (const day of ['2026-03-16', '2026-03-17', '2026-03-18']) {
      const now = at(day, 9, 5);
      if (due(c, now).length === 0) continue;
      c = run(c, { type: 'follow_up_correction' }, { openId: 'system', roles: [] }, envAt(now));
      sent.push(day);
    }
    expect(sent).toEqual(['2026-03-17', '2026-03-18']);
    expect(c.correction?.remindedOn).toEqual(['2026-03-17', '2026-03-18']);
  });

  it('after an extension approved on a Monday evening, the first reminder waits for 09:00 on a working day', () => {
    const c = orderedAt(at('2026-03-02', 10), '2026-03-20');
    const ask = {
      type: 'request_extension',
      extensionId: 'x1',
      reason: '等待批复',
      newDeadline: '2026-03-25',
    } as const;
    const asked = run(c, ask, subject, envAt(at('2026-03-16', 10)));
    const approved = run(
      asked,
      { type: 'decide_extension', extensionId: 'x1', approve: true },
      secretary,
      envAt(at('2026-03-23', 22)),
    );
    // 03-20 (three working days before 03-25) passed before the approval: skipped.
    expect(due(approved, at('2026-03-23', 22, 1))).toEqual([]);
    expect(due(approved, at('2026-03-24', 9))).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ deadline: '2026-03-25', daysLeft: 1 }) }),
    ]);
  });

  it('never outside the reminder hour: an overdue reminder waits for the next working day’s 09:00', () => {
    const c = orderedAt(at('2026-03-02', 10), '2026-03-20');
    expect(due(c, at('2026-03-23', 18))).toEqual([]);
    expect(due(c, at('2026-03-24', 9)).map((i) => i.kind === 'tell' && i.template)).toContain(
      'correction.overdue',
    );
  });
});

describe(`第十七条「${FREQUENT}」`, () => {
  it('three cases of one error category within the window reach the warning line', () => {
    const base = orderedAt(at('2026-03-02', 10), '2026-03-20');
    const cases = [1, 2, 3].map((n) => ({
      ...base,
      id: `case-risk-${n}`,
      facts: { ...base.facts, occurredOn: '2026-02-20' },
    }));
    const risks = currentRisks(taxonomyCounts(cases, '2026-03-02', policy), policy.risk.threshold);
    expect(risks).toContainEqual({ dimension: 'category', name: '程序不规范', count: 3 });
  });
});

describe('第十七条 end to end through the emulator and the scheduler', () => {
  let h: Harness;
  const SUBJECT = { openId: subject.openId, name: '张执法' };
  const reminders = () =>
    h.emu
      .messages({ openId: SUBJECT.openId })
      .filter((m) => JSON.stringify(m.content).includes('整改期限提醒'));
  beforeAll(async () => {
    h = await startHarness();
    h.emu.addUser(SUBJECT);
    const c = orderedAt(at('2026-03-16', 22), '2026-03-18');
    const repo = new Repo(h.rt.store.db);
    const now = new Date();
    await h.rt.store.commit([
      repo.addRole({ openId: secretary.openId, name: '李书记', role: 'secretary', by: ADMIN.openId, now }),
      ...repo.saveCase(null, c),
    ]);
  });
  afterAll(async () => h?.close());

  it(`「${FOLLOW}」: the scheduler sends nothing at 22:01 on the evening the order was set, then one reminder at Tuesday 09:00`, async () => {
    const tick = async (now: Date) => {
      const r = await h.rt.service.tick(now);
      await h.settle();
      return r.jobs[correctionReminderJob.name];
    };
    expect(await tick(at('2026-03-16', 22, 1))).toBe(0);
    expect(await tick(at('2026-03-17', 7))).toBe(0);
    expect(reminders()).toHaveLength(0);
    expect(await tick(at('2026-03-17', 9))).toBe(1);
    expect(reminders()).toHaveLength(1);
    expect(JSON.stringify(reminders()[0]!.content)).toContain('距整改期限还有 1 天');
    expect(await tick(at('2026-03-17', 9, 1))).toBe(0);
    expect(reminders()).toHaveLength(1);
  });
});
