import { applyCase, isRefusal } from '../bot/apply';
import { Ctx } from '../bot/context';
import { emitIntents } from '../bot/intents';
import { SYSTEM_ACTOR } from '../bot/shared/names';
import { atBusinessTime, type BusinessCalendar, businessDate, reminderInstants } from '../calendar';
import { recusedFrom } from '../cases/access';
import { decideCase } from '../cases/decide';
import { noticesDue } from '../cases/notices';
import type { Case, CaseStatus, Env, Intent, Recipient } from '../cases/types';
import type { Policy } from '../policy';
import { Repo } from '../store/repo';
import { casesDecisionDueBy } from '../store/repo-cases';
import { casesWithOpenNotices, remember, remembered } from '../store/repo-deliberation';
import type { CaseStep } from './case-steps';
import { eachDue, type Job } from './types';

/** Re-sends, reminders and escalations go out in office hours (from 09:00 Shanghai), not at midnight. */
const inOfficeHours = (env: Env) =>
  env.now >= atBusinessTime(businessDate(env.now), env.policy.correction.reminderHour);

/** The notice follow-ups due on `c` now: none outside office hours, whichever job's candidate it is. */
const noticesDueNow = (c: Case, env: Env) => (inOfficeHours(env) ? noticesDue(c, env) : []);

/**
 * Art. 13: a notice not delivered or not acknowledged is re-sent after `notice.retryAfterDays` and the
 * clerks are told; on the last day it is escalated to the secretary and clerks. The core decides what
 * is due and records each attempt on the case, so a second tick at the same time does nothing. It runs as a
 * step beside the art. 15–16 correction reminders (see `caseFollowUpJob` in ./index.ts).
 */
export const noticeFollowUpJob: CaseStep = {
  name: 'notices.follow_up',
  async candidates({ store }, env) {
    return inOfficeHours(env) ? casesWithOpenNotices(store.db) : [];
  },
  due: (c, env) => noticesDueNow(c, env).length > 0,
  async act(ctx, c) {
    const due = noticesDueNow(c, ctx.env);
    if (due.length === 0) return null;
    const r = await applyCase(ctx, c, decideCase(c, { type: 'follow_up_notices' }, SYSTEM_ACTOR, ctx.env));
    if (isRefusal(r)) return null;
    const items = due.flatMap((x) => {
      const n = c.notices.find((y) => y.id === x.noticeId);
      return n && x.action !== 'escalate' ? [{ target: n.target, action: x.action, dueOn: n.dueOn }] : [];
    });
    if (items.length > 0) {
      // The clerk follows notices up; with no clerk on the roster the secretary hears it.
      const recused = recusedFrom(c);
      const clerks = (await ctx.repo.withRole('clerk')).filter((x) => !recused.includes(x.openId));
      const to: Recipient = {
        roles: clerks.length > 0 ? ['clerk'] : ['secretary'],
        exclude: recused,
      };
      await emitIntents(
        ctx,
        [{ kind: 'tell', to, template: 'notice.follow_up', caseId: c.id, data: { items } }],
        { case: r },
      );
    }
    return { case: r, outcome: due.map((x) => `${x.noticeId}:${x.action}`).join(',') };
  },
};

/** Which reminder is due now for a decision deadline, or null: the key it is remembered under. */
export function decisionReminderSlot(
  dueOn: string,
  now: Date,
  policy: Policy,
  cal: BusinessCalendar,
): string | null {
  const today = businessDate(now);
  const hour = policy.correction.reminderHour;
  if (now < atBusinessTime(today, hour)) return null;
  if (today > dueOn) return cal.isWorkingDay(today) ? `overdue:${today}` : null;
  const todays = reminderInstants(dueOn, policy.correction.reminderOffsetsDays, hour, cal).find(
    (at) => businessDate(at) === today,
  );
  return todays ? `before:${today}` : null;
}

/**
 * The latest decision deadline that can have a reminder at `now` (none before the reminder hour): a reminder
 * falls at most the largest offset in working days before its deadline, so later deadlines need no look.
 */
export function decisionReminderHorizon(now: Date, policy: Policy, cal: BusinessCalendar): string | null {
  const today = businessDate(now);
  if (now < atBusinessTime(today, policy.correction.reminderHour)) return null;
  return cal.addDays(today, Math.max(0, ...policy.correction.reminderOffsetsDays) + 1, 'working');
}

/** Whoever holds the next step before the party group can decide. */
export function decisionSteps(c: Case): { to: Recipient; step: string }[] {
  const exclude = recusedFrom(c);
  const secretary: Recipient = { roles: ['secretary'], exclude };
  if (c.status === 'investigating') {
    if (c.investigators.length === 0)
      return [{ to: { roles: ['secretary', 'clerk'], exclude }, step: '尚未指派核查人员，请尽快指派' }];
    if (!c.findings)
      return c.investigators
        .filter((id) => !exclude.includes(id))
        .map((id) => ({ to: { user: id }, step: '请尽快核查并提交核查意见' }));
    return [{ to: secretary, step: '核查意见已提交，请发起党组表决' }];
  }
  const d = c.deliberation;
  if (!d) return [{ to: secretary, step: '请发起党组表决' }];
  if (d.status === 'open') {
    const missing = d.eligibleVoters.filter((id) => !d.votes[id]);
    return [
      ...missing.map((id) => ({ to: { user: id } as Recipient, step: '请在党组群的表决卡片中投票' })),
      {
        to: secretary,
        step: `表决进行中（已投 ${d.eligibleVoters.length - missing.length}/${d.eligibleVoters.length}），请督促表决并适时结束表决`,
      },
    ];
  }
  return [
    {
      to: secretary,
      step: d.result?.carried ? '表决已形成多数意见，请签发认定结论' : '表决未形成多数意见，请重新表决',
    },
  ];
}

const AWAITING_DECISION: CaseStatus[] = ['investigating', 'deliberating'];

/** Reminders as the decision deadline (default 15 working days after acceptance) approaches or passes. */
export const decisionReminderJob: Job = {
  name: 'decision.reminders',
  async run({ store, bot, runUnit }, now) {
    // Only cases whose deadline is passed or close enough to be reminded today, not every open case each minute.
    const lastDueOn = decisionReminderHorizon(now, bot.policy, bot.calendar);
    if (!lastDueOn) return 0;
    return eachDue(await casesDecisionDueBy(store.db, AWAITING_DECISION, lastDueOn), async (first) => {
      const dueOn = first.decisionDueOn;
      if (!dueOn) return false;
      const slot = decisionReminderSlot(dueOn, now, bot.policy, bot.calendar);
      if (!slot) return false;
      const key = `decision-reminder:${first.id}:${dueOn}:${slot}`;
      if (await remembered(store.db, key)) return false;
      const fx = await runUnit(
        `decision-reminder:${first.id}`,
        async (fx) => {
          const ctx = new Ctx(fx, new Repo(fx.db), bot);
          if (await remembered(fx.db, key)) return;
          const c = await ctx.repo.getCase(first.id);
          if (!c || c.decisionDueOn !== dueOn || !AWAITING_DECISION.includes(c.status)) return;
          fx.write(...remember(fx.db, key, now));
          const daysLeft = bot.calendar.daysBetween(businessDate(now), dueOn, 'working');
          const intents: Intent[] = decisionSteps(c).map(({ to, step }) => ({
            kind: 'tell',
            to,
            template: 'decision.reminder',
            caseId: c.id,
            data: { dueOn, daysLeft, step },
            ...(daysLeft <= 0 ? { urgent: true } : {}),
          }));
          await emitIntents(ctx, intents, { case: c });
          fx.outcome = slot;
        },
        now,
      );
      return fx.writes.length > 0;
    });
  },
};

export const noticeJobs: Job[] = [decisionReminderJob];
