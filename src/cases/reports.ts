import { createHash } from 'node:crypto';
import { formatReportNumber } from '../policy';
import { reportHandlerCheck, reportInvestigatorCheck } from './access';
import {
  accept,
  hasRole,
  idsOf,
  iso,
  labelOf,
  refuse,
  textTooLong,
  today,
  touch,
  unique,
  voteLabel,
} from './common';
import { blankCase, numbering } from './intake';
import type {
  Actor,
  AuditEntry,
  Case,
  ReportCommandOf as Cmd,
  ConvertReportCommand,
  Decision,
  Env,
  FileReportCommand,
  Intent,
  Refusal,
  Report,
  ReportCommand,
} from './types';
import { ANONYMOUS_OPEN_ID } from './types';

/** Codes are read back forgivingly: full-width characters, spaces and case do not matter. */
export function normaliseQueryCode(code: string): string {
  return code.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** sha-256 hex of the normalised query code; only this is stored for an anonymous report. */
export function hashQueryCode(code: string): string {
  return createHash('sha256').update(normaliseQueryCode(code), 'utf8').digest('hex');
}

function reportAudit(
  r: Report,
  actorOpenId: string,
  action: string,
  before: unknown,
  after: unknown,
): AuditEntry {
  return { action, actorOpenId, subject: `report:${r.id}`, before, after };
}

const STATUS_LABEL: Record<Report['status'], string> = {
  filed: '已登记',
  investigating: '核查中',
  concluded: '已办结待反馈',
  closed: '已办结',
};

function wrongReportState(r: Report, action: string): Refusal {
  return refuse('invalid_state', `举报当前状态为「${STATUS_LABEL[r.status]}」，不能${action}。`);
}

/** Who handles reports, minus anyone the report accuses. */
function handlers(r: Report, roles: ('secretary' | 'clerk')[] = ['secretary', 'clerk']) {
  return { roles, exclude: [...r.accused] };
}

/**
 * Anyone may file a report. An anonymous report stores no identity at all: no reporter id, and the
 * audit actor is 'anonymous'; the reporter keeps the query code the shell generated and shows once.
 */
export function fileReport(cmd: FileReportCommand, actor: Actor, env: Env): Decision<Report> {
  const { policy } = env;
  const accused = unique(cmd.accused.filter((id) => id.trim() !== ''));
  if (accused.length === 0) return refuse('invalid', '请指明被举报的执法人员。');
  const matter = cmd.matter.trim();
  if (matter === '') return refuse('invalid', '「举报事项」不能为空。');
  if (matter.length > policy.limits.titleMaxLength)
    return refuse('invalid', `「举报事项」不能超过 ${policy.limits.titleMaxLength} 个字。`);
  const content = cmd.content.trim();
  if (content === '') return refuse('invalid', '「举报内容」不能为空。');
  if (textTooLong(policy, content))
    return refuse('invalid', `「举报内容」不能超过 ${policy.limits.textMaxLength} 个字。`);
  if (!cmd.realName && !cmd.queryCode) throw new Error('fileReport: an anonymous report needs a query code');
  const year = Number(today(env).slice(0, 4));
  const at = iso(env);
  const report: Report = {
    id: cmd.reportId,
    number: formatReportNumber(policy, year, cmd.seq),
    year,
    seq: cmd.seq,
    accused,
    matter,
    content,
    attachments: cmd.attachments ?? [],
    realName: cmd.realName,
    ...(cmd.realName
      ? { reporterOpenId: actor.openId }
      : { queryCodeHash: hashQueryCode(cmd.queryCode as string) }),
    status: 'filed',
    investigators: [],
    findings: null,
    outcome: null,
    feedback: null,
    clearings: [],
    convertedCases: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const intents: Intent[] = [
    {
      kind: 'tell',
      to: handlers(report),
      template: 'report.filed',
      reportId: report.id,
      data: { number: report.number, matter, realName: report.realName },
    },
  ];
  if (cmd.realName)
    intents.push({
      kind: 'tell',
      to: { user: actor.openId },
      template: 'report.received',
      reportId: report.id,
      data: { number: report.number },
    });
  return accept(
    report,
    [
      reportAudit(report, cmd.realName ? actor.openId : ANONYMOUS_OPEN_ID, 'report.filed', null, {
        number: report.number,
        accused,
        matter,
        realName: report.realName,
      }),
    ],
    intents,
  );
}

export function assignReportInvestigator(
  r: Report,
  cmd: Cmd<'assign_investigator'>,
  actor: Actor,
  env: Env,
): Decision<Report> {
  const denied = reportHandlerCheck(r, actor, '指派核查人员');
  if (denied) return denied;
  if (r.status !== 'filed' && r.status !== 'investigating') return wrongReportState(r, '指派核查人员');
  const who = cmd.investigator;
  if (r.accused.includes(who.openId))
    return refuse('recused', '被指派人是被举报人，依规回避，不能核查该举报。');
  if (r.realName && who.openId === r.reporterOpenId)
    return refuse('recused', '被指派人是举报人，不能核查该举报。');
  if (!hasRole(who, 'investigator')) return refuse('invalid', '被指派人不是核查人员，请先由管理员设置角色。');
  if (r.investigators.includes(who.openId)) return refuse('duplicate', '该核查人员已被指派核查该举报。');
  const investigators = [...r.investigators, who.openId];
  const next = touch(r, env, { investigators, status: 'investigating' });
  return accept(
    next,
    [
      reportAudit(
        r,
        actor.openId,
        'report.investigator_assigned',
        { investigators: r.investigators },
        { investigators },
      ),
    ],
    [
      {
        kind: 'tell',
        to: { user: who.openId },
        template: 'report.investigator_assigned',
        reportId: r.id,
        data: { number: r.number, matter: r.matter },
      },
    ],
  );
}

export function submitReportFindings(
  r: Report,
  cmd: Cmd<'submit_findings'>,
  actor: Actor,
  env: Env,
): Decision<Report> {
  const denied = reportInvestigatorCheck(r, actor);
  if (denied) return denied;
  if (r.status !== 'investigating') return wrongReportState(r, '提交核查意见');
  const text = cmd.text.trim();
  if (text === '') return refuse('invalid', '请填写核查意见。');
  if (textTooLong(env.policy, text)) return refuse('invalid', '核查意见过长。');
  const findings = { text, by: actor.openId, at: iso(env) };
  const next = touch(r, env, { findings });
  return accept(
    next,
    [reportAudit(r, actor.openId, 'report.findings_submitted', r.findings, findings)],
    [
      {
        kind: 'tell',
        to: handlers(r, ['secretary']),
        template: 'report.findings_submitted',
        reportId: r.id,
        data: { number: r.number },
      },
    ],
  );
}

export function recordReportOutcome(
  r: Report,
  cmd: Cmd<'record_outcome'>,
  actor: Actor,
  env: Env,
): Decision<Report> {
  const denied = reportHandlerCheck(r, actor, '认定举报核查结果', true);
  if (denied) return denied;
  if (r.status !== 'filed' && r.status !== 'investigating') return wrongReportState(r, '认定核查结果');
  if (r.investigators.length > 0 && r.findings === null)
    return refuse('incomplete', '核查人员尚未提交核查意见。');
  if (!idsOf(env.policy.reportOutcomes).includes(cmd.result))
    return refuse('invalid', '核查结果不在可选范围内。');
  const caseId = cmd.caseId ?? null;
  if (cmd.result === 'tolerated' && !caseId)
    return refuse('invalid', '认定属于容错免责情形的，请关联对应的容错案件。');
  // Art. 18: 「经认定予以容错免责」 — only a linked case already decided exempt makes it so.
  if (cmd.result === 'tolerated') {
    const det = cmd.linkedDetermination ?? null;
    if (det === null)
      return refuse(
        'invalid_state',
        '第十八条：只有经认定予以容错免责的情形才能认定「属于容错免责情形」，关联的案件尚未作出认定结论。',
      );
    if (det.outcome !== 'exempt')
      return refuse(
        'invalid',
        `第十八条：关联的案件认定为「${voteLabel(env.policy, det.outcome)}」，不属于经认定予以容错免责的情形。`,
      );
  }
  const note = cmd.note.trim();
  if (textTooLong(env.policy, note)) return refuse('invalid', '结果说明过长。');
  const outcome = { result: cmd.result, note, caseId, by: actor.openId, at: iso(env) };
  const next = touch(r, env, { outcome, status: 'concluded' });
  return accept(next, [
    reportAudit(r, actor.openId, 'report.outcome_recorded', { status: r.status }, outcome),
  ]);
}

/** Art. 18: real-name reporters get the result directly; anonymous ones, an explanation in a chosen chat. */
export function sendReportFeedback(
  r: Report,
  cmd: Cmd<'send_feedback'>,
  actor: Actor,
  env: Env,
): Decision<Report> {
  const denied = reportHandlerCheck(r, actor, '反馈举报结果', true);
  if (denied) return denied;
  if (r.outcome === null) return refuse('invalid_state', '尚未认定核查结果，不能反馈。');
  if (r.feedback !== null) return refuse('duplicate', '该举报已经反馈过结果。');
  const text = cmd.text.trim();
  if (text === '') return refuse('invalid', '请填写反馈内容。');
  if (textTooLong(env.policy, text)) return refuse('invalid', '反馈内容过长。');
  const chatId = cmd.chatId ?? null;
  if (!r.realName && !chatId) return refuse('invalid', '匿名举报须选择一个群，在一定范围内说明情况。');
  const data = {
    number: r.number,
    matter: r.matter,
    result: r.outcome.result,
    resultLabel: labelOf(env.policy.reportOutcomes, r.outcome.result),
    text,
  };
  const intent: Intent = r.realName
    ? {
        kind: 'tell',
        to: { user: r.reporterOpenId as string },
        template: 'report.feedback',
        reportId: r.id,
        data,
      }
    : {
        kind: 'tell',
        to: { chat: { id: chatId as string } },
        template: 'report.explanation',
        reportId: r.id,
        data,
      };
  const feedback = {
    kind: r.realName ? ('direct' as const) : ('chat' as const),
    chatId: r.realName ? null : chatId,
    text,
    by: actor.openId,
    at: iso(env),
  };
  const next = touch(r, env, { feedback });
  return accept(next, [reportAudit(r, actor.openId, 'report.feedback_sent', null, feedback)], [intent]);
}

const CLEARABLE = ['false', 'unfounded'];

/** 澄清正名, step 1: the secretary asks the officer concerned for consent. */
export function requestClearing(
  r: Report,
  cmd: Cmd<'request_clearing'>,
  actor: Actor,
  env: Env,
): Decision<Report> {
  const denied = reportHandlerCheck(r, actor, '为被举报人澄清正名', true);
  if (denied) return denied;
  if (r.outcome === null || !CLEARABLE.includes(r.outcome.result))
    return refuse('invalid_state', '只有经查不属实或查无实据的举报，才能为被举报人澄清正名。');
  if (!r.accused.includes(cmd.officerOpenId)) return refuse('invalid', '只能为被举报的执法人员澄清正名。');
  if (r.clearings.some((c) => c.officerOpenId === cmd.officerOpenId))
    return refuse('duplicate', '已经就此征求过该同志的意见。');
  const clearing = {
    officerOpenId: cmd.officerOpenId,
    requestedBy: actor.openId,
    requestedAt: iso(env),
    consent: 'pending' as const,
    consentAt: null,
    chatId: null,
    publishedBy: null,
    publishedAt: null,
  };
  const next = touch(r, env, { clearings: [...r.clearings, clearing] });
  return accept(
    next,
    [reportAudit(r, actor.openId, 'report.clearing_requested', null, clearing)],
    [
      {
        kind: 'tell',
        to: { user: cmd.officerOpenId },
        template: 'report.clearing_consent',
        reportId: r.id,
        data: {
          number: r.number,
          matter: r.matter,
          resultLabel: labelOf(env.policy.reportOutcomes, r.outcome.result),
        },
      },
    ],
  );
}

/** Step 2: the officer agrees (or declines) with a button. */
export function answerClearing(
  r: Report,
  cmd: Cmd<'answer_clearing'>,
  actor: Actor,
  env: Env,
): Decision<Report> {
  const clearing = r.clearings.find((c) => c.officerOpenId === actor.openId);
  if (!clearing) return refuse('forbidden', '没有需要您确认的澄清正名事项。');
  const answer = cmd.agree ? 'agreed' : 'declined';
  if (clearing.consent === answer) return accept(r, []);
  if (clearing.consent !== 'pending') return refuse('duplicate', '您已经答复过了。');
  const changed = { ...clearing, consent: answer, consentAt: iso(env) } as const;
  const next = touch(r, env, {
    clearings: r.clearings.map((c) => (c.officerOpenId === actor.openId ? changed : c)),
  });
  return accept(
    next,
    [reportAudit(r, actor.openId, 'report.clearing_answered', { consent: 'pending' }, { consent: answer })],
    [
      {
        kind: 'tell',
        to: handlers(r, ['secretary']),
        template: 'report.clearing_answered',
        reportId: r.id,
        data: { number: r.number, officerOpenId: actor.openId, agreed: cmd.agree },
      },
    ],
  );
}

/** Step 3: with consent, the secretary publishes the clearing notice to a chosen chat. */
export function publishClearing(
  r: Report,
  cmd: Cmd<'publish_clearing'>,
  actor: Actor,
  env: Env,
): Decision<Report> {
  const denied = reportHandlerCheck(r, actor, '发布澄清正名通报', true);
  if (denied) return denied;
  const clearing = r.clearings.find((c) => c.officerOpenId === cmd.officerOpenId);
  if (!clearing) return refuse('invalid_state', '请先征求该同志本人的意见。');
  if (clearing.publishedAt !== null) return refuse('duplicate', '澄清正名通报已经发布。');
  if (clearing.consent !== 'agreed') return refuse('invalid_state', '该同志尚未同意发布澄清正名通报。');
  if (cmd.chatId.trim() === '') return refuse('invalid', '请选择发布澄清正名通报的群。');
  const changed = { ...clearing, chatId: cmd.chatId, publishedBy: actor.openId, publishedAt: iso(env) };
  const next = touch(r, env, {
    clearings: r.clearings.map((c) => (c.officerOpenId === cmd.officerOpenId ? changed : c)),
  });
  return accept(
    next,
    [reportAudit(r, actor.openId, 'report.clearing_published', { publishedAt: null }, changed)],
    [
      {
        kind: 'tell',
        to: { chat: { id: cmd.chatId } },
        template: 'report.clearing',
        reportId: r.id,
        data: {
          officerOpenId: cmd.officerOpenId,
          matter: r.matter,
          resultLabel: r.outcome ? labelOf(env.policy.reportOutcomes, r.outcome.result) : null,
        },
      },
    ],
  );
}

export function closeReport(r: Report, _cmd: Cmd<'close'>, actor: Actor, env: Env): Decision<Report> {
  const denied = reportHandlerCheck(r, actor, '办结举报', true);
  if (denied) return denied;
  if (r.status !== 'concluded') return wrongReportState(r, '办结');
  if (r.feedback === null) return refuse('incomplete', '尚未向举报人反馈或在一定范围内说明情况。');
  const next = touch(r, env, { status: 'closed' });
  return accept(next, [
    reportAudit(r, actor.openId, 'report.closed', { status: r.status }, { status: 'closed' }),
  ]);
}

/**
 * Turns a report into a case about one accused officer (origin 'report'). The case carries only
 * the matter as its title: the report's content and reporter stay with the report. Every officer the
 * report accused is recorded as recused on the case (`Case.recused`), so none of them handles,
 * investigates, votes on or sees a co-accused's case.
 */
export function convertReportToCase(
  r: Report,
  cmd: ConvertReportCommand,
  actor: Actor,
  env: Env,
): Decision<{ report: Report; case: Case }> {
  const denied = reportHandlerCheck(r, actor, '将举报转为容错认定案件');
  if (denied) return denied;
  if (r.status === 'closed') return wrongReportState(r, '转为容错认定案件');
  if (!r.accused.includes(cmd.subjectOpenId))
    return refuse('invalid', '只能对被举报的执法人员启动容错认定。');
  if (r.convertedCases.some((x) => x.subjectOpenId === cmd.subjectOpenId))
    return refuse('duplicate', '已经就该同志启动过容错认定。');
  const d = today(env);
  const base = blankCase(
    {
      id: cmd.caseId,
      origin: 'report',
      reportId: r.id,
      subjectOpenId: cmd.subjectOpenId,
      // every accused is recused from a colleague's case too; the reporter stays with the report
      recused: [...r.accused],
      status: 'investigating',
      createdBy: actor.openId,
      ...numbering(env, cmd.seq),
      submittedAt: iso(env),
      acceptedAt: iso(env),
      decisionDueOn: env.calendar.deadline(d, env.policy.decision),
    },
    env,
  );
  const c: Case = { ...base, facts: { ...base.facts, title: r.matter } };
  const convertedCases = [...r.convertedCases, { caseId: c.id, subjectOpenId: cmd.subjectOpenId }];
  const report = touch(r, env, { convertedCases });
  return accept(
    { report, case: c },
    [
      reportAudit(r, actor.openId, 'report.converted_to_case', null, {
        caseId: c.id,
        subjectOpenId: cmd.subjectOpenId,
      }),
      {
        action: 'case.opened_from_report',
        actorOpenId: actor.openId,
        subject: `case:${c.id}`,
        before: null,
        after: { status: c.status, number: c.number, reportId: r.id, recused: c.recused },
      },
    ],
    [
      {
        kind: 'tell',
        to: { user: c.subjectOpenId },
        template: 'case.opened_from_report',
        caseId: c.id,
        data: { number: c.number, title: c.facts.title },
        needsReceipt: true,
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

/** What anyone holding an anonymous report's query code may learn: status and outcome, nothing more. */
export function queryReportByCode(
  r: Report,
  code: string,
  env: Env,
): { number: string; status: string; outcome: string | null; explained: boolean } | null {
  if (r.realName || !r.queryCodeHash || hashQueryCode(code) !== r.queryCodeHash) return null;
  return {
    number: r.number,
    status: STATUS_LABEL[r.status],
    outcome: r.outcome ? labelOf(env.policy.reportOutcomes, r.outcome.result) : null,
    explained: r.feedback !== null,
  };
}

export function decideReport(r: Report, cmd: ReportCommand, actor: Actor, env: Env): Decision<Report> {
  switch (cmd.type) {
    case 'assign_investigator':
      return assignReportInvestigator(r, cmd, actor, env);
    case 'submit_findings':
      return submitReportFindings(r, cmd, actor, env);
    case 'record_outcome':
      return recordReportOutcome(r, cmd, actor, env);
    case 'send_feedback':
      return sendReportFeedback(r, cmd, actor, env);
    case 'request_clearing':
      return requestClearing(r, cmd, actor, env);
    case 'answer_clearing':
      return answerClearing(r, cmd, actor, env);
    case 'publish_clearing':
      return publishClearing(r, cmd, actor, env);
    case 'close':
      return closeReport(r, cmd, actor, env);
  }
}
