import { decideCase } from '../cases/decide';
import type { CaseCommand } from '../cases/types';
import { lastDeliveryError } from '../store/repo-deliberation';
import { applyCase } from './apply';
import type { Ctx } from './context';
import { SYSTEM_ACTOR } from './shared/names';

// `notice:<case id>:<notice id>`, with `#<n>` when one notice went to several people.
const NOTICE_REF = /^notice:(.+):([^:#]+)(?:#\d+)?$/;

/**
 * Told after an outbox row with a ref was delivered or failed for good, as its own unit of work:
 * an art. 13 notice's delivery or failure is recorded on its case (the 7-day follow-up reads it).
 */
export async function onMessageSettled(
  ctx: Ctx,
  ref: string,
  outcome: 'delivered' | 'failed',
): Promise<void> {
  const m = NOTICE_REF.exec(ref);
  if (!m) return;
  const [, caseId = '', noticeId = ''] = m;
  const c = await ctx.repo.getCase(caseId);
  if (!c?.notices.some((n) => n.id === noticeId)) return;
  const cmd: CaseCommand =
    outcome === 'delivered'
      ? { type: 'notice_delivered', noticeId }
      : { type: 'notice_failed', noticeId, error: (await lastDeliveryError(ctx.fx.db, ref)) ?? 'failed' };
  const d = decideCase(c, cmd, SYSTEM_ACTOR, ctx.env);
  if (!d.ok || d.state === c) return;
  await applyCase(ctx, c, d);
  ctx.fx.outcome = `notice-${outcome}`;
}
