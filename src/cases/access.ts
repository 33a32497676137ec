// Who may see and who may do what: every permission check, once. The core's commands, the shell's
// form-opening handlers and the buttons a card shows all ask these same functions.
import { hasRole, isHandler, refuse, unique, wrongState } from './common';
import type { Actor, Case, Refusal, Report, Role } from './types';
import { SYSTEM_OPEN_ID } from './types';

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
export function roleGrantRefusal(granterOpenId: string, granteeOpenId: string): Refusal | null {
  return granterOpenId === granteeOpenId
    ? refuse('forbidden', '不能为自己设置角色，请由其他管理员设置。')
    : null;
}

const openIdOf = (actor: Actor | string) => (typeof actor === 'string' ? actor : actor.openId);

// ── acting on a case ──

/** The subject alone fills in, submits and withdraws their application, and confirms a notice to them. */
export function subjectCheck(c: Case, actor: Actor, what: string): Refusal | null {
  return actor.openId === c.subjectOpenId ? null : refuse('forbidden', `只有当事人本人可以${what}。`);
}

/** 组织启动: a secretary or clerk opens a case about another officer, never about themselves. */
export function organisationOpenCheck(actor: Actor, subjectOpenId: string): Refusal | null {
  if (!isHandler(actor)) return refuse('forbidden', '只有党组书记或经办人可以由组织启动容错认定。');
  if (subjectOpenId === actor.openId)
    return refuse('recused', '不能对本人启动容错认定，请由其他经办人办理。');
  return null;
}

/** Refusal for anyone recused from the case (the subject, or a co-accused of its report). */
export function recusedCheck(c: Case, actor: Actor | string, what = '办理本案'): Refusal | null {
  // the subject's wording stays as it was; a co-accused handler is told who acts instead
  const next =
    openIdOf(actor) === c.subjectOpenId || what !== '办理本案' ? '' : '请由其他经办人或党组书记办理';
  const reason = recusalReason(c, actor, what, next);
  return reason === null ? null : refuse('recused', reason);
}

/** Secretary or clerk, never anyone recused. */
export function handlerCheck(c: Case, actor: Actor, what: string): Refusal | null {
  const recused = recusedCheck(c, actor);
  if (recused) return recused;
  if (!isHandler(actor)) return refuse('forbidden', `只有党组书记或经办人可以${what}。`);
  return null;
}

/** Secretary only, never anyone recused. */
export function secretaryCheck(c: Case, actor: Actor, what: string): Refusal | null {
  const recused = recusedCheck(c, actor);
  if (recused) return recused;
  if (!hasRole(actor, 'secretary')) return refuse('forbidden', `只有党组书记可以${what}。`);
  return null;
}

/** An investigator assigned to the case, never anyone recused (art. 13: the unit investigates). */
export function investigatorCheck(c: Case, actor: Actor): Refusal | null {
  const recused = recusedCheck(c, actor);
  if (recused) return recused;
  if (!c.investigators.includes(actor.openId) || !hasRole(actor, 'investigator'))
    return refuse('forbidden', '只有被指派的核查人员可以提交核查意见。');
  return null;
}

/** A member on the open round's list of voters, never anyone recused (art. 13: the party group decides). */
export function voterCheck(c: Case, actor: Actor): Refusal | null {
  const recused = recusedCheck(c, actor, '参加表决');
  if (recused) return recused;
  const d = c.deliberation;
  if (c.status !== 'deliberating' || d === null) return wrongState(c, '表决');
  if (!d.eligibleVoters.includes(actor.openId)) return refuse('forbidden', '您不在本轮表决名单中。');
  if (d.status !== 'open') return refuse('too_late', '本轮表决已经结束，不能再投票。');
  return null;
}

/** Delivery receipts come from the outbox (system) or a secretary or clerk following up by hand. */
export function deliveryCheck(c: Case, actor: Actor): Refusal | null {
  if (actor.openId === SYSTEM_OPEN_ID) return null;
  const recused = recusalReason(c, actor, '办理本案');
  if (recused) return refuse('recused', recused);
  if (!isHandler(actor)) return refuse('forbidden', '只有党组书记或经办人可以登记告知送达情况。');
  return null;
}

// ── the correction (arts. 15–16) ──

/** The person the order names as responsible, whatever the order's state (confirming receipt). */
export function addresseeCheck(c: Case, actor: Actor | string, what: string): Refusal | null {
  if (openIdOf(actor) === c.correction?.responsible.openId) return null;
  return refuse('forbidden', `只有整改责任人可以${what}。`);
}

/** The responsible person acting on an open order. */
export function responsibleCheck(c: Case, actor: Actor | string, what: string): Refusal | null {
  const order = c.correction;
  if (order?.status === 'accepted') return refuse('invalid_state', '本案整改已验收，案件已办结。');
  if (order === null || c.status !== 'correcting') return wrongState(c, what);
  const addressee = addresseeCheck(c, actor, what);
  if (addressee) return addressee;
  if (order.status === 'completed') return refuse('invalid_state', '已报告整改完成，正在等待党组书记验收。');
  return null;
}

/** Art. 16: the responsible person may ask for an extension before the deadline passes, one at a time. */
export function extensionCheck(c: Case, actor: Actor | string, today: string): Refusal | null {
  const denied = responsibleCheck(c, actor, '申请延期');
  if (denied) return denied;
  const order = c.correction;
  if (order === null) return wrongState(c, '申请延期');
  if (today > order.deadline)
    return refuse('too_late', `整改期限（${order.deadline}）已过，不能再申请延期，请尽快完成整改并报告。`);
  if (order.extensions.some((x) => x.status === 'pending'))
    return refuse('duplicate', '已有一份延期申请正在审批，请等待结果。');
  return null;
}

/** The responsible person (even a secretary) never decides on their own correction; another secretary does. */
export function ownCorrectionCheck(c: Case, actor: Actor, what: string): Refusal | null {
  if (actor.openId !== c.correction?.responsible.openId) return null;
  return refuse('recused', `整改责任人不能${what}，请由其他党组书记办理。`);
}

// ── acting on a report ──

const REPORT_RECUSED = '该举报涉及您本人，依规回避，不能办理。';

/** Secretary or clerk (or secretary only), never one of the accused. */
export function reportHandlerCheck(
  r: Report,
  actor: Actor,
  what: string,
  secretaryOnly = false,
): Refusal | null {
  if (r.accused.includes(actor.openId)) return refuse('recused', REPORT_RECUSED);
  if (secretaryOnly ? !hasRole(actor, 'secretary') : !isHandler(actor))
    return refuse('forbidden', `只有${secretaryOnly ? '党组书记' : '党组书记或经办人'}可以${what}。`);
  return null;
}

/** An investigator assigned to the report, never one of the accused. */
export function reportInvestigatorCheck(r: Report, actor: Actor): Refusal | null {
  if (r.accused.includes(actor.openId)) return refuse('recused', REPORT_RECUSED);
  if (!r.investigators.includes(actor.openId) || !hasRole(actor, 'investigator'))
    return refuse('forbidden', '只有被指派的核查人员可以提交核查意见。');
  return null;
}

// ── what the commands hand out ──

/** 统计: party members and the secretary only (art. 17: the party group studies the error-prone cases). */
export function statsCheck(actor: Actor): Refusal | null {
  if (hasRole(actor, 'party_member')) return null;
  if (hasRole(actor, 'admin'))
    return refuse(
      'forbidden',
      '统计包含案件情况，只向党组成员和党组书记提供。管理员只负责配置，按职责分离不查看案件内容。',
    );
  return refuse(
    'forbidden',
    '统计只向党组成员和党组书记提供（第十七条：由党组研究分析易错情形）。查看本人案件请发送「我的案件」；如需了解统计情况，请联系党组书记。',
  );
}

/** 台账: party members, the secretary and clerks. */
export function ledgerCheck(actor: Actor): Refusal | null {
  if (hasRole(actor, 'party_member') || hasRole(actor, 'clerk')) return null;
  return refuse('forbidden', '台账只向党组成员、党组书记和经办人提供。查看本人案件请发送「我的案件」。');
}

/** 归档: the secretary only. */
export function archiveCheck(actor: Actor): Refusal | null {
  return hasRole(actor, 'secretary') ? null : refuse('forbidden', '案件归档只向党组书记提供。');
}

/** 送达回证: the secretary or a clerk. */
export function serviceReceiptCheck(actor: Actor): Refusal | null {
  return isHandler(actor) ? null : refuse('forbidden', '送达回证只向党组书记和经办人提供。');
}
