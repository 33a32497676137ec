import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kv } from '../../db/schema';
import { addCalendarDays, atBusinessTime, createCalendar } from '../../src/calendar';
import { decideCase } from '../../src/cases';
import type { Case } from '../../src/cases/types';
import {
  decisionReminderHorizon,
  decisionReminderSlot,
  decisionSteps,
  noticeJobs,
} from '../../src/jobs/notices';
import { defaultPolicy as policy } from '../../src/policy';
import { Repo } from '../../src/store/repo';
import { casesDecisionDueBy } from '../../src/store/repo-cases';
import {
  deliberatingCase,
  investigatingCase,
  investigator,
  secretary,
  submittedCase,
  withFindings,
} from '../cases/fixtures';
import { ADMIN, type Harness, startHarness } from '../support/harness';

const cal = createCalendar();

describe('decision deadline reminders: when and to whom', () => {
  // 2026-03-20 is a Friday; offsets 3, 1, 0 working days → 03-17, 03-19, 03-20 at 09:00.
  const due = '2026-03-20';
  it('fires on the reminder days at or after 09:00 Shanghai, daily after the deadline on working days only', () => {
    expect(decisionReminderSlot(due, atBusinessTime('2026-03-16', 10), policy, cal)).toBeNull();
    expect(decisionReminderSlot(due, atBusinessTime('2026-03-17', 8), policy, cal)).toBeNull();
    expect(decisionReminderSlot(due, atBusinessTime('2026-03-17', 9), policy, cal)).toBe('before:2026-03-17');
    expect(decisionReminderSlot(due, atBusinessTime('2026-03-18', 15), policy, cal)).toBeNull();
    expect(decisionReminderSlot(due, atBusinessTime('2026-03-19', 15), policy, cal)).toBe(
      'before:2026-03-19',
    );
    expect(decisionReminderSlot(due, atBusinessTime('2026-03-20', 9), policy, cal)).toBe('before:2026-03-20');
    expect(decisionReminderSlot(due, atBusinessTime('2026-03-21', 10), policy, cal)).toBeNull(); // Saturday
    expect(decisionReminderSlot(due, atBusinessTime('2026-03-23', 10), policy, cal)).toBe(
      'overdue:2026-03-23',
    );
  });

  it('the job looks only at deadlines up to the horizon, and no deadline after it is ever due a reminder', () => {
    expect(decisionReminderHorizon(atBusinessTime('2026-03-17', 8), policy, cal)).toBeNull();
    // Tuesday 03-17: a reminder 3 working days ahead reaches Friday 03-20; one working day more is kept to spare.
    expect(decisionReminderHorizon(atBusinessTime('2026-03-17', 9), policy, cal)).toBe('2026-03-23');
    // Across the 2026 National Day holiday the horizon reaches past the closed days.
    expect(decisionReminderHorizon(atBusinessTime('2026-09-30', 10), policy, cal)! > '2026-10-08').toBe(true);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * 365 }),
        fc.integer({ min: -40, max: 40 }),
        fc.integer({ min: 0, max: 23 }),
        (d, ahead, hour) => {
          const today = addCalendarDays('2025-01-01', d);
          const dueOn = addCalendarDays(today, ahead);
          const now = atBusinessTime(today, hour);
          const horizon = decisionReminderHorizon(now, policy, cal);
          if (decisionReminderSlot(dueOn, now, policy, cal) !== null)
            expect(horizon !== null && dueOn <= horizon).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('goes to whoever holds the next step, never the subject', () => {
    const unassigned = decideCase(submittedCase(), { type: 'accept' }, secretary, {
      now: new Date('2026-03-02T02:00:00Z'),
      policy,
      calendar: cal,
    });
    if (!unassigned.ok) throw new Error(unassigned.reason);
    expect(decisionSteps(unassigned.state)).toEqual([
      {
        to: { roles: ['secretary', 'clerk'], exclude: ['ou_subject'] },
        step: '尚未指派核查人员，请尽快指派',
      },
    ]);
    expect(decisionSteps(investigatingCase())).toEqual([
      { to: { user: investigator.openId }, step: '请尽快核查并提交核查意见' },
    ]);
    expect(decisionSteps(withFindings())[0]?.step).toBe('核查意见已提交，请发起党组表决');
    const voting = decisionSteps(deliberatingCase(3));
    expect(voting.map((s) => s.to)).toEqual([
      { user: 'ou_secretary' },
      { user: 'ou_pm1' },
      { user: 'ou_pm2' },
      { roles: ['secretary'], exclude: ['ou_subject'] },
    ]);
    expect(voting.at(-1)?.step).toContain('已投 0/3');
  });
});

describe('decision reminder job through the runtime', () => {
  let h: Harness;
  let c: Case;
  beforeAll(async () => {
    h = await startHarness();
    h.emu.addUser({ openId: investigator.openId, name: '赵核查' });
    h.emu.addUser({ openId: 'ou_subject', name: '张执法' });
    const repo = new Repo(h.rt.store.db);
    c = investigatingCase();
    await h.rt.store.commit([
      ...repo.saveCase(null, c),
      repo.addRole({
        openId: investigator.openId,
        role: 'investigator',
        name: '赵核查',
        by: ADMIN.openId,
        now: new Date(),
      }),
    ]);
  });
  afterAll(async () => h?.close());

  it('reminds the investigator once per reminder day and daily once overdue, remembering what it sent', async () => {
    const due = c.decisionDueOn!;
    const job = noticeJobs.find((j) => j.name === 'decision.reminders')!;
    const reminders = () =>
      h.emu
        .messages({ openId: investigator.openId })
        .filter((m) => JSON.stringify(m.content).includes('认定'));
    const dueDay = atBusinessTime(due, 10);
    await h.rt.service.tick(dueDay);
    await h.settle();
    expect(reminders()).toHaveLength(1);
    expect(JSON.stringify(reminders()[0]!.content)).toContain('今天是认定期限');
    expect(reminders()[0]!.urgentTo).toEqual([investigator.openId]);
    await h.rt.service.tick(dueDay);
    await h.settle();
    expect(reminders()).toHaveLength(1);

    const nextWorkingDay = cal.addDays(due, 1, 'working');
    const overdue = await h.rt.service.tick(atBusinessTime(nextWorkingDay, 9, 30));
    await h.settle();
    expect(overdue.jobs[job.name]).toBe(1);
    expect(reminders()).toHaveLength(2);
    expect(JSON.stringify(reminders()[1]!.content)).toContain('已超过认定期限 1 个工作日');
    // The narrowed read: this case is found from three working days before its deadline, not earlier.
    const before = (d: string) => casesDecisionDueBy(h.rt.store.db, ['investigating'], d);
    expect((await before(due)).map((x) => x.id)).toEqual([c.id]);
    expect(await before(cal.addDays(due, -1, 'calendar'))).toEqual([]);
    expect(await casesDecisionDueBy(h.rt.store.db, ['deliberating'], due)).toEqual([]);
    const keys = (await h.rt.store.db.select().from(kv))
      .map((r) => r.key)
      .filter((k) => k.startsWith('decision-reminder:'));
    expect(keys.sort()).toEqual(
      [
        `decision-reminder:${c.id}:${due}:before:${due}`,
        `decision-reminder:${c.id}:${due}:overdue:${nextWorkingDay}`,
      ].sort(),
    );
  });
});
