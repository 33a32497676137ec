// Art. 15–16 in chat: the secretary sets the order, the responsible person acknowledges, reports progress,
// applies for an extension and reports completion with evidence; the secretary decides each with a card.

import { CARD_ACTIONS, caseRef } from '../../../cards/actions';
import { clip, escapeMd } from '../../../cards/common';
import {
  CORRECTION_ACTIONS as A,
  completionFormCard,
  correctionOrderCard,
  evidenceAddedCard,
  extensionFormCard,
  type OrderFormValues,
  orderSetCard,
  progressFormCard,
  submittedCard,
} from '../../../cards/correction';
import { businessDate } from '../../calendar';
import {
  addresseeCheck,
  canView,
  extensionCheck,
  responsibleCheck,
  secretaryCheck,
} from '../../cases/access';
import { decideCase } from '../../cases/decide';
import type { Attachment, Case, CaseCommand, Refusal } from '../../cases/types';
import type { CardAction } from '../../lark/envelope';
import {
  acknowledgeOrder,
  completionDraft,
  endCompletionDraft,
  openConversations,
  orderAcknowledgedAt,
  saveCompletionDraft,
} from '../../store/repo-correction';
import { applyCase, isRefusal } from '../apply';
import type { Ctx } from '../context';
import { textOf } from '../shared/form-values';
import { shanghaiTime } from '../shared/names';
import { orderCardFor, orderRef, orderView, refreshOrderCard } from '../shared/order-card';
import { parseOrderForm, pickedDate, toOrderInput } from './correction-forms';
import { extensionCard, orderForm, responsibleChoices, reviewCard, sendOrderForm } from './correction-view';
import { answer, type Feature, type Said } from './types';

const caseValue = caseRef;
const extValue = CARD_ACTIONS[A.decideExtension];
const reviewValue = CARD_ACTIONS[A.review];

const STALE = '该卡片已过期或操作无效，请发送「待办」查看需要处理的事项。';

function refused(ctx: Ctx, reason: string): void {
  ctx.fx.outcome = 'refused';
  ctx.fx.toast('error', reason);
}

async function loadCase(ctx: Ctx, a: CardAction): Promise<Case | undefined> {
  const v = caseValue.safeParse(a.value);
  return v.success ? ctx.repo.getCase(v.data.case) : undefined;
}

async function run(ctx: Ctx, c: Case, cmd: CaseCommand, openId: string): Promise<Case | Refusal> {
  const d = decideCase(c, cmd, await ctx.actor(openId), ctx.env);
  if (d.ok && d.state === c) return c;
  return applyCase(ctx, c, d);
}

/** Someone without the right sees only the refusal; the person filling a form keeps what they typed. */
const onlyToast = (r: Refusal) => r.code === 'forbidden' || r.code === 'recused';

// ── the secretary sets the order (art. 15, 16) ──

async function openOrderForm(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c) return refused(ctx, STALE);
  const denied = secretaryCheck(c, await ctx.actor(a.operatorOpenId), '下达纠错通知');
  if (denied) return refused(ctx, denied.reason);
  if (c.correction) return refused(ctx, '本案已经下达纠错通知，无需重复设定。');
  if (c.status !== 'decided' || !c.determination?.correctionRequired)
    return refused(ctx, '本案认定结论没有要求纠错，或尚未作出认定。');
  await sendOrderForm(ctx, c, a.operatorOpenId);
  ctx.fx.toast('success', '「设定纠错事项」表单已私信发送');
}

async function setOrder(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c) return refused(ctx, STALE);
  // The form carries case data: it is shown again only to someone who may set the order.
  const denied = secretaryCheck(c, await ctx.actor(a.operatorOpenId), '下达纠错通知');
  if (denied) return refused(ctx, denied.reason);
  const values: OrderFormValues = parseOrderForm(a.formValue ?? {}, ctx.env.policy);
  const again = async (error: string) => {
    refused(ctx, error);
    ctx.fx.card(await orderForm(ctx, c, values, error));
  };
  const input = toOrderInput(values);
  if (typeof input === 'string') return again(input);
  const people = await responsibleChoices(ctx, c);
  if (!people.some((p) => p.openId === input.responsible.openId))
    return again('「整改责任人」须从列表中选择（当事人或名册中的人员）。');
  const r = await run(ctx, c, { type: 'set_correction_order', order: input }, a.operatorOpenId);
  if (isRefusal(r)) return onlyToast(r) || r.code === 'duplicate' ? refused(ctx, r.reason) : again(r.reason);
  const v = await orderView(ctx, r);
  ctx.fx.toast('success', '纠错通知已下达，已私信通知整改责任人');
  if (v) ctx.fx.card(orderSetCard(v));
}

// ── where a correction stands, for whoever may see it (待办, progress notes) ──

async function openCorrection(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c) return refused(ctx, STALE);
  const me = a.operatorOpenId;
  const actor = await ctx.actor(me);
  const o = c.correction;
  const secretary = secretaryCheck(c, actor, '审批纠错事项') === null;
  const to = { openId: me };
  if (secretary && !o && c.status === 'decided' && c.determination?.correctionRequired) {
    await sendOrderForm(ctx, c, me);
    return void ctx.fx.toast('success', '「设定纠错事项」表单已私信发送');
  }
  if (!o) return refused(ctx, '本案没有纠错通知。');
  if (addresseeCheck(c, me, '查看纠错通知') === null) {
    const card = await orderCardFor(ctx, c);
    // Sent again under its ref, so later updates reach this copy.
    if (card) ctx.fx.send(to, card, `${orderRef(c.id)}#${ctx.deps.newId('m')}`);
    return void ctx.fx.toast('success', '纠错通知已私信发送');
  }
  if (secretary) {
    const pending = o.extensions.find((x) => x.status === 'pending');
    if (pending) ctx.fx.send(to, await extensionCard(ctx, c, pending, o.deadline));
    if (o.completion) {
      const review = await reviewCard(ctx, c, o.completion);
      if (review) ctx.fx.send(to, review);
    }
    if (pending || o.completion) return void ctx.fx.toast('success', '待审批的事项已私信发送');
  }
  if (!secretary && !canView(c, actor))
    return refused(ctx, '只有整改责任人、党组成员和经办人可以查看纠错事项。');
  const v = await orderView(ctx, c);
  if (v) ctx.fx.send(to, orderSetCard(v));
  ctx.fx.toast('success', '纠错通知已私信发送');
}

// ── the responsible person ──

/** What each of the responsible person's forms opens with: the case and the deadline in force. */
function formHead(ctx: Ctx, c: Case, deadline: string) {
  return { policy: ctx.env.policy, caseId: c.id, number: c.number, title: c.facts.title, deadline };
}

async function acknowledge(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  const o = c?.correction;
  if (!c || !o) return refused(ctx, STALE);
  const denied = addresseeCheck(c, a.operatorOpenId, '确认收到纠错通知');
  if (denied) return refused(ctx, denied.reason);
  const v = await orderView(ctx, c);
  if (!v) return refused(ctx, STALE);
  if (await orderAcknowledgedAt(ctx.repo.db, c.id, o.setAt)) {
    ctx.fx.toast('info', '您此前已确认收到');
  } else {
    ctx.fx.write(...acknowledgeOrder(ctx.repo.db, c.id, o.setAt, ctx.now));
    ctx.fx.audit({
      actor: a.operatorOpenId,
      action: 'correction.acknowledged',
      subject: `case:${c.id}`,
      after: { setAt: o.setAt },
    });
    v.acknowledgedAt = shanghaiTime(ctx.now.getTime());
    ctx.fx.toast('success', '已确认收到纠错通知，请按期完成整改');
  }
  ctx.fx.card(correctionOrderCard(v, businessDate(ctx.now)));
}

async function openProgressForm(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c?.correction) return refused(ctx, STALE);
  const denied = responsibleCheck(c, a.operatorOpenId, '报告整改进展');
  if (denied) return refused(ctx, denied.reason);
  ctx.fx.send({ openId: a.operatorOpenId }, progressFormCard(formHead(ctx, c, c.correction.deadline)));
  ctx.fx.toast('info', '请在「报告整改进展」卡片中填写');
}

async function reportProgress(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c?.correction) return refused(ctx, STALE);
  const typed = textOf(a.formValue?.text);
  const r = await run(ctx, c, { type: 'report_progress', text: typed }, a.operatorOpenId);
  if (isRefusal(r)) {
    if (r.code !== 'invalid') return refused(ctx, r.reason);
    refused(ctx, r.reason);
    return void ctx.fx.card(
      progressFormCard({ ...formHead(ctx, c, c.correction.deadline), text: typed, error: r.reason }),
    );
  }
  await refreshOrderCard(ctx, r);
  ctx.fx.toast('success', '整改进展已报告党组书记');
  ctx.fx.card(
    submittedCard({
      title: '整改进展已报告',
      number: r.number,
      caseTitle: r.facts.title,
      lines: [`**进展**：${escapeMd(clip(typed, 1500))}`, `**整改期限**：${r.correction?.deadline ?? ''}`],
    }),
  );
}

async function openCompletionForm(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c?.correction) return refused(ctx, STALE);
  const me = a.operatorOpenId;
  const denied = responsibleCheck(c, me, '报告整改完成');
  if (denied) return refused(ctx, denied.reason);
  const draft = await completionDraft(ctx.repo.db, me, c.id);
  const evidence = draft?.evidence ?? [];
  // Opening the form (again) marks it as what the next files sent in the chat belong to.
  ctx.fx.write(...saveCompletionDraft(ctx.repo.db, me, draft, { caseId: c.id, evidence }, ctx.now));
  ctx.fx.send(
    { openId: me },
    completionFormCard({
      ...formHead(ctx, c, c.correction.deadline),
      evidence: evidence.map((e) => e.name),
    }),
  );
  ctx.fx.toast('info', '请发送证明材料，并在「报告整改完成」卡片中填写完成情况');
}

async function reportCompletion(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c?.correction) return refused(ctx, STALE);
  const me = a.operatorOpenId;
  const typed = textOf(a.formValue?.text);
  const draft = await completionDraft(ctx.repo.db, me, c.id);
  const evidence = draft?.evidence ?? [];
  const r = await run(ctx, c, { type: 'report_completion', text: typed, evidence }, me);
  if (isRefusal(r)) {
    if (r.code !== 'invalid' && r.code !== 'incomplete') return refused(ctx, r.reason);
    const error =
      r.code === 'incomplete' ? `${r.reason}请直接在本对话中发送文件或图片，然后再次提交。` : r.reason;
    refused(ctx, error);
    return void ctx.fx.card(
      completionFormCard({
        ...formHead(ctx, c, c.correction.deadline),
        evidence: evidence.map((e) => e.name),
        text: typed,
        error,
      }),
    );
  }
  ctx.fx.write(endCompletionDraft(ctx.repo.db, me, { caseId: c.id }));
  await refreshOrderCard(ctx, r);
  ctx.fx.toast('success', '整改完成报告已提交，等待党组书记验收');
  ctx.fx.card(
    submittedCard({
      title: '整改完成报告已提交',
      number: r.number,
      caseTitle: r.facts.title,
      lines: [
        `**完成情况**：${escapeMd(clip(typed, 1500))}`,
        `**证明材料**：${evidence.length} 份（${evidence.map((e) => escapeMd(clip(e.name, 40))).join('、')}）`,
        '党组书记验收后会通知你。',
      ],
    }),
  );
}

/** Files and images sent in the direct chat while a completion report is being prepared attach to it. */
async function attachEvidence(ctx: Ctx, said: Said): Promise<boolean> {
  const key = said.kind === 'file' ? said.file?.fileKey : said.imageKey;
  if (!key) return false;
  const db = ctx.repo.db;
  // The conversation the person moved last takes the file: a guided one (intake, report) or a completion report.
  const { drafts, guidedFirst } = await openConversations(db, said.openId);
  if (guidedFirst || drafts.length === 0) return false;
  // The file belongs to the completion form opened (or added to) last; drafts whose order ended are dropped.
  let draft: (typeof drafts)[number] | undefined;
  let c: Case | undefined;
  for (const d of drafts) {
    const found = await ctx.repo.getCase(d.caseId);
    if (found && !responsibleCheck(found, said.openId, '报告整改完成')) {
      draft = d;
      c = found;
      break;
    }
    ctx.fx.write(endCompletionDraft(db, said.openId, d));
  }
  if (!draft || !c) return false;
  const attachment: Attachment = {
    kind: said.kind === 'image' ? 'image' : 'file',
    messageId: said.messageId ?? '',
    key,
    name:
      said.kind === 'file' && said.file?.fileName
        ? said.file.fileName
        : `图片${draft.evidence.filter((e) => e.kind === 'image').length + 1}`,
  };
  const evidence = draft.evidence.some((e) => e.key === key)
    ? draft.evidence
    : [...draft.evidence, attachment];
  ctx.fx.write(...saveCompletionDraft(db, said.openId, draft, { caseId: c.id, evidence }, ctx.now));
  ctx.fx.outcome = 'correction:evidence-attached';
  answer(
    ctx,
    said,
    evidenceAddedCard({
      caseId: c.id,
      number: c.number,
      title: c.facts.title,
      name: attachment.name,
      count: evidence.length,
      otherDrafts: drafts.filter((d) => d.caseId !== c.id).length,
    }),
  );
  return true;
}

async function openExtensionForm(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  const o = c?.correction;
  if (!c || !o) return refused(ctx, STALE);
  const denied = extensionCheck(c, a.operatorOpenId, businessDate(ctx.now));
  if (denied) return refused(ctx, denied.reason);
  ctx.fx.send({ openId: a.operatorOpenId }, extensionFormCard(formHead(ctx, c, o.deadline)));
  ctx.fx.toast('info', '请在「申请延长整改期限」卡片中填写');
}

async function requestExtension(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  const o = c?.correction;
  if (!c || !o) return refused(ctx, STALE);
  // The form carries case data: it is shown again only to the responsible person.
  const denied = responsibleCheck(c, a.operatorOpenId, '申请延期');
  if (denied) return refused(ctx, denied.reason);
  const reason = textOf(a.formValue?.reason);
  const newDeadline = pickedDate(a.formValue?.new_deadline);
  const again = (error: string) => {
    refused(ctx, error);
    ctx.fx.card(
      extensionFormCard({
        ...formHead(ctx, c, o.deadline),
        reason,
        newDeadline: newDeadline || null,
        error,
      }),
    );
  };
  if (newDeadline === '') return again('请选择「申请延长至」的日期。');
  const r = await run(
    ctx,
    c,
    { type: 'request_extension', extensionId: ctx.deps.newId('ext'), reason, newDeadline },
    a.operatorOpenId,
  );
  if (isRefusal(r)) return r.code === 'invalid' ? again(r.reason) : refused(ctx, r.reason);
  await refreshOrderCard(ctx, r);
  ctx.fx.toast('success', '延期申请已提交，等待党组书记审批');
  ctx.fx.card(
    submittedCard({
      title: '延期申请已提交',
      number: r.number,
      caseTitle: r.facts.title,
      lines: [
        `**现在的整改期限**：${o.deadline}`,
        `**申请延长至**：${newDeadline}`,
        `**延期理由**：${escapeMd(clip(reason, 1000))}`,
        '审批结果会私信通知你；在批准前，请仍按现在的期限推进整改。',
      ],
    }),
  );
}

// ── the secretary decides ──

async function decideExtension(ctx: Ctx, a: CardAction): Promise<void> {
  const v = extValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  const c = await ctx.repo.getCase(v.data.case);
  const o = c?.correction;
  const ext = o?.extensions.find((x) => x.id === v.data.ext);
  if (!c || !o || !ext) return refused(ctx, STALE);
  const approve = v.data.v === 'approve';
  const reason = textOf(a.formValue?.reason);
  const r = await run(
    ctx,
    c,
    { type: 'decide_extension', extensionId: ext.id, approve, reason },
    a.operatorOpenId,
  );
  if (isRefusal(r)) {
    refused(ctx, r.reason);
    if (r.code === 'invalid') ctx.fx.card(await extensionCard(ctx, c, ext, o.deadline, r.reason));
    else if (r.code === 'duplicate') ctx.fx.card(await extensionCard(ctx, c, ext, o.deadline));
    return;
  }
  const decided = r.correction?.extensions.find((x) => x.id === ext.id);
  await refreshOrderCard(ctx, r);
  ctx.fx.toast(
    'success',
    approve ? `已批准延期，整改期限改为 ${ext.newDeadline}` : '已不予批准，并通知整改责任人',
  );
  if (decided) ctx.fx.card(await extensionCard(ctx, r, decided, o.deadline));
}

async function reviewCompletion(ctx: Ctx, a: CardAction): Promise<void> {
  const v = reviewValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  const c = await ctx.repo.getCase(v.data.case);
  const o = c?.correction;
  if (!c || !o) return refused(ctx, STALE);
  const accept = v.data.v === 'accept';
  const reason = textOf(a.formValue?.reason);
  const completion = o.completion;
  const cmd: CaseCommand = accept ? { type: 'accept_completion' } : { type: 'return_completion', reason };
  const r = await run(ctx, c, cmd, a.operatorOpenId);
  if (isRefusal(r)) {
    refused(ctx, r.reason);
    if (r.code === 'invalid' && completion) {
      const form = await reviewCard(ctx, c, completion, undefined, r.reason);
      if (form) ctx.fx.card(form);
    }
    return;
  }
  await refreshOrderCard(ctx, r);
  ctx.fx.toast('success', accept ? '已验收通过，案件办结' : '已退回整改，并通知整改责任人');
  if (completion) {
    const decided = { accepted: accept, by: a.operatorOpenId, at: ctx.now.toISOString(), reason };
    const done = await reviewCard(ctx, r, completion, decided);
    if (done) ctx.fx.card(done);
  }
}

export const correctionFeature: Feature = {
  name: 'correction',
  async onMessage(ctx, said) {
    if (said.chatType !== 'p2p' || (said.kind !== 'file' && said.kind !== 'image')) return false;
    return attachEvidence(ctx, said);
  },
  actions: {
    [A.orderForm]: openOrderForm,
    [A.order]: setOrder,
    [A.open]: openCorrection,
    [A.ack]: acknowledge,
    [A.progressForm]: openProgressForm,
    [A.progress]: reportProgress,
    [A.completeForm]: openCompletionForm,
    [A.complete]: reportCompletion,
    [A.extendForm]: openExtensionForm,
    [A.extend]: requestExtension,
    [A.decideExtension]: decideExtension,
    [A.review]: reviewCompletion,
  },
};
