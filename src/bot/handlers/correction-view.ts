// Reads what the correction cards need (names, receipts, roster choices) and builds them.

import {
  completionReviewCard,
  extensionRequestCard,
  type OrderFormValues,
  orderDefaults,
  orderFormCard,
  type PersonChoice,
} from '../../../cards/correction';
import { businessDate } from '../../calendar';
import { recusedFrom } from '../../cases/access';
import type { Case, CorrectionExtension } from '../../cases/types';
import type { Ctx } from '../context';
import { nameOf, shanghaiTime } from '../shared/names';
import { unitName } from '../shared/order-card';

/** Shown after a secretary's name: the regulation lets them be responsible, but someone else decides. */
export const SECRETARY_RESPONSIBLE_NOTE = '（党组书记：其延期申请和整改验收须由其他党组书记办理）';

/**
 * Who may be made responsible: the subject (the default), then the roster's officers; admins act on no
 * case. A secretary is offered with a note, since the core lets only another secretary decide their
 * extension and accept their completion; a secretary with no other unrecused secretary to decide is
 * left out (the subject excepted: someone else already issued the determination).
 */
export async function responsibleChoices(ctx: Ctx, c: Case): Promise<PersonChoice[]> {
  const roster = await ctx.repo.roster();
  const secretaries = new Set(roster.filter((r) => r.role === 'secretary').map((r) => r.openId));
  const recused = recusedFrom(c);
  const deciders = [...secretaries].filter((id) => !recused.includes(id));
  const note = (openId: string) => (secretaries.has(openId) ? SECRETARY_RESPONSIBLE_NOTE : '');
  const out: PersonChoice[] = [
    {
      openId: c.subjectOpenId,
      name: `${await nameOf(ctx, c.subjectOpenId, c)}（当事人）${note(c.subjectOpenId)}`,
    },
  ];
  const seen = new Set([c.subjectOpenId]);
  for (const r of roster) {
    if (r.role === 'admin' || seen.has(r.openId)) continue;
    seen.add(r.openId);
    if (secretaries.has(r.openId) && !deciders.some((id) => id !== r.openId)) continue;
    const name = r.name ?? (await nameOf(ctx, r.openId, c));
    out.push({ openId: r.openId, name: `${name}${note(r.openId)}` });
  }
  return out;
}

export function defaultOrderValues(ctx: Ctx, c: Case): OrderFormValues {
  const { policy, calendar } = ctx.env;
  return orderDefaults(policy, c, calendar.deadline(businessDate(ctx.now), policy.correction.defaultPeriod));
}

export async function orderForm(
  ctx: Ctx,
  c: Case,
  values: OrderFormValues = defaultOrderValues(ctx, c),
  error?: string,
): Promise<object> {
  return orderFormCard({
    policy: ctx.env.policy,
    caseId: c.id,
    number: c.number,
    title: c.facts.title,
    people: await responsibleChoices(ctx, c),
    values,
    ...(error ? { error } : {}),
  });
}

/** Art. 15: the determination requires correction; the secretary sets the order at once. */
export async function sendOrderForm(ctx: Ctx, c: Case, toOpenId: string): Promise<void> {
  ctx.fx.send({ openId: toOpenId }, await orderForm(ctx, c));
}

export async function extensionCard(
  ctx: Ctx,
  c: Case,
  ext: CorrectionExtension,
  deadline: string,
  error?: string,
): Promise<object> {
  return extensionRequestCard({
    caseId: c.id,
    number: c.number,
    title: c.facts.title,
    responsibleName: await nameOf(ctx, ext.requestedBy, c),
    deadline,
    ext,
    requestedAt: shanghaiTime(ext.requestedAt),
    ...(ext.decidedBy ? { decidedBy: await nameOf(ctx, ext.decidedBy, c) } : {}),
    ...(ext.decidedAt ? { decidedAt: shanghaiTime(ext.decidedAt) } : {}),
    ...(error ? { error } : {}),
  });
}

export async function reviewCard(
  ctx: Ctx,
  c: Case,
  completion: { text: string; evidence: { name: string }[]; at: string },
  decided?: { accepted: boolean; by: string; at: string; reason?: string },
  error?: string,
): Promise<object | null> {
  const o = c.correction;
  if (!o) return null;
  return completionReviewCard({
    caseId: c.id,
    number: c.number,
    title: c.facts.title,
    policy: ctx.env.policy,
    order: o,
    responsibleName: await nameOf(ctx, o.responsible.openId, c),
    unitName: unitName(ctx.env.policy, o.responsible.unitId),
    reportedAt: shanghaiTime(completion.at),
    completion: { text: completion.text, evidence: completion.evidence.map((e) => e.name) },
    ...(decided
      ? {
          decided: {
            ...decided,
            by: await nameOf(ctx, decided.by, c),
            at: shanghaiTime(decided.at),
          },
        }
      : {}),
    ...(error ? { error } : {}),
  });
}
