import { hasRole, isHandler, unique } from './common';
import type { Actor, Case, Report, Role } from './types';

/**
 * Who may see a case's contents. The subject always sees their own case; a draft (or a draft
 * withdrawn before submission) is private to the subject. After submission: party members,
 * the secretary and clerks see every case, investigators see the cases assigned to them.
 * The admin role alone sees nothing (separation of duties). Anyone else recused (a co-accused of the
 * report the case was converted from) sees nothing, whatever their roles.
 */
export function canView(c: Case, actor: Actor): boolean {
  if (actor.openId === c.subjectOpenId) return true;
  // a co-accused of the report the case came from sees it no more than the report itself
  if (isRecused(c, actor)) return false;
  if (c.status === 'draft' || (c.status === 'withdrawn' && c.submittedAt === null)) return false;
  if (hasRole(actor, 'party_member') || isHandler(actor)) return true;
  return hasRole(actor, 'investigator') && c.investigators.includes(actor.openId);
}

/**
 * Who may see a report: the secretary, clerks and assigned investigators — never anyone the
 * report accuses, whatever their roles; the admin role alone sees nothing.
 */
export function canViewReport(r: Report, actor: Actor): boolean {
  if (r.accused.includes(actor.openId)) return false;
  if (isHandler(actor)) return true;
  return hasRole(actor, 'investigator') && r.investigators.includes(actor.openId);
}

/**
 * Everyone recused from a case: its subject, and for a case converted from a report every officer the
 * report accused. Cases stored before `recused` existed have only their subject.
 */
export function recusedFrom(c: Case): string[] {
  return unique([c.subjectOpenId, ...(c.recused ?? [])]);
}

/** Recused from a case: its subject, or anyone else in `c.recused`. */
export function isRecused(c: Case, actor: Actor | string): boolean {
  return recusedFrom(c).includes(typeof actor === 'string' ? actor : actor.openId);
}

/**
 * Why someone recused may not `what` (e.g. '办理本案'), or null when they are not recused; `next` says
 * what to do instead (e.g. '请由其他经办人办理').
 */
export function recusalReason(c: Case, actor: Actor | string, what: string, next = ''): string | null {
  const openId = typeof actor === 'string' ? actor : actor.openId;
  const then = next ? `${next}。` : '';
  if (openId === c.subjectOpenId) return `您是本案当事人，依规回避，不能${what}。${then}`;
  if (isRecused(c, openId)) return `您是本案所涉举报的被举报人，依规回避，不能${what}。${then}`;
  return null;
}

/** Roles that open every case's contents: granting one is announced in the party chat (SPEC §1). */
export const ANNOUNCED_ROLES: readonly Role[] = ['secretary', 'party_member'];

/**
 * Separation of duties (SPEC §1): a role is always given by someone else, so nobody — an admin
 * included — gains access to case contents on their own word. Returns the refusal, or null.
 */
export function roleGrantRefusal(granterOpenId: string, granteeOpenId: string): string | null {
  return granterOpenId === granteeOpenId ? '不能为自己设置角色，请由其他管理员设置。' : null;
}
