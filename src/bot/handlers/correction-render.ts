// Every correction message the core emits, by template name.
import { escapeMd } from '../../../cards/common';
import {
  completionAcceptedCard,
  completionReturnedCard,
  correctionReminderCard,
  extensionDecidedCard,
  overdueEscalationCard,
  progressReportedCard,
} from '../../../cards/correction';
import { updateCard } from '../../../cards/update';
import { businessDate } from '../../calendar';
import { extensionCheck } from '../../cases/access';
import type { Case } from '../../cases/types';
import type { Ctx } from '../context';
import { nameOf, shanghaiTime } from '../shared/names';
import { orderCardFor, orderRef, unitName } from '../shared/order-card';
import type { Rendered, TemplateRenderers } from '../templates/types';
import { extensionCard, reviewCard } from './correction-view';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

function plainNote(c: Case | undefined, title: string, line: string): Rendered {
  return {
    card: updateCard({
      title,
      lines: [`**案件**：${c?.number ?? ''} ${escapeMd(c?.facts.title ?? '')}`, line],
    }),
  };
}

/** 申请延期 is offered to the responsible person exactly when the core would take the request. */
const canExtend = (ctx: Ctx, c: Case) =>
  !!c.correction && extensionCheck(c, c.correction.responsible.openId, businessDate(ctx.now)) === null;

const head = (c: Case) => ({ caseId: c.id, number: c.number, title: c.facts.title });

export const correctionTemplates = {
  'correction.ordered': async (ctx, { case: c }) => {
    const card = c ? await orderCardFor(ctx, c) : null;
    if (!c || !card) return plainNote(c, '纠错通知', '请按纠错要求整改。');
    return { card, ref: orderRef(c.id) };
  },
  'correction.progress': async (ctx, { intent, case: c }) => {
    const o = c?.correction;
    if (!c || !o) return plainNote(c, '整改进展报告', '整改责任人报告了进展。');
    const last = o.progress.at(-1);
    return {
      card: progressReportedCard({
        ...head(c),
        responsibleName: await nameOf(ctx, o.responsible.openId, c),
        text: str(intent.data?.text) || (last?.text ?? ''),
        at: shanghaiTime(last?.at ?? ctx.now.toISOString()),
        deadline: o.deadline,
      }),
    };
  },
  'correction.extension_requested': async (ctx, { intent, case: c }) => {
    const o = c?.correction;
    const ext = o?.extensions.find((x) => x.id === str(intent.data?.extensionId));
    if (!c || !o || !ext) return plainNote(c, '整改延期申请', '整改责任人申请延期。');
    return { card: await extensionCard(ctx, c, ext, o.deadline) };
  },
  'correction.extension_decided': (ctx, { intent, case: c }) => {
    if (!c?.correction) return plainNote(c, '延期申请结果', '延期申请已处理。');
    return {
      card: extensionDecidedCard({
        ...head(c),
        approved: intent.data?.approved === true,
        deadline: str(intent.data?.deadline) || c.correction.deadline,
        reason: str(intent.data?.reason),
        canExtend: canExtend(ctx, c),
      }),
    };
  },
  'correction.completed': async (ctx, { case: c }) => {
    const done = c?.correction?.completion;
    const card = c && done ? await reviewCard(ctx, c, done) : null;
    if (!card) return plainNote(c, '整改完成，待验收', '整改责任人报告整改完成。');
    return { card };
  },
  'correction.returned': (ctx, { intent, case: c }) => {
    if (!c?.correction) return plainNote(c, '整改完成报告被退回', '请继续整改。');
    return {
      card: completionReturnedCard({
        ...head(c),
        reason: str(intent.data?.reason),
        deadline: c.correction.deadline,
        canExtend: canExtend(ctx, c),
      }),
    };
  },
  'correction.accepted': (_ctx, { case: c }) => ({
    card: completionAcceptedCard({ number: c?.number ?? null, title: c?.facts.title ?? '' }),
  }),
  'correction.reminder': (ctx, { intent, case: c }) => {
    if (!c?.correction) return plainNote(c, '整改期限提醒', '请按期完成整改。');
    return {
      card: correctionReminderCard({
        ...head(c),
        reason: c.correction.reason,
        deadline: str(intent.data?.deadline) || c.correction.deadline,
        daysLeft: num(intent.data?.daysLeft),
        canExtend: canExtend(ctx, c),
      }),
    };
  },
  'correction.overdue': (ctx, { intent, case: c }) => {
    if (!c?.correction) return plainNote(c, '整改已逾期', '请尽快完成整改。');
    return {
      card: correctionReminderCard({
        ...head(c),
        reason: c.correction.reason,
        deadline: str(intent.data?.deadline) || c.correction.deadline,
        daysOverdue: num(intent.data?.daysOverdue),
        canExtend: canExtend(ctx, c),
      }),
    };
  },
  'correction.overdue_escalation': async (ctx, { intent, case: c }) => {
    const o = c?.correction;
    if (!c || !o) return plainNote(c, '纠错整改逾期', '请督促整改。');
    return {
      card: overdueEscalationCard({
        number: c.number,
        title: c.facts.title,
        deadline: str(intent.data?.deadline) || o.deadline,
        daysOverdue: num(intent.data?.daysOverdue),
        responsibleName: await nameOf(ctx, o.responsible.openId, c),
        unitName: unitName(ctx.env.policy, o.responsible.unitId),
      }),
    };
  },
} satisfies Partial<TemplateRenderers>;
