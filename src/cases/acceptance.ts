import { assess } from '../policy';
import { handlerCheck, investigatorCheck, recusedFrom } from './access';
import {
  accept,
  caseAudit,
  hasRole,
  idsOf,
  iso,
  itemArticle,
  refuse,
  textTooLong,
  today,
  touch,
  wrongState,
} from './common';
import { handlersExcept } from './intake';
import type { Actor, Case, CaseCommandOf as Cmd, Decision, Env, Findings } from './types';

export function acceptCase(c: Case, _cmd: Cmd<'accept'>, actor: Actor, env: Env): Decision<Case> {
  const denied = handlerCheck(c, actor, '受理申请');
  if (denied) return denied;
  if (c.status !== 'submitted') return wrongState(c, '受理');
  const decisionDueOn = env.calendar.deadline(today(env), env.policy.decision);
  const next = touch(c, env, { status: 'investigating', acceptedAt: iso(env), decisionDueOn });
  return accept(
    next,
    [caseAudit(c, actor, 'case.accepted', { status: c.status }, { status: next.status, decisionDueOn })],
    [
      {
        kind: 'tell',
        to: { user: c.subjectOpenId },
        template: 'case.accepted',
        caseId: c.id,
        data: { number: c.number, decisionDueOn },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

/** Send the application back to the subject as a draft, with a reason. */
export function returnCase(c: Case, cmd: Cmd<'return'>, actor: Actor, env: Env): Decision<Case> {
  const denied = handlerCheck(c, actor, '退回申请');
  if (denied) return denied;
  if (c.status !== 'submitted') return wrongState(c, '退回');
  const reason = cmd.reason.trim();
  if (reason === '') return refuse('invalid', '请填写退回理由。');
  if (textTooLong(env.policy, reason)) return refuse('invalid', '退回理由过长。');
  const next = touch(c, env, { status: 'draft', returnReason: reason });
  return accept(
    next,
    [caseAudit(c, actor, 'case.returned', { status: c.status }, { status: 'draft', reason })],
    [
      {
        kind: 'tell',
        to: { user: c.subjectOpenId },
        template: 'case.returned',
        caseId: c.id,
        data: { number: c.number, reason },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

export function assignInvestigator(
  c: Case,
  cmd: Cmd<'assign_investigator'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = handlerCheck(c, actor, '指派核查人员');
  if (denied) return denied;
  if (c.status !== 'investigating') return wrongState(c, '指派核查人员');
  const who = cmd.investigator;
  if (who.openId === c.subjectOpenId)
    return refuse('recused', '被指派人是本案当事人，依规回避，不能核查本案。');
  if (recusedFrom(c).includes(who.openId))
    return refuse('recused', '被指派人是本案所涉举报的被举报人，依规回避，不能核查本案，请另行指派。');
  if (!hasRole(who, 'investigator')) return refuse('invalid', '被指派人不是核查人员，请先由管理员设置角色。');
  if (c.investigators.includes(who.openId)) return refuse('duplicate', '该核查人员已被指派到本案。');
  const investigators = [...c.investigators, who.openId];
  const next = touch(c, env, { investigators });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        'case.investigator_assigned',
        { investigators: c.investigators },
        { investigators },
      ),
    ],
    [
      {
        kind: 'tell',
        to: { user: who.openId },
        template: 'case.investigator_assigned',
        caseId: c.id,
        data: { number: c.number, title: c.facts.title },
      },
    ],
  );
}

export function submitFindings(c: Case, cmd: Cmd<'submit_findings'>, actor: Actor, env: Env): Decision<Case> {
  const { policy } = env;
  const denied = investigatorCheck(c, actor);
  if (denied) return denied;
  if (c.status !== 'investigating') return wrongState(c, '提交核查意见');
  if (cmd.items.length === 0) return refuse('invalid', '请至少认定一项适用情形。');
  const unknown = cmd.items.filter((id) => itemArticle(policy, id) === null);
  if (unknown.length > 0) return refuse('invalid', `「适用情形」中有不存在的条目：${unknown.join('、')}。`);
  const conditionIds = idsOf(policy.conditions);
  if (Object.keys(cmd.conditions).some((k) => !conditionIds.includes(k)))
    return refuse('invalid', '「第十条三项条件」中有不存在的条件。');
  const missingFactors = policy.factors.filter((f) => (cmd.factors[f.id] ?? '').trim() === '');
  if (missingFactors.length > 0)
    return refuse('incomplete', `请填写综合分析研判：${missingFactors.map((f) => f.name).join('、')}。`);
  if (!idsOf(policy.voteOptions).includes(cmd.recommendedOutcome))
    return refuse('invalid', '「建议认定结果」不在可选范围内。');
  const errorCategory = cmd.errorCategory ?? c.facts.errorCategory;
  const enforcementArea = cmd.enforcementArea ?? c.facts.enforcementArea;
  if (!errorCategory || !idsOf(policy.errorCategories).includes(errorCategory))
    return refuse('invalid', '请选择「错误类别」。');
  if (!enforcementArea || !idsOf(policy.enforcementAreas).includes(enforcementArea))
    return refuse('invalid', '请选择「执法领域」。');
  const note = (cmd.note ?? '').trim();
  if (textTooLong(policy, note)) return refuse('invalid', '「核查说明」过长。');
  const a = assess(
    {
      items: [...new Set(cmd.items)],
      conditions: cmd.conditions,
      majorLoss: c.facts.majorLoss ?? undefined,
      seriousImpact: c.facts.seriousImpact ?? undefined,
      abuseOrNonPerformance: cmd.items.some((id) => itemArticle(policy, id) === 12),
    },
    policy,
  );
  const findings: Findings = {
    items: [...new Set(cmd.items)],
    conditions: { ...cmd.conditions },
    factors: Object.fromEntries(policy.factors.map((f) => [f.id, (cmd.factors[f.id] ?? '').trim()])),
    recommendedOutcome: cmd.recommendedOutcome,
    assessment: { recommendation: a.recommendation, citations: a.citations, summary: a.summary },
    errorCategory,
    enforcementArea,
    note,
    by: actor.openId,
    at: iso(env),
  };
  const next = touch(c, env, { findings, facts: { ...c.facts, errorCategory, enforcementArea } });
  return accept(
    next,
    [caseAudit(c, actor, 'case.findings_submitted', c.findings, findings)],
    [
      {
        kind: 'tell',
        to: handlersExcept(...recusedFrom(c)),
        template: 'case.findings_submitted',
        caseId: c.id,
        data: { number: c.number, recommendation: a.recommendation, summary: a.summary },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}
