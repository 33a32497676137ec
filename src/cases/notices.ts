import { businessDate, calendarDaysBetween } from '../calendar';
import { deliveryCheck, recusedFrom, subjectCheck } from './access';
import { accept, caseAudit, iso, refuse, today, touch, voteLabel, wrongState } from './common';
import { handlersExcept } from './intake';
import type {
  Actor,
  Case,
  CaseCommandOf as Cmd,
  Decision,
  Env,
  Intent,
  Notice,
  NoticeKind,
  NoticeTarget,
  TemplateName,
} from './types';

export function makeNotice(
  id: string,
  kind: NoticeKind,
  target: NoticeTarget,
  dueOn: string,
  env: Env,
): Notice {
  return {
    id,
    kind,
    target,
    dueOn,
    attempts: 0,
    // the first send is requested together with the decision, so follow-ups wait from now
    lastAttemptAt: iso(env),
    sentAt: null,
    deliveredAt: null,
    failedAt: null,
    lastError: null,
    acknowledgedAt: null,
    escalatedAt: null,
  };
}

const TEMPLATE: Record<NoticeKind, TemplateName> = {
  subject: 'notice.determination',
  unit: 'notice.determination_unit',
  publication: 'publication.determination',
};

/** The message a notice sends (first time, on retry or as a reminder). */
export function noticeIntent(c: Case, n: Notice, env: Env, reminder = false): Intent {
  const d = c.determination;
  return {
    kind: 'tell',
    to: n.target,
    template: reminder ? 'notice.reminder' : TEMPLATE[n.kind],
    caseId: c.id,
    data: {
      noticeId: n.id,
      number: c.number,
      title: c.facts.title,
      outcome: d?.outcome ?? null,
      outcomeLabel: d ? voteLabel(env.policy, d.outcome) : null,
      basis: d?.basis ?? null,
      citedItems: d?.citedItems ?? [],
      statement: d?.statement ?? null,
      dueOn: n.dueOn,
    },
    ...(n.kind === 'subject' ? { needsReceipt: true } : {}),
    ...(reminder ? { urgent: true } : {}),
  };
}

/** A notice is done when the subject acknowledged it, or when a chat message went out. */
export function noticeDone(n: Notice): boolean {
  return n.kind === 'subject' ? n.acknowledgedAt !== null : n.sentAt !== null || n.deliveredAt !== null;
}

function withNotice(c: Case, id: string, f: (n: Notice) => Notice): Notice[] {
  return c.notices.map((n) => (n.id === id ? f(n) : n));
}

export function recordNoticeDelivery(
  c: Case,
  cmd: Cmd<'notice_sent'> | Cmd<'notice_delivered'> | Cmd<'notice_failed'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = deliveryCheck(c, actor);
  if (denied) return denied;
  const n = c.notices.find((x) => x.id === cmd.noticeId);
  if (!n) return refuse('not_found', '没有找到这条告知。');
  const at = iso(env);
  let changed: Notice;
  if (cmd.type === 'notice_sent') {
    changed = { ...n, attempts: n.attempts + 1, sentAt: at, lastAttemptAt: at, lastError: null };
  } else if (cmd.type === 'notice_delivered') {
    if (n.deliveredAt !== null) return accept(c, []);
    changed = { ...n, deliveredAt: at, sentAt: n.sentAt ?? at };
  } else {
    changed = { ...n, attempts: n.attempts + 1, failedAt: at, lastAttemptAt: at, lastError: cmd.error };
  }
  const next = touch(c, env, { notices: withNotice(c, n.id, () => changed) });
  return accept(
    next,
    [caseAudit(c, actor, `notice.${cmd.type.slice('notice_'.length)}`, n, changed)],
    [{ kind: 'refresh_tracker', caseId: c.id }],
  );
}

/** The subject presses 确认收到. */
export function acknowledgeNotice(
  c: Case,
  cmd: Cmd<'acknowledge_notice'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = subjectCheck(c, actor, '确认收到告知');
  if (denied) return denied;
  const n = c.notices.find((x) => (cmd.noticeId ? x.id === cmd.noticeId : x.kind === 'subject'));
  if (n?.kind !== 'subject') return refuse('not_found', '没有需要您确认的告知。');
  if (n.acknowledgedAt !== null) return accept(c, []);
  const at = iso(env);
  const changed: Notice = {
    ...n,
    acknowledgedAt: at,
    deliveredAt: n.deliveredAt ?? at,
    sentAt: n.sentAt ?? at,
  };
  const next = touch(c, env, { notices: withNotice(c, n.id, () => changed) });
  return accept(
    next,
    [caseAudit(c, actor, 'notice.acknowledged', { acknowledgedAt: null }, { acknowledgedAt: at })],
    [{ kind: 'refresh_tracker', caseId: c.id }],
  );
}

export interface NoticeDue {
  noticeId: string;
  action: 'resend' | 'remind' | 'escalate';
  intent: Intent;
}

/**
 * What the notice follow-up should do now: re-send what never went out, remind the subject who has
 * not acknowledged, both after `notice.retryAfterDays`; escalate once to the handlers on the last
 * day (or after the deadline when the policy says so) for anything still not done.
 */
export function noticesDue(c: Case, env: Env): NoticeDue[] {
  if (c.status !== 'decided' && c.status !== 'correcting') return [];
  const policy = env.policy.notice;
  const d = today(env);
  const due: NoticeDue[] = [];
  for (const n of c.notices) {
    if (noticeDone(n)) continue;
    const last = n.lastAttemptAt ? businessDate(new Date(n.lastAttemptAt)) : null;
    if (last === null || calendarDaysBetween(last, d) >= policy.retryAfterDays) {
      const remind = n.kind === 'subject' && n.sentAt !== null;
      due.push({
        noticeId: n.id,
        action: remind ? 'remind' : 'resend',
        intent: noticeIntent(c, n, env, remind),
      });
    }
    const escalateNow = policy.escalateOnLastDay ? d >= n.dueOn : d > n.dueOn;
    if (n.escalatedAt === null && escalateNow) {
      due.push({
        noticeId: n.id,
        action: 'escalate',
        intent: {
          kind: 'tell',
          to: handlersExcept(...recusedFrom(c)),
          template: 'notice.escalation',
          caseId: c.id,
          data: {
            noticeId: n.id,
            number: c.number,
            kind: n.kind,
            target: n.target,
            dueOn: n.dueOn,
            sent: n.sentAt !== null,
            lastError: n.lastError,
          },
          urgent: true,
        },
      });
    }
  }
  return due;
}

/** Applies `noticesDue`: records the attempt or escalation so the next tick does not repeat it. */
export function followUpNotices(
  c: Case,
  _cmd: Cmd<'follow_up_notices'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = deliveryCheck(c, actor);
  if (denied) return denied;
  if (c.status !== 'decided' && c.status !== 'correcting') return wrongState(c, '催办告知');
  const due = noticesDue(c, env);
  if (due.length === 0) return accept(c, []);
  const at = iso(env);
  const notices = c.notices.map((n) => {
    const mine = due.filter((x) => x.noticeId === n.id);
    if (mine.length === 0) return n;
    return {
      ...n,
      lastAttemptAt: mine.some((x) => x.action !== 'escalate') ? at : n.lastAttemptAt,
      escalatedAt: mine.some((x) => x.action === 'escalate') ? at : n.escalatedAt,
    };
  });
  const next = touch(c, env, { notices });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        'notice.followed_up',
        null,
        due.map((x) => ({ noticeId: x.noticeId, action: x.action })),
      ),
    ],
    due.map((x) => x.intent),
  );
}
