import { businessDate } from '../calendar';
import { CONDITION_IDS, shortCondition } from '../policy';
import { secretaryCheck } from './access';
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
  ConditionId,
  CorrectionOrder,
  Decision,
  Determination,
  Env,
  ExemptionBasis,
  Findings,
  Intent,
  ItemId,
  LegalBasis,
  Notice,
  NoticeTarget,
  Policy,
  PublicationScope,
  Refusal,
  StatedBasis,
  VoteOption,
} from './types';

/** The findings' statement of art. 10 para. 2 and art. 12: what the issue form starts from. */
export function basisFromFindings(
  c: Pick<Case, 'facts'> & { findings: Findings | null },
  policy: Policy,
): LegalBasis {
  const source = c.findings ?? c.facts;
  return {
    conditions: Object.fromEntries(CONDITION_IDS.map((id) => [id, source.conditions[id] === true])) as Record<
      ConditionId,
      boolean
    >,
    article12: source.items.some((id) => itemArticle(policy, id) === 12),
  };
}

export const allConditionsMet = (b: LegalBasis) => CONDITION_IDS.every((id) => b.conditions[id]);

function unmetConditions(b: LegalBasis, policy: Policy): string {
  return policy.conditions
    .filter((c) => !b.conditions[c.id])
    .map((c) => `${c.wording}（${shortCondition(c)}）`)
    .join('；');
}

/**
 * Whether the cited items and the stated basis allow an outcome, and on which exemption basis:
 * 尽职免责 needs a 第九条 item; 容错免责 a 第十条 item and all three conditions of 第十条第二款;
 * 从轻/减轻 a 第十一条 item or a 第十条 item without all three conditions; under 第十二条 only 不予容错.
 */
export function outcomeAllowed(
  outcome: VoteOption,
  cited: readonly ItemId[],
  b: LegalBasis,
  policy: Policy,
): { ok: true; basis: ExemptionBasis | null } | Refusal {
  const articles = new Set(cited.map((id) => itemArticle(policy, id)));
  const label = voteLabel(policy, outcome);
  if ((b.article12 || articles.has(12)) && outcome !== 'refuse')
    return refuse(
      'invalid',
      `第十二条：滥用法定职权、不履行法定职责，致使合法权益受到损害、造成不良后果的，不予容错。本案适用第十二条，只能作出「不予容错」的认定，不能作出「${label}」的认定。`,
    );
  const tenMet = articles.has(10) && allConditionsMet(b);
  if (outcome === 'exempt') {
    if (articles.has(9)) return { ok: true, basis: 'duty' };
    if (tenMet) return { ok: true, basis: 'tolerance' };
    if (articles.has(10))
      return refuse(
        'invalid',
        `第十条第二款：第十条情形须同时符合三项条件才可以免责，本案未符合：${unmetConditions(b, policy)}。可以作出从轻或减轻的认定。`,
      );
    return refuse(
      'invalid',
      '免责认定须引用第九条（尽职免责）规定的情形，或引用第十条（容错免责）规定的情形并同时符合第十条第二款三项条件。',
    );
  }
  if (outcome === 'lighter' || outcome === 'mitigate') {
    if (articles.has(11) || (articles.has(10) && !tenMet)) return { ok: true, basis: null };
    return refuse(
      'invalid',
      tenMet
        ? `第十一条：「${label}」须引用第十一条规定的情形；所引第十条情形同时符合第十条第二款三项条件，依第十条第二款可以免责。`
        : `第十一条：「${label}」须引用第十一条规定的情形，或引用第十条规定的情形且未同时符合第十条第二款三项条件。`,
    );
  }
  return { ok: true, basis: null };
}

/** What the party group can see on the vote card: the outcomes the findings allow to be issued. */
export function issuableOutcomes(items: readonly ItemId[], b: LegalBasis, policy: Policy) {
  return policy.voteOptions.flatMap((o) => {
    const r = outcomeAllowed(o.id, items, b, policy);
    return 'basis' in r ? [{ outcome: o.id, basis: r.basis }] : [];
  });
}

/** Whether the findings allow the outcome that carried: when not, the secretary may put it to a new vote. */
export function carriedIssuable(
  c: Pick<Case, 'facts' | 'findings' | 'deliberation'>,
  policy: Policy,
): boolean {
  const carried = c.deliberation?.result?.carried;
  if (!carried) return false;
  const items = c.findings?.items ?? c.facts.items;
  return issuableOutcomes(items, basisFromFindings(c, policy), policy).some((o) => o.outcome === carried);
}

/** The secretary's statement of the basis, with the findings' as the default; a departure needs a reason. */
function statedBasis(c: Case, cmd: Cmd<'issue_determination'>, policy: Policy): StatedBasis | Refusal {
  const found = basisFromFindings(c, policy);
  const given = cmd.basis ?? {};
  const conditions = Object.fromEntries(
    CONDITION_IDS.map((id) => [id, given.conditions?.[id] ?? found.conditions[id]]),
  ) as Record<ConditionId, boolean>;
  const stated: LegalBasis = { conditions, article12: given.article12 ?? found.article12 };
  const departs =
    stated.article12 !== found.article12 ||
    CONDITION_IDS.some((id) => conditions[id] !== found.conditions[id]);
  const reason = (given.reason ?? '').trim();
  if (departs && reason === '')
    return refuse(
      'incomplete',
      '您对第十条第二款三项条件或第十二条是否适用的认定与核查意见不同，请说明理由（将记入审议记录）。',
    );
  if (textTooLong(policy, reason)) return refuse('invalid', '与核查意见不同的理由过长。');
  return { ...stated, departureReason: departs ? reason : null };
}

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
  const stated = statedBasis(c, cmd, policy);
  if ('ok' in stated) return stated;
  const allowed = outcomeAllowed(cmd.outcome, cited, stated, policy);
  if (!('basis' in allowed)) return allowed;
  const basis = allowed.basis;
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
  // Arts. 15–16: the order goes with the determination, or — where the policy allows — a stated reason.
  const mustCorrect = basis !== null && policy.correction.requiredAfter.includes(basis);
  const waiver = (cmd.correctionWaiver ?? '').trim();
  if (mustCorrect && !cmd.correctionRequired) {
    if (policy.correction.waiver === 'never')
      return refuse(
        'invalid',
        '第十五条：作出尽职免责、容错免责决定的同时，应当及时启动纠错程序，请填写纠错事项。',
      );
    if (waiver === '')
      return refuse(
        'incomplete',
        '第十五条、第十六条：作出尽职免责、容错免责决定的同时应当启动纠错程序，说明纠错事由、明确纠错事项。认为没有需要纠错的事项时，请说明理由（将记入案件）。',
      );
    if (textTooLong(policy, waiver)) return refuse('invalid', '不需要纠错的理由过长。');
  }
  let order: CorrectionOrder | null = null;
  if (cmd.correctionRequired) {
    if (!cmd.correction)
      return refuse(
        'incomplete',
        '第十五条：启动纠错程序须同时下达纠错通知，请填写纠错事由、纠错事项、整改责任人和整改期限。',
      );
    const built = buildCorrectionOrder(cmd.correction, actor, env);
    if ('ok' in built) return built;
    order = built;
  }

  // Art. 14's scope is a policy setting (notAnErrorOutcomes).
  const exempt = policy.notAnErrorOutcomes.includes(cmd.outcome);
  const determination: Determination = {
    outcome: cmd.outcome,
    basis,
    legalBasis: stated,
    citedItems: cited,
    factors: Object.fromEntries(policy.factors.map((f) => [f.id, (cmd.factors[f.id] ?? '').trim()])),
    reasons,
    notErrorRecord: exempt,
    statement: exempt ? policy.statements.notAnError.text : null,
    publication: { scope: cmd.publication.scope, chatId: cmd.publication.scope === 'chat' ? chatId : null },
    correctionRequired: cmd.correctionRequired,
    correctionWaiver: mustCorrect && !cmd.correctionRequired ? waiver : null,
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
  // The vote card is the deliberation record: it shows the basis as issued.
  intents.push(
    { kind: 'refresh_tracker', caseId: c.id },
    { kind: 'refresh_deliberation', caseId: c.id, round: d.round },
  );
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
