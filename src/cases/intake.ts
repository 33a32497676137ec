import { formatCaseNumber } from '../policy';
import { organisationOpenCheck, recusedFrom, subjectCheck } from './access';
import { accept, caseAudit, iso, refuse, today, touch, wrongState } from './common';
import { emptyFacts, isRefusal, missingFacts, validateFactsPatch } from './facts';
import type {
  Actor,
  Case,
  CaseCommandOf as Cmd,
  CreateDraftCommand,
  Decision,
  Env,
  Intent,
  OpenByOrganisationCommand,
} from './types';

const HANDLERS = { roles: ['secretary', 'clerk'] as const };

export function handlersExcept(...exclude: string[]): {
  roles: ('secretary' | 'clerk')[];
  exclude: string[];
} {
  return { roles: [...HANDLERS.roles], exclude };
}

export function blankCase(
  fields: Pick<Case, 'id' | 'origin' | 'subjectOpenId' | 'status' | 'createdBy'> & Partial<Case>,
  env: Env,
): Case {
  const at = iso(env);
  return {
    number: null,
    year: null,
    seq: null,
    reportId: null,
    subjectName: null,
    facts: emptyFacts(),
    investigators: [],
    findings: null,
    deliberation: null,
    previousRounds: [],
    determination: null,
    notices: [],
    correction: null,
    returnReason: null,
    decisionDueOn: null,
    createdAt: at,
    updatedAt: at,
    submittedAt: null,
    acceptedAt: null,
    decidedAt: null,
    closedAt: null,
    withdrawnAt: null,
    version: 1,
    recused: [],
    ...fields,
  };
}

/** Number fields for a case registered today with the sequence number the shell reserved. */
export function numbering(env: Env, seq: number): Pick<Case, 'number' | 'year' | 'seq'> {
  const year = Number(today(env).slice(0, 4));
  return { number: formatCaseNumber(env.policy, year, seq), year, seq };
}

/** Any officer may start an application for themselves (个人申请). */
export function createDraft(cmd: CreateDraftCommand, actor: Actor, env: Env): Decision<Case> {
  const c = blankCase(
    {
      id: cmd.caseId,
      origin: 'individual',
      subjectOpenId: actor.openId,
      subjectName: cmd.subjectName ?? actor.name ?? null,
      status: 'draft',
      createdBy: actor.openId,
    },
    env,
  );
  return accept(c, [caseAudit(c, actor, 'case.draft_created', null, { status: 'draft' })]);
}

/** 组织启动: the secretary or a clerk opens a case about an officer, who is then asked to add facts. */
export function openByOrganisation(cmd: OpenByOrganisationCommand, actor: Actor, env: Env): Decision<Case> {
  const denied = organisationOpenCheck(actor, cmd.subject.openId);
  if (denied) return denied;
  const d = today(env);
  const patch = validateFactsPatch({ title: cmd.title, unitId: cmd.unitId ?? null }, env, d);
  if (isRefusal(patch)) return patch;
  const c = blankCase(
    {
      id: cmd.caseId,
      origin: 'organisation',
      subjectOpenId: cmd.subject.openId,
      subjectName: cmd.subject.name ?? null,
      status: 'investigating',
      createdBy: actor.openId,
      ...numbering(env, cmd.seq),
      facts: { ...emptyFacts(), title: patch.title ?? '', unitId: patch.unitId ?? null },
      submittedAt: iso(env),
      acceptedAt: iso(env),
      decisionDueOn: env.calendar.deadline(d, env.policy.decision),
    },
    env,
  );
  const intents: Intent[] = [
    {
      kind: 'tell',
      to: { user: c.subjectOpenId },
      template: 'case.opened_by_organisation',
      caseId: c.id,
      data: { number: c.number, title: c.facts.title, note: cmd.note ?? '' },
      needsReceipt: true,
    },
    { kind: 'refresh_tracker', caseId: c.id },
  ];
  return accept(
    c,
    [caseAudit(c, actor, 'case.opened_by_organisation', null, { status: c.status, number: c.number })],
    intents,
  );
}

/** The subject edits facts in a draft, or adds facts to a case the organisation opened. */
function factsEditable(c: Case, actor: Actor): Decision<Case> | null {
  const denied = subjectCheck(c, actor, '填写案件事实');
  if (denied) return denied;
  const open = c.status === 'draft' || (c.status === 'investigating' && c.origin !== 'individual');
  return open ? null : wrongState(c, '修改案件事实');
}

export function updateFacts(c: Case, cmd: Cmd<'update_facts'>, actor: Actor, env: Env): Decision<Case> {
  const denied = factsEditable(c, actor);
  if (denied) return denied;
  const patch = validateFactsPatch(cmd.patch, env, today(env));
  if (isRefusal(patch)) return patch;
  const before: Record<string, unknown> = {};
  for (const key of Object.keys(patch) as (keyof typeof patch)[]) before[key] = c.facts[key];
  const next = touch(c, env, { facts: { ...c.facts, ...patch } });
  return accept(next, [caseAudit(c, actor, 'case.facts_updated', before, patch)]);
}

export function attachEvidence(c: Case, cmd: Cmd<'attach_evidence'>, actor: Actor, env: Env): Decision<Case> {
  const denied = factsEditable(c, actor);
  if (denied) return denied;
  if (c.facts.evidence.some((e) => e.key === cmd.attachment.key)) return accept(c, []);
  const next = touch(c, env, { facts: { ...c.facts, evidence: [...c.facts.evidence, cmd.attachment] } });
  return accept(next, [caseAudit(c, actor, 'case.evidence_attached', null, cmd.attachment)]);
}

export function removeEvidence(c: Case, cmd: Cmd<'remove_evidence'>, actor: Actor, env: Env): Decision<Case> {
  const denied = factsEditable(c, actor);
  if (denied) return denied;
  const found = c.facts.evidence.find((e) => e.key === cmd.key);
  if (!found) return refuse('not_found', '没有找到这份证据材料。');
  const next = touch(c, env, {
    facts: { ...c.facts, evidence: c.facts.evidence.filter((e) => e.key !== cmd.key) },
  });
  return accept(next, [caseAudit(c, actor, 'case.evidence_removed', found, null)]);
}

/** The subject submits a complete draft; the first submission registers the case number. */
export function submit(c: Case, cmd: Cmd<'submit'>, actor: Actor, env: Env): Decision<Case> {
  const denied = subjectCheck(c, actor, '提交申请');
  if (denied) return denied;
  if (c.status !== 'draft') return wrongState(c, '提交');
  const missing = missingFacts(c.facts, env.policy);
  if (missing.length > 0) return refuse('incomplete', `还有内容没有填写：${missing.join('、')}。`);
  if (c.number === null && cmd.seq === undefined)
    throw new Error('submit: the shell must reserve a case seq');
  const numbers = c.number === null ? numbering(env, cmd.seq as number) : {};
  const next = touch(c, env, { ...numbers, status: 'submitted', submittedAt: iso(env), returnReason: null });
  const intents: Intent[] = [
    {
      kind: 'tell',
      to: handlersExcept(...recusedFrom(c)),
      template: 'case.submitted',
      caseId: c.id,
      data: { number: next.number, title: c.facts.title },
    },
    { kind: 'refresh_tracker', caseId: c.id },
  ];
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        'case.submitted',
        { status: c.status },
        { status: next.status, number: next.number },
      ),
    ],
    intents,
  );
}

/** The subject withdraws an application before it is accepted. */
export function withdraw(c: Case, _cmd: Cmd<'withdraw'>, actor: Actor, env: Env): Decision<Case> {
  const denied = subjectCheck(c, actor, '撤回申请');
  if (denied) return denied;
  if (c.status !== 'draft' && c.status !== 'submitted') return wrongState(c, '撤回');
  const next = touch(c, env, { status: 'withdrawn', withdrawnAt: iso(env) });
  const intents: Intent[] =
    c.status === 'submitted'
      ? [
          {
            kind: 'tell',
            to: handlersExcept(...recusedFrom(c)),
            template: 'case.withdrawn',
            caseId: c.id,
            data: { number: c.number, title: c.facts.title },
          },
          { kind: 'refresh_tracker', caseId: c.id },
        ]
      : [];
  return accept(
    next,
    [caseAudit(c, actor, 'case.withdrawn', { status: c.status }, { status: 'withdrawn' })],
    intents,
  );
}
