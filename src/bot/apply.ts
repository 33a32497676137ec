import type { Case, Decision, Refusal, Report } from '../cases/types';
import type { Write } from '../store';
import type { Ctx } from './context';
import { caseDocuments } from './documents';
import { emitIntents } from './intents';
import { liveCards } from './templates';

/** The state write, its audit entries and its messages go onto the handler's Effects: one commit. */
async function record<S>(ctx: Ctx, d: Decision<S>, writes: Write[], state: { case?: Case; report?: Report }) {
  if (!d.ok) return;
  ctx.fx.write(...writes);
  for (const a of d.audit) {
    ctx.fx.audit({
      actor: a.actorOpenId,
      action: a.action,
      subject: a.subject,
      before: a.before,
      after: a.after,
    });
  }
  await emitIntents(ctx, d.intents, state);
}

/** Records a case decision (versioned write, audit, messages); a refusal is returned for the caller to show. */
export async function applyCase(
  ctx: Ctx,
  before: Case | null,
  d: Decision<Case>,
  extra: Write[] = [],
): Promise<Refusal | Case> {
  if (!d.ok) return d;
  ctx.fx.saveCase(ctx.repo, before, d.state);
  await record(ctx, d, extra, { case: d.state });
  await caseDocuments(ctx, before, d.state, d.audit);
  // Any change to a case may change what a 我的案件 or 待办 list shows.
  liveCards.lists(ctx, d.state);
  return d.state;
}

/** Records a report decision the same way. */
export async function applyReport(
  ctx: Ctx,
  before: Report | null,
  d: Decision<Report>,
  extra: Write[] = [],
): Promise<Refusal | Report> {
  if (!d.ok) return d;
  await record(ctx, d, [...ctx.repo.saveReport(before, d.state), ...extra], { report: d.state });
  return d.state;
}

export const isRefusal = (x: unknown): x is Refusal =>
  typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false;
