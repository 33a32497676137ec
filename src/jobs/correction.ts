import { applyCase, isRefusal } from '../bot/apply';
import { SYSTEM_ACTOR } from '../bot/shared/names';
import { refreshOrderCard } from '../bot/shared/order-card';
import {
  correctionReminderHorizon,
  correctionRemindersDue,
  inCorrectionReminderHour,
} from '../cases/correction';
import { decideCase } from '../cases/decide';
import { correctionCasesDueBy } from '../store/repo-correction';
import type { CaseStep } from './case-steps';

/**
 * Art. 15–16 reminders: before the deadline on the policy's working days at 09:00 Shanghai, then a daily
 * overdue reminder and one escalation to the party group. The core decides what is due and records what
 * was sent on the case, so a second tick at the same instant finds nothing due. It runs as a step beside the
 * art. 13 notice follow-ups (see `caseFollowUpJob` in ./index.ts): a case due for both is changed once.
 */
export const correctionReminderJob: CaseStep = {
  name: 'correction.reminders',
  async candidates({ store }, env) {
    // Outside the reminder hour nothing is due on any order: the open cases need not be read.
    if (!inCorrectionReminderHour(env)) return [];
    return correctionCasesDueBy(store.db, correctionReminderHorizon(env));
  },
  due: (c, env) => correctionRemindersDue(c, env).intents.length > 0,
  async act(ctx, c) {
    const due = correctionRemindersDue(c, ctx.env);
    if (due.intents.length === 0) return null;
    const r = await applyCase(ctx, c, decideCase(c, { type: 'follow_up_correction' }, SYSTEM_ACTOR, ctx.env));
    if (isRefusal(r)) return null;
    // Once overdue, the order card loses 申请延期 and turns red.
    if (due.overdueReminderOn) await refreshOrderCard(ctx, r);
    return { case: r, outcome: due.intents.map((i) => (i.kind === 'tell' ? i.template : i.kind)).join(',') };
  },
};
