import { z } from 'zod';
import { CARD_ACTIONS, caseRef, roundRef } from '../../../cards/actions';
import { escapeMd } from '../../../cards/common';
import { NO_UNIT } from '../../../cards/correction';
import { closeReviewCard, reopenCard, voteLabelOf } from '../../../cards/deliberation';
import {
  ARTICLE12_FIELD,
  BASIS_REASON_FIELD,
  CLOSE_ACTION,
  type IssueValues,
  issuedCard,
  issueFormCard,
  issueReviewCard,
  issueValuesFromCase,
  WAIVER_FIELD,
} from '../../../cards/determination';
import {
  ARTICLES,
  conditionField,
  type FindingsValues,
  factorField,
  findingsSentCard,
  itemsField,
} from '../../../cards/findings';
import { determinationNoticeCard, noticeCompliance } from '../../../cards/notice';
import { todoCard } from '../../../cards/todo';
import { updateCard } from '../../../cards/update';
import { investigatorCheck, secretaryCheck } from '../../cases/access';
import { decideCase } from '../../cases/decide';
import type {
  Case,
  CaseCommand,
  ConditionId,
  CorrectionOrderInput,
  PublicationScope,
  Refusal,
  VoteOption,
} from '../../cases/types';
import type { CardAction } from '../../lark/envelope';
import { applyCase, isRefusal } from '../apply';
import type { Ctx } from '../context';
import { deliberationRef } from '../intents';
import { listOf, textOf } from '../shared/form-values';
import { chatChoices } from '../shared/names';
import { todoItems } from './cases-todo';
import { parseOrderForm, toOrderInput } from './correction-forms';
import { defaultOrderValues, responsibleChoices } from './correction-view';
import { findingsFormFor, namesOf, partyMembers, renderDeliberation } from './deliberation-render';
import type { Feature } from './types';

// ── edge validation of card callbacks ──

const caseValue = caseRef;
const roundValue = roundRef;
const voteValue = CARD_ACTIONS['delib.vote'];
const closeVoteValue = CARD_ACTIONS['delib.close'];
const ackValue = CARD_ACTIONS['notice.ack'];

function refused(ctx: Ctx, reason: string): void {
  ctx.fx.outcome = 'refused';
  ctx.fx.toast('error', reason);
}

const STALE = '该卡片已过期或操作无效，请发送「帮助」重新开始。';

async function loadCase(ctx: Ctx, a: CardAction): Promise<Case | undefined> {
  const v = caseValue.safeParse(a.value);
  if (!v.success) return undefined;
  return ctx.repo.getCase(v.data.case);
}

/** Decides and records; a decision that changes nothing is returned as the same object and writes nothing. */
async function run(ctx: Ctx, c: Case, cmd: CaseCommand, openId: string): Promise<Case | Refusal> {
  const actor = await ctx.actor(openId);
  const d = decideCase(c, cmd, actor, ctx.env);
  if (d.ok && d.state === c) return c;
  return applyCase(ctx, c, d);
}

// ── findings (art. 13: the unit investigates before the party group decides) ──

function findingsValuesFrom(form: Record<string, unknown>, ctx: Ctx): FindingsValues {
  const policy = ctx.deps.policy;
  const items = ARTICLES.flatMap((art) => listOf(form[itemsField(art)]));
  const conditions: Partial<Record<ConditionId, boolean>> = {};
  for (const c of policy.conditions) {
    const v = textOf(form[conditionField(c.id)]);
    if (v === 'yes') conditions[c.id] = true;
    if (v === 'no') conditions[c.id] = false;
  }
  const factors = Object.fromEntries(policy.factors.map((f) => [f.id, textOf(form[factorField(f.id)])]));
  const outcome = textOf(form.outcome);
  return {
    items,
    conditions,
    factors,
    outcome: policy.voteOptions.some((o) => o.id === outcome) ? (outcome as VoteOption) : null,
    errorCategory: textOf(form.error_category) || null,
    enforcementArea: textOf(form.enforcement_area) || null,
    note: textOf(form.note),
  };
}

async function submitFindings(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c) return refused(ctx, STALE);
  // The form carries the case's facts: it is shown again only to the assigned investigator.
  const denied = investigatorCheck(c, await ctx.actor(a.operatorOpenId));
  if (denied) return refused(ctx, denied.reason);
  const values = findingsValuesFrom(a.formValue ?? {}, ctx);
  const again = (error: string) => {
    refused(ctx, error);
    ctx.fx.card(findingsFormFor(ctx, c, values, error));
  };
  if (values.outcome === null) return again('请选择「建议认定结果」。');
  const r = await run(
    ctx,
    c,
    {
      type: 'submit_findings',
      items: values.items,
      conditions: values.conditions,
      factors: values.factors,
      recommendedOutcome: values.outcome,
      ...(values.errorCategory ? { errorCategory: values.errorCategory } : {}),
      ...(values.enforcementArea ? { enforcementArea: values.enforcementArea } : {}),
      note: values.note,
    },
    a.operatorOpenId,
  );
  if (isRefusal(r)) {
    // Someone without the right gets the refusal only; the investigator keeps what was typed.
    if (r.code === 'forbidden' || r.code === 'recused') return refused(ctx, r.reason);
    return again(r.reason);
  }
  ctx.fx.toast('success', '核查意见已提交，已通知党组书记发起表决');
  if (r.findings)
    ctx.fx.card(
      findingsSentCard({
        policy: ctx.deps.policy,
        number: r.number,
        title: r.facts.title,
        findings: r.findings,
      }),
    );
}

/** 待办's way back to the findings form, for the assigned investigator while findings are due. */
async function openFindings(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c) return refused(ctx, STALE);
  const denied = investigatorCheck(c, await ctx.actor(a.operatorOpenId));
  if (denied) return refused(ctx, denied.reason);
  if (c.status !== 'investigating') return refused(ctx, '本案已不在核查阶段，无需再提交核查意见。');
  if (c.findings) return refused(ctx, '本案的核查意见已经提交，请等待党组书记发起表决。');
  ctx.fx.send({ openId: a.operatorOpenId }, findingsFormFor(ctx, c));
  ctx.fx.toast('success', '「核查意见」表单已私信发送给您');
}

// ── deliberation ──

async function openDeliberation(ctx: Ctx, a: CardAction): Promise<void> {
  const c = await loadCase(ctx, a);
  if (!c) return refused(ctx, STALE);
  const actor = await ctx.actor(a.operatorOpenId);
  const denied = secretaryCheck(c, actor, '发起表决');
  if (denied) return refused(ctx, denied.reason);
  if (c.status === 'deliberating' && c.deliberation)
    return refused(ctx, `本案已在党组群中表决（第 ${c.deliberation.round} 轮），请在表决卡片中操作。`);
  if (!(await ctx.repo.chatFor('party')))
    return refused(ctx, '尚未绑定党组群。请管理员在党组群中 @机器人 发送「设为党组群」，然后再发起表决。');
  const r = await run(
    ctx,
    c,
    { type: 'open_deliberation', partyMembers: await partyMembers(ctx) },
    a.operatorOpenId,
  );
  if (isRefusal(r)) return refused(ctx, r.reason);
  const d = r.deliberation;
  ctx.fx.toast('success', '已在党组群中发起表决');
  ctx.fx.card(
    updateCard({
      title: '已发起表决',
      template: 'green',
      lines: [
        `**案件**：${r.number ?? ''} ${escapeMd(r.facts.title)}`,
        `表决卡片已发到党组群，应参加表决 ${d?.eligibleVoters.length ?? 0} 人（当事人依规回避）。`,
      ],
    }),
  );
}

/** The round on the clicked card must be the case's current round, or the card is out of date. */
function currentRound(c: Case, round: number): string | null {
  const d = c.deliberation;
  if (c.status !== 'deliberating' || !d) return '本案已不在表决阶段，该表决卡片已失效。';
  if (d.round !== round)
    return `该卡片是第 ${round} 轮表决，本案已进入第 ${d.round} 轮，请在最新的表决卡片中操作。`;
  return null;
}

async function castVote(ctx: Ctx, a: CardAction): Promise<void> {
  const v = voteValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  // Everything but the case is read first, so a storm of votes conflicts over as short a window as possible.
  await Promise.all([ctx.actor(a.operatorOpenId), namesOf(ctx)]);
  const c = await ctx.repo.getCase(v.data.case);
  if (!c) return refused(ctx, STALE);
  const stale = currentRound(c, v.data.round);
  if (stale) return refused(ctx, stale);
  const comment = textOf(a.formValue?.comment).trim();
  const r = await run(ctx, c, { type: 'vote', option: v.data.v as VoteOption, comment }, a.operatorOpenId);
  if (isRefusal(r)) return refused(ctx, r.reason);
  const label = voteLabelOf(ctx.deps.policy, v.data.v);
  if (r === c) {
    ctx.fx.outcome = 'vote-unchanged';
    ctx.fx.toast('info', `您已投「${label}」，无需重复投票`);
  } else {
    ctx.fx.toast('success', `已记录您的表决：${label}（表决结束前可以改投）`);
  }
  ctx.fx.card(await renderDeliberation(ctx, r));
}

/** Who voted what in a round: the review card carries it, so a vote cast after the review is noticed. */
const votesSeen = (c: Case) =>
  JSON.stringify(
    Object.entries(c.deliberation?.votes ?? {})
      .map(([who, v]) => [who, v.option])
      .sort(),
  );

/**
 * 结束表决: checked first (the secretary, the open round, the quorum), then confirmed on a review card that
 * shows the result it will close on; in the party group the review goes to the secretary's direct chat, as
 * the shared vote card is everyone's.
 */
async function closeVote(ctx: Ctx, a: CardAction): Promise<void> {
  const v = closeVoteValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  const c = await ctx.repo.getCase(v.data.case);
  if (!c) return refused(ctx, STALE);
  const inDm = v.data.src === 'dm';
  const d0 = c.deliberation;
  if (d0?.round === v.data.round && d0.status === 'closed') {
    // Closed already (a second 确认, or a card from before): what the round came to.
    ctx.fx.outcome = 'close-unchanged';
    ctx.fx.toast('info', '本轮表决已经结束');
    ctx.fx.card(inDm ? closedNote(c) : await renderDeliberation(ctx, c));
    return;
  }
  const stale = currentRound(c, v.data.round);
  if (stale) return refused(ctx, stale);
  const checked = decideCase(c, { type: 'close_vote' }, await ctx.actor(a.operatorOpenId), ctx.env);
  if (!checked.ok) return refused(ctx, checked.reason);
  const votes = votesSeen(c);
  if (v.data.step !== 'confirm' || v.data.votes !== votes) {
    const result = checked.state.deliberation?.result;
    if (!result) return refused(ctx, STALE);
    const review = closeReviewCard({
      policy: ctx.deps.policy,
      caseId: c.id,
      number: c.number,
      title: c.facts.title,
      round: v.data.round,
      result,
      votes,
    });
    ctx.fx.outcome = 'close-review';
    if (inDm) ctx.fx.card(review);
    else ctx.fx.send({ openId: a.operatorOpenId }, review);
    const changed = v.data.step === 'confirm' ? '确认前又有成员投票，' : '';
    ctx.fx.toast(
      'info',
      inDm ? `${changed}请核对票数，确认后结束表决` : '请在与容错纠错助手的私聊中核对票数，确认后结束表决',
    );
    return;
  }
  const r = await run(ctx, c, { type: 'close_vote' }, a.operatorOpenId);
  if (isRefusal(r)) return refused(ctx, r.reason);
  const d = r.deliberation;
  if (!d?.result) return;
  const policy = ctx.deps.policy;
  const me = { openId: a.operatorOpenId };
  if (d.result.carried) {
    ctx.fx.send(me, await issueForm(ctx, r, d.result.carried, d.round));
    ctx.fx.toast(
      'success',
      `表决结束：「${voteLabelOf(policy, d.result.carried)}」获得多数通过，签发表单已私信发送`,
    );
  } else {
    ctx.fx.send(me, reopenCard({ policy, caseId: r.id, number: r.number, round: d.round, result: d.result }));
    ctx.fx.toast('warning', '表决结束：没有任何意见获得多数，可以重新表决');
  }
  ctx.fx.card(inDm ? closedNote(r) : await renderDeliberation(ctx, r));
}

function closedNote(c: Case): object {
  const d = c.deliberation;
  return updateCard({
    title: '表决已结束',
    template: 'grey',
    lines: [
      `**案件**：${c.number ?? ''} ${escapeMd(c.facts.title)}`,
      `第 ${d?.round ?? ''} 轮表决已结束，结果见党组群中的表决卡片。`,
    ],
  });
}

async function reopenVote(ctx: Ctx, a: CardAction): Promise<void> {
  const v = roundValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  const c = await ctx.repo.getCase(v.data.case);
  if (!c) return refused(ctx, STALE);
  const stale = currentRound(c, v.data.round);
  if (stale) return refused(ctx, stale);
  const r = await run(
    ctx,
    c,
    { type: 'reopen_vote', partyMembers: await partyMembers(ctx) },
    a.operatorOpenId,
  );
  if (isRefusal(r)) return refused(ctx, r.reason);
  const old = c.deliberation;
  const round = r.deliberation?.round ?? v.data.round + 1;
  const superseded = await renderDeliberation(ctx, r, old, round);
  // The old round's card says where voting went, for everyone in the group.
  if (old) ctx.fx.patch({ ref: deliberationRef(c.id, old.round) }, superseded);
  ctx.fx.toast('success', `已发起第 ${round} 轮表决`);
  ctx.fx.card(
    v.data.src === 'dm'
      ? updateCard({
          title: `已发起第 ${round} 轮表决`,
          template: 'green',
          lines: [`**案件**：${r.number ?? ''} ${escapeMd(r.facts.title)}`, '新的表决卡片已发到党组群。'],
        })
      : superseded,
  );
}

// ── determination (art. 13, 14) ──

async function sendIssueForm(ctx: Ctx, a: CardAction): Promise<void> {
  const v = roundValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  const c = await ctx.repo.getCase(v.data.case);
  if (!c) return refused(ctx, STALE);
  const denied = secretaryCheck(c, await ctx.actor(a.operatorOpenId), '签发认定结论');
  if (denied) return refused(ctx, denied.reason);
  const stale = currentRound(c, v.data.round);
  if (stale) return refused(ctx, c.determination ? '本案认定结论已经签发。' : stale);
  const d = c.deliberation;
  const carried = d?.result?.carried ?? null;
  if (!carried) {
    if (!d?.result) return refused(ctx, '本轮表决尚未结束，请先在表决卡片上结束表决。');
    // No majority: what is left is a new round, so that card is sent rather than a dead end.
    ctx.fx.send(
      { openId: a.operatorOpenId },
      reopenCard({
        policy: ctx.deps.policy,
        caseId: c.id,
        number: c.number,
        round: d.round,
        result: d.result,
      }),
    );
    return void ctx.fx.toast(
      'warning',
      '本轮表决没有形成多数意见，不能签发认定结论；「重新表决」卡片已私信发送',
    );
  }
  ctx.fx.send({ openId: a.operatorOpenId }, await issueForm(ctx, c, carried, v.data.round));
  ctx.fx.toast('success', '签发表单已私信发送给您');
}

/** The issue form: pre-filled from the findings, or as typed with why it was refused. */
async function issueForm(
  ctx: Ctx,
  c: Case,
  carried: VoteOption | null,
  round: number,
  values?: IssueValues,
  error?: string,
): Promise<object> {
  const policy = ctx.deps.policy;
  return issueFormCard({
    policy,
    c,
    carried,
    round,
    chats: await chatChoices(ctx),
    people: await responsibleChoices(ctx, c),
    values: values ?? issueValuesFromCase(policy, c, carried, defaultOrderValues(ctx, c).deadline),
    ...(error ? { error } : {}),
  });
}

/**
 * What the secretary submitted. A field the submission leaves out keeps the value the form was
 * pre-filled with, as Lark submits the form's shown values.
 */
function issueValuesFrom(form: Record<string, unknown>, ctx: Ctx, pre: IssueValues): IssueValues {
  const policy = ctx.deps.policy;
  const outcome = textOf(form.outcome);
  const scope = textOf(form.scope);
  const chat = textOf(form.chat);
  const yes = (field: string, shown: boolean) =>
    form[field] === undefined ? shown : textOf(form[field]) === 'yes';
  const o = pre.order;
  const shownOrder = {
    reason: o.reason,
    requirements: o.requirements,
    suggestions: o.suggestions,
    responsible: o.responsible,
    unit: o.unitId ?? NO_UNIT,
    deadline: o.deadline,
    improve: o.improveRules,
  };
  return {
    outcome: policy.voteOptions.some((o) => o.id === outcome) ? (outcome as VoteOption) : null,
    citedItems: listOf(form.cited),
    reasons: textOf(form.reasons),
    scope: (policy.publicationScopes.some((s) => s.id === scope) ? scope : 'none') as PublicationScope,
    chatId: chat && chat !== 'none' ? chat : null,
    units: listOf(form.units),
    basis: {
      conditions: {
        '10.c1': yes(conditionField('10.c1'), pre.basis.conditions['10.c1']),
        '10.c2': yes(conditionField('10.c2'), pre.basis.conditions['10.c2']),
        '10.c3': yes(conditionField('10.c3'), pre.basis.conditions['10.c3']),
      },
      article12: yes(ARTICLE12_FIELD, pre.basis.article12),
    },
    basisReason: textOf(form[BASIS_REASON_FIELD]),
    correction: textOf(form.correction) !== 'no',
    order: parseOrderForm({ ...shownOrder, ...form }, policy),
    waiver: textOf(form[WAIVER_FIELD]),
  };
}

// What a review card carries back to 确认签发 / 返回修改: the form as it was filled in, checked again like a form.
const reviewedIssue = z.object({
  step: z.enum(['confirm', 'edit']),
  form: z.record(z.string(), z.unknown()),
});

async function issueDetermination(ctx: Ctx, a: CardAction): Promise<void> {
  const v = roundValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  const reviewed = reviewedIssue.safeParse(a.value);
  const review = reviewed.success ? reviewed.data : undefined;
  const c = await ctx.repo.getCase(v.data.case);
  if (!c) return refused(ctx, STALE);
  // The form carries the case's findings: it is shown again only to the secretary.
  const denied = secretaryCheck(c, await ctx.actor(a.operatorOpenId), '签发认定结论');
  if (denied) return refused(ctx, denied.reason);
  if (c.determination) return refused(ctx, '本案认定结论已经签发，无需重复签发。');
  const carried = c.deliberation?.result?.carried ?? null;
  const pre = issueValuesFromCase(ctx.deps.policy, c, carried, defaultOrderValues(ctx, c).deadline);
  const form = review?.form ?? a.formValue ?? {};
  const values = issueValuesFrom(form, ctx, pre);
  const chats = await chatChoices(ctx);
  if (review?.step === 'edit') {
    ctx.fx.card(await issueForm(ctx, c, carried, v.data.round, values));
    return;
  }
  const again = async (error: string) => {
    refused(ctx, error);
    ctx.fx.card(await issueForm(ctx, c, carried, v.data.round, values, error));
  };
  const stale = currentRound(c, v.data.round);
  if (stale) return again(stale);
  if (values.outcome === null) return again('请选择「认定结论」。');
  // Only chats the bot is bound to: a forged callback cannot publish the determination anywhere else.
  if (values.chatId !== null && !chats.some((ch) => ch.chatId === values.chatId))
    return again('只能公开到已绑定的群，请重新选择「群聊」。');
  let correction: CorrectionOrderInput | undefined;
  if (values.correction) {
    const input = toOrderInput(values.order);
    if (typeof input === 'string') return again(input);
    if (!(await responsibleChoices(ctx, c)).some((p) => p.openId === input.responsible.openId))
      return again('「整改责任人」须从列表中选择（当事人或名册中的人员）。');
    correction = input;
  }
  const cmd: CaseCommand = {
    type: 'issue_determination',
    outcome: values.outcome,
    citedItems: values.citedItems,
    factors: c.findings?.factors ?? {},
    reasons: values.reasons,
    publication: { scope: values.scope, chatId: values.chatId },
    basis: { ...values.basis, reason: values.basisReason },
    correctionRequired: values.correction,
    ...(correction ? { correction } : {}),
    ...(values.correction ? {} : { correctionWaiver: values.waiver }),
    notifyUnits: values.units,
  };
  // Checked before anyone is asked to confirm: the review shows the determination exactly as it would be recorded.
  if (review?.step !== 'confirm') {
    const checked = decideCase(c, cmd, await ctx.actor(a.operatorOpenId), ctx.env);
    if (!checked.ok) {
      if (checked.code === 'forbidden' || checked.code === 'recused') return refused(ctx, checked.reason);
      return again(checked.reason);
    }
    if (!checked.state.determination) return again('认定结论未能生成，请重试。');
    ctx.fx.outcome = 'issue-review';
    ctx.fx.toast('info', '请核对认定结论，确认后签发');
    ctx.fx.card(
      issueReviewCard({
        policy: ctx.deps.policy,
        c,
        round: v.data.round,
        det: checked.state.determination,
        form,
      }),
    );
    return;
  }
  const r = await run(ctx, c, cmd, a.operatorOpenId);
  if (isRefusal(r)) {
    if (r.code === 'forbidden' || r.code === 'recused') return refused(ctx, r.reason);
    return again(r.reason);
  }
  if (!r.determination) return;
  ctx.fx.toast(
    'success',
    r.correction ? '认定结论已签发，告知和纠错通知已发出' : '认定结论已签发，告知已发出',
  );
  ctx.fx.card(issuedCard({ policy: ctx.deps.policy, c: r, det: r.determination }));
}

// ── closing a case that needs no correction ──

const closeValue = CARD_ACTIONS[CLOSE_ACTION];

/** 办结: the secretary closes a decided case whose determination needs no correction; the tracker shows 办结. */
async function closeDecidedCase(ctx: Ctx, a: CardAction): Promise<void> {
  const v = closeValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  const c = await ctx.repo.getCase(v.data.case);
  if (!c) return refused(ctx, STALE);
  const actor = await ctx.actor(a.operatorOpenId);
  const denied = secretaryCheck(c, actor, '办结案件');
  if (denied) return refused(ctx, denied.reason);
  const fromTodo = v.data.src === 'todo';
  if (c.status === 'closed') {
    ctx.fx.outcome = 'close-unchanged';
    ctx.fx.toast('info', '本案已经办结');
    if (!fromTodo && c.determination)
      ctx.fx.card(issuedCard({ policy: ctx.deps.policy, c, det: c.determination }));
    return;
  }
  const r = await run(ctx, c, { type: 'close' }, a.operatorOpenId);
  if (isRefusal(r)) return refused(ctx, r.reason);
  const n = noticeCompliance(r);
  ctx.fx.toast(
    n.done < n.total ? 'warning' : 'success',
    n.done < n.total
      ? `已办结。尚有 ${n.total - n.done} 项告知未完成，系统不再自动跟进，请自行落实告知（第十三条）。`
      : '已办结，当事人的案件跟踪卡片已更新',
  );
  if (fromTodo) {
    // The list as it now stands, without the case just closed (not yet readable from the store).
    const items = (await todoItems(ctx, actor)).filter(
      (i) => !(i.action.value.a === CLOSE_ACTION && i.action.value.case === c.id),
    );
    ctx.fx.card(todoCard({ items }));
  } else if (r.determination) {
    ctx.fx.card(issuedCard({ policy: ctx.deps.policy, c: r, det: r.determination }));
  }
}

// ── notices (art. 13: within 7 days) ──

async function acknowledgeNotice(ctx: Ctx, a: CardAction): Promise<void> {
  const v = ackValue.safeParse(a.value);
  if (!v.success) return refused(ctx, STALE);
  const c = await ctx.repo.getCase(v.data.case);
  if (!c) return refused(ctx, STALE);
  const r = await run(ctx, c, { type: 'acknowledge_notice', noticeId: v.data.notice }, a.operatorOpenId);
  if (isRefusal(r)) return refused(ctx, r.reason);
  const n = r.notices.find((x) => x.id === v.data.notice);
  if (r === c) ctx.fx.toast('info', '您此前已确认收到');
  else ctx.fx.toast('success', '已确认收到，谢谢');
  if (n && r.determination)
    ctx.fx.card(
      determinationNoticeCard({
        policy: ctx.deps.policy,
        c: r,
        det: r.determination,
        noticeId: n.id,
        kind: n.kind,
        dueOn: n.dueOn,
        acknowledgedAt: n.acknowledgedAt,
      }),
    );
}

export const deliberationFeature: Feature = {
  name: 'deliberation',
  actions: {
    'findings.submit': submitFindings,
    'delib.open': openDeliberation,
    'delib.vote': castVote,
    'delib.close': closeVote,
    'delib.reopen': reopenVote,
    'det.form': sendIssueForm,
    'det.issue': issueDetermination,
    [CLOSE_ACTION]: closeDecidedCase,
    'findings.open': openFindings,
    'notice.ack': acknowledgeNotice,
  },
};
