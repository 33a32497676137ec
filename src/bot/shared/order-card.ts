// The order card the responsible person holds: built from the case, refreshed in every copy by features and jobs.
import { correctionOrderCard, type OrderView } from '../../../cards/correction';
import { businessDate } from '../../calendar';
import { extensionCheck } from '../../cases/access';
import type { Case, Policy } from '../../cases/types';
import { copiesOf } from '../../store/repo-cases';
import { orderAcknowledgedAt } from '../../store/repo-correction';
import type { Ctx } from '../context';
import { nameOf, shanghaiTime } from './names';

/** The order card in the responsible person's chat, updated in place as the correction moves. */
export const orderRef = (caseId: string) => `corr-order:${caseId}`;

export function unitName(policy: Policy, unitId: string | null): string | null {
  if (!unitId) return null;
  return policy.units.find((u) => u.id === unitId)?.name ?? unitId;
}

export async function orderView(ctx: Ctx, c: Case): Promise<OrderView | null> {
  const o = c.correction;
  if (!o) return null;
  const ack = await orderAcknowledgedAt(ctx.repo.db, c.id, o.setAt);
  return {
    policy: ctx.env.policy,
    caseId: c.id,
    number: c.number,
    title: c.facts.title,
    order: o,
    responsibleName: await nameOf(ctx, o.responsible.openId, c),
    unitName: unitName(ctx.env.policy, o.responsible.unitId),
    acknowledgedAt: ack ? shanghaiTime(ack.getTime()) : null,
    canExtend: extensionCheck(c, o.responsible.openId, businessDate(ctx.now)) === null,
  };
}

export async function orderCardFor(ctx: Ctx, c: Case): Promise<object | null> {
  const v = await orderView(ctx, c);
  return v ? correctionOrderCard(v, businessDate(ctx.now)) : null;
}

/** Keeps the order card the responsible person holds in step with the case. */
export async function refreshOrderCard(ctx: Ctx, c: Case): Promise<void> {
  if (!c.correction) return;
  // Every copy the responsible person holds follows the order (its deadline tag, its buttons), not only the newest.
  const copies = await copiesOf(ctx.repo.db, orderRef(c.id));
  if (copies.length === 0) return;
  const cardNow = await orderCardFor(ctx, c);
  if (cardNow) for (const ref of copies) ctx.fx.patch({ ref }, cardNow);
}
