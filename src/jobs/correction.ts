import { applyCase, isRefusal } from '../bot/apply';
import { Ctx } from '../bot/context';
import { SYSTEM_ACTOR } from '../bot/shared/names';
import { refreshOrderCard } from '../bot/shared/order-card';
import {
  correctionReminderHorizon,
  correctionRemindersDue,
  inCorrectionReminderHour,
} from '../cases/correction';
import { decideCase } from '../cases/decide';
import type { Case } from '../cases/types';
import { Repo } from '../store/repo';
import { correctionCasesDueBy } from '../store/repo-correction';
import { eachDue, type Job } from './types';

/**
 * Art. 15–16 reminders: before the deadline on the policy's working days at 09:00 Shanghai, then a daily
 * overdue reminder and one escalation to the party group. The core decides what is due and records what
 * was sent on the case, so a second tick at the same instant finds nothing due.
 */
export const correctionReminderJob: Job = {
  name: 'correction.reminders',
  async run({ store, bot, runUnit }, now) {
    const env = { now, policy: bot.policy, calendar: bot.calendar };
    // Outside the reminder hour nothing is due on any order: the open cases need not be read.
    if (!inCorrectionReminderHour(env)) return 0;
    const reader = new Repo(store.db);
    return eachDue(await correctionCasesDueBy(store.db, correctionReminderHorizon(env)), async (id) => {
      const first = await reader.getCase(id);
      if (!first || correctionRemindersDue(first, env).intents.length === 0) return false;
      // The first attempt decides on the case just read; one that lost a race reads it again.
      let fresh: Case | undefined = first;
      const fx = await runUnit(
        `correction:${first.id}`,
        async (fx) => {
          const ctx = new Ctx(fx, new Repo(fx.db), bot);
          const c = fresh ?? (await ctx.repo.getCase(id));
          fresh = undefined;
          if (!c) return;
          const due = correctionRemindersDue(c, ctx.env);
          if (due.intents.length === 0) return;
          const r = await applyCase(
            ctx,
            c,
            decideCase(c, { type: 'follow_up_correction' }, SYSTEM_ACTOR, ctx.env),
          );
          // Once overdue, the order card loses 申请延期 and turns red.
          if (!isRefusal(r) && due.overdueReminderOn) await refreshOrderCard(ctx, r);
          fx.outcome = due.intents.map((i) => (i.kind === 'tell' ? i.template : i.kind)).join(',');
        },
        now,
      );
      return fx.writes.length > 0;
    });
  },
};

export const correctionJobs: Job[] = [correctionReminderJob];
