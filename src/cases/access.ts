import { hasRole, isHandler } from './common';
import type { Actor, Case, Report } from './types';

/**
 * Who may see a case's contents. The subject always sees their own case; a draft (or a draft
 * withdrawn before submission) is private to the subject. After submission: party members,
 * the secretary and clerks see every case, investigators see the cases assigned to them.
 * The admin role alone sees nothing (separation of duties).
 */
export function canView(c: Case, actor: Actor): boolean {
  if (actor.openId === c.subjectOpenId) return true;
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

/** Recused from a case: its subject. */
export function isRecused(c: Case, actor: Actor): boolean {
  return actor.openId === c.subjectOpenId;
}
