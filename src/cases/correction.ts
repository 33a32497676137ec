import {
  addCalendarDays,
  businessDate,
  businessMinuteOfDay,
  calendarDaysBetween,
  isIsoDate,
  reminderInstants,
} from '../calendar';
import { extensionCheck, ownCorrectionCheck, recusedFrom, responsibleCheck, secretaryCheck } from './access';
import { accept, caseAudit, idsOf, iso, refuse, textTooLong, today, touch, wrongState } from './common';
import type {
  Actor,
  Case,
  CaseCommandOf as Cmd,
  CorrectionOrder,
  CorrectionOrderInput,
  Decision,
  Env,
  Intent,
  Refusal,
} from './types';
import { SYSTEM_OPEN_ID } from './types';

/** Validates a correction order (art. 16): reason, items, responsible person, deadline, improvement duty. */
export function buildCorrectionOrder(
  input: CorrectionOrderInput,
  actor: Actor,
  env: Env,
): CorrectionOrder | Refusal {
  const { policy } = env;
  const d = today(env);
  const reason = input.reason.trim();
  if (reason === '') return refuse('invalid', '请填写「纠错事由」。');
  if (input.items.length === 0) return refuse('invalid', '请至少填写一项「纠错要求」或「纠错建议」。');
  for (const item of input.items) {
    if (item.text.trim() === '') return refuse('invalid', '「纠错要求」「纠错建议」的每一项都须写明内容。');
    if (item.kind !== 'requirement' && item.kind !== 'suggestion')
      return refuse('invalid', '「纠错事项」须注明是纠错要求还是纠错建议。');
  }
  if (input.responsible.openId.trim() === '') return refuse('invalid', '请指定「整改责任人」。');
  const unitId = input.responsible.unitId ?? null;
  if (unitId !== null && !idsOf(policy.units).includes(unitId))
    return refuse('invalid', '「责任科室」不在可选范围内。');
  const improveRules = input.improveRules.trim();
  if (improveRules === '') return refuse('invalid', '请写明分析原因、完善制度、健全机制的要求。');
  if ([reason, improveRules, ...input.items.map((i) => i.text)].some((t) => textTooLong(policy, t)))
    return refuse('invalid', '纠错通知的内容过长。');
  const deadline = input.deadline ?? env.calendar.deadline(d, policy.correction.defaultPeriod);
  if (!isIsoDate(deadline)) return refuse('invalid', '「整改期限」格式不正确。');
  if (deadline < d) return refuse('invalid', '「整改期限」不能早于今天。');
  return {
    reason,
    items: input.items.map((i) => ({ kind: i.kind, text: i.text.trim() })),
    responsible: { openId: input.responsible.openId, unitId },
    deadline,
    improveRules,
    status: 'open',
    progress: [],
    completion: null,
    extensions: [],
    returns: [],
    acceptedBy: null,
    acceptedAt: null,
    remindedOn: [],
    lastOverdueReminderOn: null,
    escalatedAt: null,
    setBy: actor.openId,
    setAt: iso(env),
  };
}

export function correctionOrderedIntent(c: Case, order: CorrectionOrder): Intent {
  return {
    kind: 'tell',
    to: { user: order.responsible.openId },
    template: 'correction.ordered',
    caseId: c.id,
    data: { number: c.number, reason: order.reason, items: order.items, deadline: order.deadline },
    needsReceipt: true,
  };
}

/** Secretaries who may decide on the order: never anyone recused, never the responsible person. */
const SECRETARY = (c: Case, order: CorrectionOrder) => ({
  roles: ['secretary' as const],
  exclude: [...new Set([...recusedFrom(c), order.responsible.openId])],
});

/** Art. 15: when the determination did not carry the order, the secretary sets it afterwards. */
export function setCorrectionOrder(
  c: Case,
  cmd: Cmd<'set_correction_order'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = secretaryCheck(c, actor, '下达纠错通知');
  if (denied) return denied;
  if (c.correction !== null) return refuse('duplicate', '本案已经下达纠错通知。');
  if (c.status !== 'decided' || c.determination === null) return wrongState(c, '下达纠错通知');
  const order = buildCorrectionOrder(cmd.order, actor, env);
  if ('ok' in order) return order;
  const next = touch(c, env, {
    status: 'correcting',
    correction: order,
    determination: { ...c.determination, correctionRequired: true },
  });
  return accept(
    next,
    [caseAudit(c, actor, 'correction.ordered', { status: c.status }, { status: 'correcting', order })],
    [correctionOrderedIntent(next, order), { kind: 'refresh_tracker', caseId: c.id }],
  );
}

/** The open order the responsible person acts on, or why they may not `what`. */
function responsibleOrder(c: Case, actor: Actor, what: string): { order: CorrectionOrder } | Refusal {
  const denied = responsibleCheck(c, actor, what);
  if (denied) return denied;
  return c.correction ? { order: c.correction } : wrongState(c, what);
}

export function reportProgress(c: Case, cmd: Cmd<'report_progress'>, actor: Actor, env: Env): Decision<Case> {
  const r = responsibleOrder(c, actor, '报告整改进展');
  if ('ok' in r) return r;
  const text = cmd.text.trim();
  if (text === '') return refuse('invalid', '请填写整改进展。');
  if (textTooLong(env.policy, text)) return refuse('invalid', '整改进展过长。');
  const entry = { text, attachments: cmd.attachments ?? [], by: actor.openId, at: iso(env) };
  const next = touch(c, env, { correction: { ...r.order, progress: [...r.order.progress, entry] } });
  return accept(
    next,
    [caseAudit(c, actor, 'correction.progress_reported', null, entry)],
    [
      {
        kind: 'tell',
        to: SECRETARY(c, r.order),
        template: 'correction.progress',
        caseId: c.id,
        data: { number: c.number, text },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

/** Art. 16: apply, before the deadline passes, for a later date with a reason. */
export function requestExtension(
  c: Case,
  cmd: Cmd<'request_extension'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = extensionCheck(c, actor, today(env));
  if (denied) return denied;
  const r = responsibleOrder(c, actor, '申请延期');
  if ('ok' in r) return r;
  const { order } = r;
  if (order.extensions.some((x) => x.id === cmd.extensionId))
    return refuse('duplicate', '该延期申请已经提交。');
  const reason = cmd.reason.trim();
  if (reason === '') return refuse('invalid', '请填写延期理由。');
  if (textTooLong(env.policy, reason)) return refuse('invalid', '延期理由过长。');
  if (!isIsoDate(cmd.newDeadline)) return refuse('invalid', '「申请延长至」的日期格式不正确。');
  if (cmd.newDeadline <= order.deadline)
    return refuse('invalid', `「申请延长至」的日期须晚于现在的期限（${order.deadline}）。`);
  const ext = {
    id: cmd.extensionId,
    reason,
    newDeadline: cmd.newDeadline,
    requestedBy: actor.openId,
    requestedAt: iso(env),
    status: 'pending' as const,
    decidedBy: null,
    decidedAt: null,
    refusalReason: null,
  };
  const next = touch(c, env, { correction: { ...order, extensions: [...order.extensions, ext] } });
  return accept(
    next,
    [caseAudit(c, actor, 'correction.extension_requested', { deadline: order.deadline }, ext)],
    [
      {
        kind: 'tell',
        to: SECRETARY(c, order),
        template: 'correction.extension_requested',
        caseId: c.id,
        data: {
          number: c.number,
          extensionId: ext.id,
          reason,
          deadline: order.deadline,
          newDeadline: ext.newDeadline,
        },
      },
    ],
  );
}

export function decideExtension(
  c: Case,
  cmd: Cmd<'decide_extension'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = secretaryCheck(c, actor, '审批延期申请');
  if (denied) return denied;
  const order = c.correction;
  if (order === null || c.status !== 'correcting') return wrongState(c, '审批延期申请');
  const own = ownCorrectionCheck(c, actor, '审批自己的延期申请');
  if (own) return own;
  const ext = order.extensions.find((x) => x.id === cmd.extensionId);
  if (!ext) return refuse('not_found', '没有找到这份延期申请。');
  if (ext.status !== 'pending') return refuse('duplicate', '这份延期申请已经处理过了。');
  const reason = (cmd.reason ?? '').trim();
  if (!cmd.approve && reason === '') return refuse('invalid', '不同意延期时请说明理由。');
  if (cmd.approve && ext.newDeadline < today(env))
    return refuse('too_late', `申请的新期限（${ext.newDeadline}）已经过去，不能批准。`);
  const decided = {
    ...ext,
    status: cmd.approve ? ('approved' as const) : ('refused' as const),
    decidedBy: actor.openId,
    decidedAt: iso(env),
    refusalReason: cmd.approve ? null : reason,
  };
  const extensions = order.extensions.map((x) => (x.id === ext.id ? decided : x));
  // a new deadline starts the reminder schedule afresh
  const correction: CorrectionOrder = cmd.approve
    ? {
        ...order,
        extensions,
        deadline: ext.newDeadline,
        remindedOn: [],
        lastOverdueReminderOn: null,
        escalatedAt: null,
      }
    : { ...order, extensions };
  const next = touch(c, env, { correction });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        cmd.approve ? 'correction.extension_approved' : 'correction.extension_refused',
        { deadline: order.deadline, extension: ext },
        { deadline: correction.deadline, extension: decided },
      ),
    ],
    [
      {
        kind: 'tell',
        to: { user: order.responsible.openId },
        template: 'correction.extension_decided',
        caseId: c.id,
        data: { number: c.number, approved: cmd.approve, deadline: correction.deadline, reason },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

export function reportCompletion(
  c: Case,
  cmd: Cmd<'report_completion'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const r = responsibleOrder(c, actor, '报告整改完成');
  if ('ok' in r) return r;
  const text = cmd.text.trim();
  if (text === '') return refuse('invalid', '请说明整改完成情况。');
  if (textTooLong(env.policy, text)) return refuse('invalid', '整改完成情况过长。');
  if (cmd.evidence.length === 0) return refuse('incomplete', '请附上整改完成的证明材料。');
  const completion = { text, evidence: cmd.evidence, by: actor.openId, at: iso(env) };
  const next = touch(c, env, { correction: { ...r.order, status: 'completed', completion } });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        'correction.completion_reported',
        { status: 'open' },
        { status: 'completed', completion },
      ),
    ],
    [
      {
        kind: 'tell',
        to: SECRETARY(c, r.order),
        template: 'correction.completed',
        caseId: c.id,
        data: { number: c.number, text, evidence: cmd.evidence.length },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

/** Completion accepted: the case closes. */
export function acceptCompletion(
  c: Case,
  _cmd: Cmd<'accept_completion'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = secretaryCheck(c, actor, '验收整改');
  if (denied) return denied;
  const order = c.correction;
  if (order === null || c.status !== 'correcting') return wrongState(c, '验收整改');
  const own = ownCorrectionCheck(c, actor, '验收自己的整改');
  if (own) return own;
  if (order.status !== 'completed') return refuse('invalid_state', '整改责任人尚未报告整改完成。');
  const at = iso(env);
  const next = touch(c, env, {
    status: 'closed',
    closedAt: at,
    correction: { ...order, status: 'accepted', acceptedBy: actor.openId, acceptedAt: at },
  });
  return accept(
    next,
    [caseAudit(c, actor, 'correction.accepted', { status: c.status }, { status: 'closed' })],
    [
      {
        kind: 'tell',
        to: { user: order.responsible.openId },
        template: 'correction.accepted',
        caseId: c.id,
        data: { number: c.number },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

export function returnCompletion(
  c: Case,
  cmd: Cmd<'return_completion'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = secretaryCheck(c, actor, '退回整改');
  if (denied) return denied;
  const order = c.correction;
  if (order === null || c.status !== 'correcting') return wrongState(c, '退回整改');
  const own = ownCorrectionCheck(c, actor, '验收或退回自己的整改');
  if (own) return own;
  if (order.status !== 'completed') return refuse('invalid_state', '整改责任人尚未报告整改完成。');
  const reason = cmd.reason.trim();
  if (reason === '') return refuse('invalid', '请填写退回理由。');
  const entry = { reason, by: actor.openId, at: iso(env) };
  const next = touch(c, env, {
    correction: { ...order, status: 'open', completion: null, returns: [...order.returns, entry] },
  });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        'correction.returned',
        { status: 'completed', completion: order.completion },
        entry,
      ),
    ],
    [
      {
        kind: 'tell',
        to: { user: order.responsible.openId },
        template: 'correction.returned',
        caseId: c.id,
        data: { number: c.number, reason, deadline: order.deadline },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

/** When the current deadline was set: the order, or the latest approved extension. */
function scheduleStart(order: CorrectionOrder): number {
  const approved = order.extensions
    .filter((x) => x.status === 'approved' && x.decidedAt !== null)
    .map((x) => Date.parse(x.decidedAt as string));
  return Math.max(Date.parse(order.setAt), ...approved);
}

/** SPEC §4: correction reminders go out in the reminder hour of a working day, never in the evening or on a rest day. */
export function inCorrectionReminderHour(env: Env): boolean {
  const minute = businessMinuteOfDay(env.now);
  const hour = env.policy.correction.reminderHour;
  return env.calendar.isWorkingDay(today(env)) && minute >= hour * 60 && minute < (hour + 1) * 60;
}

/**
 * The latest deadline an open order can have and still be due a reminder today: the furthest reminder
 * offset in working days from today, and a week more for deadlines on rest days. Orders due later need
 * not be read (the reminder job's query uses it; correctionRemindersDue still decides each one).
 */
export function correctionReminderHorizon(env: Env): string {
  const furthest = Math.max(0, ...env.policy.correction.reminderOffsetsDays);
  return addCalendarDays(env.calendar.addDays(today(env), furthest, 'working'), 7);
}

export interface CorrectionDue {
  intents: Intent[];
  /** Scheduled reminder dates this run covers. */
  remindedOn: string[];
  overdueReminderOn: string | null;
  escalate: boolean;
}

/**
 * Reminders for an open order, only within the reminder hour (`reminderHour` Shanghai) of a working day.
 * Before the deadline: the calendar's reminder schedule (`reminderInstants`), each date once, never a
 * slot that passed before the deadline was set; slots missed while the scheduler was down collapse into
 * one reminder. After the deadline: a daily overdue reminder and one escalation to the party group and the unit.
 */
export function correctionRemindersDue(c: Case, env: Env): CorrectionDue {
  const none: CorrectionDue = { intents: [], remindedOn: [], overdueReminderOn: null, escalate: false };
  const order = c.correction;
  if (c.status !== 'correcting' || order === null || order.status !== 'open') return none;
  const policy = env.policy.correction;
  const d = today(env);
  if (!inCorrectionReminderHour(env)) return none;
  const daysLeft = calendarDaysBetween(d, order.deadline);
  const base = { number: c.number, deadline: order.deadline, reason: order.reason };
  if (daysLeft >= 0) {
    // A slot that passed before this deadline was set (the order, or an approved extension) is skipped.
    const since = scheduleStart(order);
    const slots = reminderInstants(
      order.deadline,
      policy.reminderOffsetsDays,
      policy.reminderHour,
      env.calendar,
    )
      .filter((at) => at.getTime() <= env.now.getTime() && at.getTime() >= since)
      .map((at) => businessDate(at))
      .filter((date) => !order.remindedOn.includes(date));
    if (slots.length === 0) return none;
    return {
      ...none,
      remindedOn: slots,
      intents: [
        {
          kind: 'tell',
          to: { user: order.responsible.openId },
          template: 'correction.reminder',
          caseId: c.id,
          data: { ...base, daysLeft },
        },
      ],
    };
  }
  const intents: Intent[] = [];
  const remindToday = policy.overdueDaily
    ? order.lastOverdueReminderOn !== d
    : order.lastOverdueReminderOn === null;
  if (remindToday)
    intents.push({
      kind: 'tell',
      to: { user: order.responsible.openId },
      template: 'correction.overdue',
      caseId: c.id,
      data: { ...base, daysOverdue: -daysLeft },
      urgent: true,
    });
  const escalate = order.escalatedAt === null;
  if (escalate) {
    const data = { ...base, daysOverdue: -daysLeft, responsible: order.responsible.openId };
    intents.push({
      kind: 'tell',
      to: { chat: 'party' },
      template: 'correction.overdue_escalation',
      caseId: c.id,
      data,
    });
    if (order.responsible.unitId)
      intents.push({
        kind: 'tell',
        to: { chat: { unit: order.responsible.unitId } },
        template: 'correction.overdue_escalation',
        caseId: c.id,
        data,
      });
  }
  return { intents, remindedOn: [], overdueReminderOn: remindToday ? d : null, escalate };
}

/** Applies `correctionRemindersDue`, recording what was sent so the next tick does not repeat it. */
export function followUpCorrection(
  c: Case,
  _cmd: Cmd<'follow_up_correction'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  if (actor.openId !== SYSTEM_OPEN_ID) return refuse('forbidden', '整改提醒由系统自动发送。');
  const due = correctionRemindersDue(c, env);
  const order = c.correction;
  if (due.intents.length === 0 || order === null) return accept(c, []);
  const correction: CorrectionOrder = {
    ...order,
    remindedOn: [...order.remindedOn, ...due.remindedOn],
    lastOverdueReminderOn: due.overdueReminderOn ?? order.lastOverdueReminderOn,
    escalatedAt: due.escalate ? iso(env) : order.escalatedAt,
  };
  const next = touch(c, env, { correction });
  return accept(
    next,
    [
      caseAudit(c, actor, 'correction.reminded', null, {
        remindedOn: due.remindedOn,
        overdueReminderOn: due.overdueReminderOn,
        escalated: due.escalate,
      }),
    ],
    due.intents,
  );
}

/** Closes a decided case that needs no correction. */
export function closeCase(c: Case, _cmd: Cmd<'close'>, actor: Actor, env: Env): Decision<Case> {
  const denied = secretaryCheck(c, actor, '结案');
  if (denied) return denied;
  if (c.status === 'correcting') return refuse('invalid_state', '纠错整改尚未验收，不能结案。');
  if (c.status !== 'decided' || c.determination === null) return wrongState(c, '结案');
  if (c.determination.correctionRequired) return refuse('incomplete', '认定要求纠错，请先下达纠错通知。');
  const next = touch(c, env, { status: 'closed', closedAt: iso(env) });
  return accept(
    next,
    [caseAudit(c, actor, 'case.closed', { status: c.status }, { status: 'closed' })],
    [{ kind: 'refresh_tracker', caseId: c.id }],
  );
}
