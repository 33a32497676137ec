import { businessDate } from '../calendar';
import { itemById, labelOf as policyLabelOf } from '../policy';
import type {
  Actor,
  AuditEntry,
  Case,
  CorrectionOrder,
  Decision,
  Env,
  ExemptionBasis,
  Intent,
  Policy,
  Refusal,
  RefusalCode,
  Report,
  Role,
} from './types';

/** When the matter happened: the occurrence date, else the day it was submitted (art. 17 counts by it). */
export function caseDate(c: Case): string {
  return c.facts.occurredOn ?? businessDate(new Date(c.submittedAt ?? c.createdAt));
}

export function refuse(code: RefusalCode, reason: string): Refusal {
  return { ok: false, code, reason };
}

export function accept<S>(state: S, audit: AuditEntry[], intents: Intent[] = []): Decision<S> {
  return { ok: true, state, audit, intents };
}

export function today(env: Env): string {
  return businessDate(env.now);
}

export function iso(env: Env): string {
  return env.now.toISOString();
}

/** Secretary is also a party member; admin grants nothing here. */
export function hasRole(actor: Actor, role: Role): boolean {
  if (role === 'party_member')
    return actor.roles.includes('party_member') || actor.roles.includes('secretary');
  return actor.roles.includes(role);
}

export function isHandler(actor: Actor): boolean {
  return hasRole(actor, 'secretary') || hasRole(actor, 'clerk');
}

/** Next version of a case or report, stamped with the decision time. */
export function touch<S extends Case | Report>(state: S, env: Env, changes: Partial<S>): S {
  return { ...state, ...changes, updatedAt: iso(env), version: state.version + 1 };
}

export function caseAudit(
  c: Case,
  actor: Actor | string,
  action: string,
  before: unknown,
  after: unknown,
): AuditEntry {
  return {
    action,
    actorOpenId: typeof actor === 'string' ? actor : actor.openId,
    subject: `case:${c.id}`,
    before,
    after,
  };
}

export const STATUS_LABEL: Record<Case['status'], string> = {
  draft: '草稿',
  submitted: '已提交',
  investigating: '核查中',
  deliberating: '审议中',
  decided: '已认定',
  correcting: '纠错中',
  closed: '已办结',
  withdrawn: '已撤回',
};

/** 尽职免责 (art. 9) and 容错免责 (art. 10 para. 2), the two exemption bases, with the article each rests on. */
export const BASIS_LABEL: Record<ExemptionBasis, { label: string; article: string }> = {
  duty: { label: '尽职免责', article: '第九条' },
  tolerance: { label: '容错免责', article: '第十条' },
};

export const CORRECTION_STATUS_LABEL: Record<CorrectionOrder['status'], string> = {
  open: '整改中',
  completed: '已报告完成，待验收',
  accepted: '已验收',
};

export function wrongState(c: Case, action: string): Refusal {
  return refuse('invalid_state', `案件当前状态为「${STATUS_LABEL[c.status]}」，不能${action}。`);
}

type PolicyList = readonly { id: string; name?: string; label?: string }[];

export function idsOf(list: PolicyList): string[] {
  return list.map((x) => x.id);
}

/** The entry's label, or the id itself when the policy no longer lists it. */
export function labelOf(list: PolicyList, id: string): string {
  return policyLabelOf(list, id) ?? id;
}

export function voteLabel(policy: Policy, option: string): string {
  return labelOf(policy.voteOptions, option);
}

export function itemArticle(policy: Policy, itemId: string): number | null {
  return itemById(policy, itemId)?.article ?? null;
}

export function textTooLong(policy: Policy, text: string): boolean {
  return text.length > policy.limits.textMaxLength;
}

/** Deduplicated, order kept. */
export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
