// Handling a report from its card: 指派核查, findings, outcome, feedback, 澄清正名, conversion to a case, 办结.

import type { z } from 'zod';
import { CARD_ACTIONS, reportOfficerRef, reportRef } from '../../../cards/actions';
import { clearingConsentCard, REPORT_ACTIONS, type ReportCardMode } from '../../../cards/report';
import { businessDate } from '../../calendar';
import { convertReportToCase, decideReport } from '../../cases/reports';
import type { Actor, Case, Decision, Report, ReportCommand } from '../../cases/types';
import type { CardAction } from '../../lark/envelope';
import { reportCardRef } from '../../store/repo-reports';
import { applyReport, isRefusal } from '../apply';
import type { Ctx } from '../context';
import { emitIntents } from '../intents';
import { textOf } from '../shared/form-values';
import { chatChoices } from '../shared/names';
import { denialFor, modeAllowed, refreshReportCopies, reportCardFor } from '../shared/report-card';
import { parseQueryArg } from './cases';

const reportValue = reportRef;
const formValue = CARD_ACTIONS[REPORT_ACTIONS.form];
const officerValue = reportOfficerRef;
const consentValue = CARD_ACTIONS[REPORT_ACTIONS.consent];

const STALE = '该卡片已过期或操作无效。处理举报请发送「举报列表」。';

const NOT_NOW: Record<Exclude<ReportCardMode, 'view'>, string> = {
  assign: '只有党组书记或经办人可以指派核查人员，且举报须处于登记或核查阶段。',
  findings: '只有被指派的核查人员可以在核查阶段提交核查意见。',
  outcome: '只有党组书记可以认定核查结果；已指派核查的，须先收到核查意见。',
  feedback: '只有党组书记可以在认定结果后反馈或说明情况，且每件举报只反馈一次。',
  publish: '只有党组书记可以发布澄清正名通报，且须该同志本人已同意、尚未发布。',
  convert: '只有党组书记或经办人可以转为容错认定，且被举报人尚未启动过容错认定。',
};

function refused(ctx: Ctx, reason: string): void {
  ctx.fx.outcome = 'reports:refused';
  ctx.fx.toast('error', reason);
}

interface Loaded<V> {
  r: Report;
  actor: Actor;
  v: V;
}

async function load<V extends { r: string }>(
  ctx: Ctx,
  a: CardAction,
  schema: z.ZodType<V>,
): Promise<Loaded<V> | undefined> {
  const v = schema.safeParse(a.value);
  const r = v.success ? await ctx.repo.getReport(v.data.r) : undefined;
  if (!v.success || !r) {
    refused(ctx, STALE);
    return undefined;
  }
  return { r, actor: await ctx.actor(a.operatorOpenId), v: v.data };
}

/**
 * Records a decision and shows the new card to the clicker and every other copy. A refusal is a toast; for
 * someone who may see the report, the form comes back with what was typed and the reason.
 */
async function commit(
  ctx: Ctx,
  a: CardAction,
  got: Loaded<unknown>,
  d: Decision<Report>,
  done: string,
  again?: { mode: ReportCardMode; values: Record<string, string>; officer?: string },
): Promise<Report | undefined> {
  const { r, actor } = got;
  if (!d.ok) {
    refused(ctx, d.reason);
    if (again && d.code !== 'forbidden' && d.code !== 'recused' && !denialFor(r, actor)) {
      ctx.fx.card(
        await reportCardFor(ctx, r, actor.openId, again.mode, {
          values: again.values,
          error: d.reason,
          ...(again.officer ? { officer: again.officer } : {}),
        }),
      );
    }
    return undefined;
  }
  if (d.state === r) {
    ctx.fx.toast('info', '已记录，无需重复操作。');
    return r;
  }
  const next = await applyReport(ctx, r, d);
  if (isRefusal(next)) return void refused(ctx, next.reason);
  ctx.fx.outcome = 'reports:done';
  ctx.fx.card(await reportCardFor(ctx, next, actor.openId)).toast('success', done);
  await refreshReportCopies(ctx, next, a.messageId);
  return next;
}

async function decide(
  ctx: Ctx,
  a: CardAction,
  got: Loaded<unknown>,
  cmd: ReportCommand,
  done: string,
  again?: Parameters<typeof commit>[5],
) {
  return commit(ctx, a, got, decideReport(got.r, cmd, got.actor, ctx.env), done, again);
}

/** A form field refused before the core is asked: the form again, with the reason. */
async function formAgain(
  ctx: Ctx,
  got: Loaded<unknown>,
  mode: ReportCardMode,
  values: Record<string, string>,
  error: string,
  officer?: string,
): Promise<void> {
  const denied = denialFor(got.r, got.actor);
  if (denied) return refused(ctx, denied);
  refused(ctx, error);
  ctx.fx.card(
    await reportCardFor(ctx, got.r, got.actor.openId, mode, {
      values,
      error,
      ...(officer ? { officer } : {}),
    }),
  );
}

// ───────────────────────────── showing ─────────────────────────────

/** 查看举报: a copy in the clicker's direct chat, kept current like the others; only for those who may see it. */
export async function onOpen(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, reportValue);
  if (!got) return;
  const denied = denialFor(got.r, got.actor);
  if (denied) return refused(ctx, denied);
  ctx.fx.send(
    { openId: got.actor.openId },
    await reportCardFor(ctx, got.r, got.actor.openId),
    reportCardRef(got.r.id, got.actor.openId),
  );
  ctx.fx.outcome = 'reports:open';
  ctx.fx.toast('success', '已在私聊中发送举报详情');
}

export async function onView(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, reportValue);
  if (!got) return;
  const denied = denialFor(got.r, got.actor);
  if (denied) return refused(ctx, denied);
  ctx.fx.card(await reportCardFor(ctx, got.r, got.actor.openId));
}

/** Opens a form on the card, only for those the core would let act (a form is not a change). */
export async function onForm(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, formValue);
  if (!got) return;
  const { r, actor, v } = got;
  const denied = denialFor(r, actor);
  if (denied) return refused(ctx, denied);
  if (v.f !== 'view' && !modeAllowed(r, actor, v.f, v.o)) {
    refused(ctx, NOT_NOW[v.f]);
    // A stale card shows the report as it is now.
    ctx.fx.card(await reportCardFor(ctx, r, actor.openId));
    return;
  }
  ctx.fx.card(await reportCardFor(ctx, r, actor.openId, v.f, v.o ? { officer: v.o } : {}));
}

// ───────────────────────────── deciding ─────────────────────────────

export async function onAssign(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, reportValue);
  if (!got) return;
  const chosen = textOf(a.formValue?.investigator).trim();
  if (chosen === '') return formAgain(ctx, got, 'assign', {}, '请先选择「核查人员」，再点「确认指派」。');
  const investigator = await ctx.actor(chosen);
  await decide(
    ctx,
    a,
    got,
    { type: 'assign_investigator', investigator },
    '已指派核查人员，对方会收到这份举报',
    {
      mode: 'assign',
      values: {},
    },
  );
}

export async function onFindings(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, reportValue);
  if (!got) return;
  const findings = textOf(a.formValue?.text);
  await decide(ctx, a, got, { type: 'submit_findings', text: findings }, '核查意见已提交党组书记', {
    mode: 'findings',
    values: { text: findings },
  });
}

export async function onOutcome(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, reportValue);
  if (!got) return;
  const { r } = got;
  const form = a.formValue ?? {};
  const values = {
    result: textOf(form.result),
    note: textOf(form.note),
    case: textOf(form.case),
    case_number: textOf(form.case_number).trim(),
  };
  if (values.result === '') return formAgain(ctx, got, 'outcome', values, '请选择「核查结果」。');
  let caseId: string | null = null;
  let linked: Case | undefined;
  if (values.case) {
    if (!r.convertedCases.some((c) => c.caseId === values.case))
      return formAgain(ctx, got, 'outcome', values, '所选案件不是由本举报转办的，请重新选择。');
    caseId = values.case;
    linked = await ctx.repo.getCase(values.case);
  } else if (values.case_number) {
    const q = parseQueryArg(ctx.env.policy, values.case_number, ctx.now);
    const c = q.kind === 'number' ? await ctx.repo.caseByNumber(q.number) : undefined;
    if (!c)
      return formAgain(ctx, got, 'outcome', values, `没有找到案件「${values.case_number}」，请核对编号。`);
    if (!r.accused.includes(c.subjectOpenId))
      return formAgain(ctx, got, 'outcome', values, '关联案件的当事人须是本举报的被举报人。');
    caseId = c.id;
    linked = c;
  }
  const d = linked?.determination ?? null;
  await decide(
    ctx,
    a,
    got,
    {
      type: 'record_outcome',
      result: values.result as never,
      note: values.note,
      caseId,
      linkedDetermination: d && { outcome: d.outcome, basis: d.basis },
    },
    '核查结果已认定。请反馈举报人或在一定范围内说明情况',
    { mode: 'outcome', values },
  );
}

/** Only chats the bot is bound to: a forged callback cannot post a report's outcome anywhere else. */
async function boundChat(ctx: Ctx, chatId: string): Promise<boolean> {
  return (await chatChoices(ctx)).some((c) => c.chatId === chatId);
}

export async function onFeedback(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, reportValue);
  if (!got) return;
  const values = { text: textOf(a.formValue?.text), chat: textOf(a.formValue?.chat) };
  const anonymous = !got.r.realName;
  if (anonymous && values.chat !== '' && !(await boundChat(ctx, values.chat)))
    return formAgain(ctx, got, 'feedback', values, '只能在已绑定的群中说明情况，请重新选择。');
  await decide(
    ctx,
    a,
    got,
    { type: 'send_feedback', text: values.text, chatId: anonymous ? values.chat || null : null },
    anonymous ? '情况说明已发布到所选的群' : '结果已私信反馈实名举报人',
    { mode: 'feedback', values },
  );
}

export async function onClear(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, officerValue);
  if (!got) return;
  await decide(
    ctx,
    a,
    got,
    { type: 'request_clearing', officerOpenId: got.v.o },
    '已请该同志确认是否同意发布澄清正名通报',
  );
}

export async function onPublish(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, officerValue);
  if (!got) return;
  const chat = textOf(a.formValue?.chat);
  const values = { chat };
  if (chat === '') return formAgain(ctx, got, 'publish', values, '请选择发布澄清正名通报的群。', got.v.o);
  if (!(await boundChat(ctx, chat)))
    return formAgain(ctx, got, 'publish', values, '只能发布到已绑定的群，请重新选择。', got.v.o);
  await decide(
    ctx,
    a,
    got,
    { type: 'publish_clearing', officerOpenId: got.v.o, chatId: chat },
    '澄清正名通报已发布',
    { mode: 'publish', values, officer: got.v.o },
  );
}

/** The officer concerned answers on their own card; the handlers' copies show the answer. */
export async function onConsent(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, consentValue);
  if (!got) return;
  const { r, actor, v } = got;
  const d = decideReport(r, { type: 'answer_clearing', agree: v.agree }, actor, ctx.env);
  if (!d.ok) return refused(ctx, d.reason);
  const answered = v.agree ? ('agreed' as const) : ('declined' as const);
  const card = clearingConsentCard({
    reportId: r.id,
    matter: r.matter,
    resultLabel: r.outcome
      ? (ctx.env.policy.reportOutcomes.find((o) => o.id === r.outcome?.result)?.label ?? '')
      : '',
    answered,
  });
  if (d.state === r) {
    ctx.fx.card(card).toast('info', '已记录你的答复。');
    return;
  }
  const next = await applyReport(ctx, r, d);
  if (isRefusal(next)) return refused(ctx, next.reason);
  ctx.fx.outcome = 'reports:done';
  ctx.fx.card(card).toast('success', v.agree ? '你已同意发布澄清正名通报' : '你已不同意，组织不会发布通报');
  await refreshReportCopies(ctx, next);
}

export async function onConvert(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, reportValue);
  if (!got) return;
  const { r, actor } = got;
  const subject = textOf(a.formValue?.subject).trim();
  if (subject === '') return formAgain(ctx, got, 'convert', {}, '请选择作为当事人的被举报人。');
  const year = businessDate(ctx.now).slice(0, 4);
  const seq = await ctx.repo.nextSeq(`case:${year}`, ctx.now);
  const d = convertReportToCase(
    r,
    { type: 'convert_to_case', caseId: ctx.deps.newId('case'), seq: seq.value, subjectOpenId: subject },
    actor,
    ctx.env,
  );
  if (!d.ok) {
    refused(ctx, d.reason);
    if (d.code !== 'forbidden' && d.code !== 'recused' && !denialFor(r, actor))
      ctx.fx.card(await reportCardFor(ctx, r, actor.openId, 'convert', { error: d.reason }));
    return;
  }
  const { report, case: c } = d.state;
  ctx.fx.write(...ctx.repo.saveReport(r, report), ...ctx.repo.saveCase(null, c), ...seq.write);
  for (const x of d.audit) {
    ctx.fx.audit({
      actor: x.actorOpenId,
      action: x.action,
      subject: x.subject,
      before: x.before,
      after: x.after,
    });
  }
  // The subject's first message is their tracker (sent fresh), so the refresh the core asks for is not needed.
  await emitIntents(
    ctx,
    d.intents.filter((i) => i.kind !== 'refresh_tracker'),
    { case: c, report },
  );
  ctx.fx.outcome = 'reports:converted';
  ctx.fx
    .card(await reportCardFor(ctx, report, actor.openId))
    .toast('success', `已启动容错认定，案件编号 ${c.number}`);
  await refreshReportCopies(ctx, report, a.messageId);
}

export async function onClose(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await load(ctx, a, reportValue);
  if (!got) return;
  await decide(ctx, a, got, { type: 'close' }, '举报已办结');
}
