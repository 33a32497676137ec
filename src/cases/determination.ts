import { businessDate } from '../calendar';
import { secretaryCheck } from './acceptance';
import {
  accept,
  caseAudit,
  idsOf,
  iso,
  itemArticle,
  refuse,
  textTooLong,
  today,
  touch,
  unique,
  voteLabel,
  wrongState,
} from './common';
import { buildCorrectionOrder, correctionOrderedIntent } from './correction';
import { makeNotice, noticeIntent } from './notices';
import type {
  Actor,
  Case,
  CaseCommandOf as Cmd,
  CorrectionOrder,
  Decision,
  Determination,
  Env,
  ExemptionBasis,
  Intent,
  Notice,
  NoticeTarget,
  PublicationScope,
} from './types';

function publicationTarget(scope: PublicationScope, chatId: string | null): NoticeTarget | null {
  if (scope === 'party') return { chat: 'party' };
  if (scope === 'chat' && chatId) return { chat: { id: chatId } };
  return null;
}

function checkPublication(scope: string, chatId: string | null | undefined, env: Env) {
  if (!idsOf(env.policy.publicationScopes).includes(scope))
    return refuse('invalid', '「公开范围」不在可选范围内。');
  if (scope === 'chat' && !chatId) return refuse('invalid', '公开范围为指定群时，请选择要公开的群。');
  return null;
}

/**
 * The secretary issues the outcome the party group carried, with the five factors, citations,
 * reasons, the art. 14 statement when exempt, the publication scope and (art. 15) the correction order.
 * Notices to the subject, the units concerned and the publication chat are due within the policy period.
 */
export function issueDetermination(
  c: Case,
  cmd: Cmd<'issue_determination'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const { policy } = env;
  const denied = secretaryCheck(c, actor, '作出认定结论');
  if (denied) return denied;
  const d = c.deliberation;
  if (c.status !== 'deliberating' || d === null) return wrongState(c, '作出认定结论');
  if (d.status !== 'closed' || d.result === null)
    return refuse('invalid_state', '表决尚未结束，不能作出认定结论。');
  const carried = d.result.carried;
  if (carried === null)
    return refuse('not_carried', '本轮表决没有任何意见获得多数，不能作出认定结论，可以重新表决。');
  if (cmd.outcome !== carried)
    return refuse(
      'not_carried',
      `党组表决通过的是「${voteLabel(policy, carried)}」，不能作出「${voteLabel(policy, cmd.outcome)}」的认定。`,
    );
  const cited = unique(cmd.citedItems);
  if (cited.length === 0) return refuse('invalid', '请引用认定所依据的条款情形。');
  const unknown = cited.filter((id) => itemArticle(policy, id) === null);
  if (unknown.length > 0) return refuse('invalid', `引用的条目不存在：${unknown.join('、')}。`);
  const articles = cited.map((id) => itemArticle(policy, id));
  if (articles.includes(12) && cmd.outcome !== 'refuse')
    return refuse('invalid', '引用了第十二条（不予容错）情形，只能作出不予容错的认定。');
  let basis: ExemptionBasis | null = null;
  if (cmd.outcome === 'exempt') {
    if (articles.includes(9)) basis = 'duty';
    else if (articles.includes(10)) basis = 'tolerance';
    else return refuse('invalid', '免责认定须引用第九条（尽职免责）或第十条（容错免责）规定的情形。');
  }
  const missingFactors = policy.factors.filter((f) => (cmd.factors[f.id] ?? '').trim() === '');
  if (missingFactors.length > 0)
    return refuse('incomplete', `请填写综合分析研判：${missingFactors.map((f) => f.name).join('、')}。`);
  const reasons = cmd.reasons.trim();
  if (reasons === '') return refuse('invalid', '请填写认定理由。');
  if (textTooLong(policy, reasons)) return refuse('invalid', '认定理由过长。');
  const chatId = cmd.publication.chatId ?? null;
  const badPublication = checkPublication(cmd.publication.scope, chatId, env);
  if (badPublication) return badPublication;
  const units = unique([...(c.facts.unitId ? [c.facts.unitId] : []), ...(cmd.notifyUnits ?? [])]);
  if (units.some((u) => !idsOf(policy.units).includes(u)))
    return refuse('invalid', '告知的科室不在可选范围内。');
  let order: CorrectionOrder | null = null;
  if (cmd.correctionRequired && cmd.correction) {
    const built = buildCorrectionOrder(cmd.correction, actor, env);
    if ('ok' in built) return built;
    order = built;
  }

  const exempt = cmd.outcome === 'exempt';
  const determination: Determination = {
    outcome: cmd.outcome,
    basis,
    citedItems: cited,
    factors: Object.fromEntries(policy.factors.map((f) => [f.id, (cmd.factors[f.id] ?? '').trim()])),
    reasons,
    notErrorRecord: exempt,
    statement: exempt ? policy.statements.notAnError.text : null,
    publication: { scope: cmd.publication.scope, chatId: cmd.publication.scope === 'chat' ? chatId : null },
    correctionRequired: cmd.correctionRequired,
    round: d.round,
    issuedBy: actor.openId,
    issuedAt: iso(env),
  };
  const dueOn = env.calendar.deadline(today(env), policy.notice);
  const notices: Notice[] = [makeNotice('n1', 'subject', { user: c.subjectOpenId }, dueOn, env)];
  for (const unit of units)
    notices.push(makeNotice(`n${notices.length + 1}`, 'unit', { chat: { unit } }, dueOn, env));
  const pubTarget = publicationTarget(determination.publication.scope, determination.publication.chatId);
  if (pubTarget) notices.push(makeNotice(`n${notices.length + 1}`, 'publication', pubTarget, dueOn, env));

  const next = touch(c, env, {
    status: order ? 'correcting' : 'decided',
    determination,
    notices,
    correction: order,
    decidedAt: iso(env),
  });
  const intents: Intent[] = notices.map((n) => noticeIntent(next, n, env));
  if (order) intents.push(correctionOrderedIntent(next, order));
  intents.push({ kind: 'refresh_tracker', caseId: c.id });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        'case.determined',
        { status: c.status },
        { status: next.status, determination, correction: order },
      ),
    ],
    intents,
  );
}

/** Publish a determination that was issued without publication. */
export function publishDetermination(c: Case, cmd: Cmd<'publish'>, actor: Actor, env: Env): Decision<Case> {
  const denied = secretaryCheck(c, actor, '公开认定结论');
  if (denied) return denied;
  const det = c.determination;
  if (det === null || !['decided', 'correcting', 'closed'].includes(c.status))
    return wrongState(c, '公开认定结论');
  if (det.publication.scope !== 'none') return refuse('duplicate', '本案认定结论已经公开。');
  const chatId = cmd.chatId ?? null;
  const bad = checkPublication(cmd.scope, chatId, env);
  if (bad) return bad;
  const target = publicationTarget(cmd.scope, chatId) as NoticeTarget;
  const dueOn = env.calendar.deadline(businessDate(new Date(det.issuedAt)), env.policy.notice);
  const notice = makeNotice(`n${c.notices.length + 1}`, 'publication', target, dueOn, env);
  const publication = { scope: cmd.scope, chatId: cmd.scope === 'chat' ? chatId : null };
  const next = touch(c, env, { determination: { ...det, publication }, notices: [...c.notices, notice] });
  return accept(
    next,
    [caseAudit(c, actor, 'case.published', det.publication, publication)],
    [noticeIntent(next, notice, env), { kind: 'refresh_tracker', caseId: c.id }],
  );
}
