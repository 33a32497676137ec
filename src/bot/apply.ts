import type { Case, Decision, Refusal, Report } from '../cases/types';
import type { Write } from '../store';
import type { Ctx } from './context';
import { emitIntents } from './intents';

/**
 * Records a case decision on the handler's Effects: the versioned state write, its audit entries and
 * its messages, all in the one commit. A refusal is returned for the caller to show.
 */
export async function applyCase(
  ctx: Ctx,
  before: Case | null,
  d: Decision<Case>,
  extra: Write[] = [],
): Promise<Refusal | Case> {
  if (!d.ok) return d;
  ctx.fx.write(...ctx.repo.saveCase(before, d.state), ...extra);
  for (const a of d.audit)
    ctx.fx.audit({
      actor: a.actorOpenId,
      action: a.action,
      subject: a.subject,
      before: a.before,
      after: a.after,
    });
  await emitIntents(ctx, d.intents, { case: d.state });
  return d.state;
}

export async function applyReport(
  ctx: Ctx,
  before: Report | null,
  d: Decision<Report>,
  extra: Write[] = [],
): Promise<Refusal | Report> {
  if (!d.ok) return d;
  ctx.fx.write(...ctx.repo.saveReport(before, d.state), ...extra);
  for (const a of d.audit)
    ctx.fx.audit({
      actor: a.actorOpenId,
      action: a.action,
      subject: a.subject,
      before: a.before,
      after: a.after,
    });
  await emitIntents(ctx, d.intents, { report: d.state });
  return d.state;
}

export const isRefusal = (x: unknown): x is Refusal =>
  typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false;
