import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  canViewReport,
  convertReportToCase,
  decideReport,
  type FileReportCommand,
  fileReport,
  hashQueryCode,
  type Intent,
  queryReportByCode,
  type Report,
} from '../../src/cases';
import { admin, clerk, env, investigator, ok, outsider, refused, secretary } from './fixtures';

const reporter = { openId: 'ou_reporter_secret', roles: [] as never[] };
const accused = { openId: 'ou_accused', roles: ['party_member' as const] };
const base: FileReportCommand = {
  type: 'file_report',
  reportId: 'r1',
  seq: 4,
  accused: [accused.openId],
  matter: '执法时收受礼品',
  content: '某日检查时收受当事单位礼品。',
  realName: false,
  queryCode: 'K7Q2-9XPM',
};

function run(r: Report, cmd: Parameters<typeof decideReport>[1], actor: Parameters<typeof decideReport>[2]) {
  return ok(decideReport(r, cmd, actor, env));
}

describe('anonymous report', () => {
  it('stores no identity anywhere: state, audit and intents never carry the reporter', () => {
    const trail: { state: Report; audit: AuditEntry[]; intents: Intent[] }[] = [];
    const filed = ok(fileReport(base, reporter, env));
    trail.push(filed);
    expect(filed.state.queryCodeHash).toBe(hashQueryCode('K7Q2-9XPM'));
    expect(filed.state).not.toHaveProperty('reporterOpenId');
    expect(filed.audit[0]?.actorOpenId).toBe('anonymous');
    expect(filed.intents).toEqual([
      expect.objectContaining({
        template: 'report.filed',
        to: { roles: ['secretary', 'clerk'], exclude: [accused.openId] },
      }),
    ]);
    let r = filed.state;
    for (const [cmd, actor] of [
      [{ type: 'assign_investigator', investigator }, clerk],
      [{ type: 'submit_findings', text: '经查无此事。' }, investigator],
      [{ type: 'record_outcome', result: 'false', note: '不属实' }, secretary],
      [{ type: 'send_feedback', text: '经查不属实。', chatId: 'oc_units' }, secretary],
      [{ type: 'request_clearing', officerOpenId: accused.openId }, secretary],
      [{ type: 'answer_clearing', agree: true }, accused],
      [{ type: 'publish_clearing', officerOpenId: accused.openId, chatId: 'oc_all' }, secretary],
      [{ type: 'close' }, secretary],
    ] as const) {
      const d = run(r, cmd as Parameters<typeof decideReport>[1], actor);
      trail.push(d);
      r = d.state;
    }
    expect(r.status).toBe('closed');
    const explanation = trail[4]?.intents[0];
    expect(explanation).toMatchObject({ template: 'report.explanation', to: { chat: { id: 'oc_units' } } });
    const json = JSON.stringify(trail);
    expect(json).not.toContain(reporter.openId);
    expect(json).not.toContain('K7Q2-9XPM');
  });

  it('answers a query by code, forgivingly, and nothing for a wrong code', () => {
    const r = ok(fileReport(base, reporter, env)).state;
    expect(queryReportByCode(r, ' ｋ７ｑ２-９ｘｐｍ ', env)).toEqual({
      number: '举报〔2026〕4号',
      status: '已登记',
      outcome: null,
      explained: false,
    });
    expect(queryReportByCode(r, 'K7Q2-9XPN', env)).toBeNull();
  });

  it('needs a chat for the explanation', () => {
    let r = ok(fileReport(base, reporter, env)).state;
    r = run(r, { type: 'record_outcome', result: 'unfounded', note: '' }, secretary).state;
    refused(
      decideReport(r, { type: 'send_feedback', text: '说明' }, secretary, env),
      'invalid',
      /选择一个群/,
    );
  });
});

describe('real-name report', () => {
  const named = { ...base, realName: true, queryCode: undefined };

  it('keeps the reporter and sends feedback by direct message, once', () => {
    const filed = ok(fileReport(named, reporter, env));
    expect(filed.state.reporterOpenId).toBe(reporter.openId);
    expect(filed.state).not.toHaveProperty('queryCodeHash');
    expect(filed.intents).toContainEqual(
      expect.objectContaining({ template: 'report.received', to: { user: reporter.openId } }),
    );
    let r = run(
      filed.state,
      { type: 'record_outcome', result: 'partly_true', note: '部分属实' },
      secretary,
    ).state;
    const fb = run(r, { type: 'send_feedback', text: '经查部分属实。' }, secretary);
    expect(fb.intents[0]).toMatchObject({
      template: 'report.feedback',
      to: { user: reporter.openId },
      data: { resultLabel: '部分属实' },
    });
    r = fb.state;
    refused(
      decideReport(r, { type: 'send_feedback', text: '再说一次' }, secretary, env),
      'duplicate',
      /已经反馈/,
    );
    expect(queryReportByCode(r, 'anything', env)).toBeNull();
  });
});

describe('report refusals and recusal', () => {
  const filed = () => ok(fileReport(base, reporter, env)).state;
  const accusedSecretary = { openId: accused.openId, roles: ['secretary' as const] };

  it('refuses bad filings', () => {
    refused(fileReport({ ...base, accused: [] }, reporter, env), 'invalid', /被举报/);
    refused(fileReport({ ...base, matter: ' ' }, reporter, env), 'invalid', /举报事项/);
    refused(fileReport({ ...base, content: '' }, reporter, env), 'invalid', /举报内容/);
  });

  it('the accused never handles or sees the report, even as secretary', () => {
    refused(
      decideReport(filed(), { type: 'assign_investigator', investigator }, accusedSecretary, env),
      'recused',
      /涉及您本人/,
    );
    refused(
      decideReport(filed(), { type: 'record_outcome', result: 'false', note: '' }, accusedSecretary, env),
      'recused',
    );
    refused(
      decideReport(
        filed(),
        { type: 'assign_investigator', investigator: { ...accused, roles: ['investigator'] } },
        clerk,
        env,
      ),
      'recused',
    );
    expect(canViewReport(filed(), accusedSecretary)).toBe(false);
    expect(canViewReport(filed(), secretary)).toBe(true);
    expect(canViewReport(filed(), clerk)).toBe(true);
    expect(canViewReport(filed(), investigator)).toBe(false);
    expect(canViewReport(filed(), admin)).toBe(false);
    expect(canViewReport(filed(), outsider)).toBe(false);
    const assigned = run(filed(), { type: 'assign_investigator', investigator }, clerk).state;
    expect(canViewReport(assigned, investigator)).toBe(true);
  });

  it('refuses wrong roles and states', () => {
    refused(decideReport(filed(), { type: 'assign_investigator', investigator }, outsider, env), 'forbidden');
    refused(
      decideReport(filed(), { type: 'record_outcome', result: 'false', note: '' }, clerk, env),
      'forbidden',
      /党组书记/,
    );
    refused(decideReport(filed(), { type: 'submit_findings', text: 'x' }, investigator, env), 'forbidden');
    refused(
      decideReport(filed(), { type: 'send_feedback', text: 'x', chatId: 'oc' }, secretary, env),
      'invalid_state',
    );
    refused(
      decideReport(filed(), { type: 'record_outcome', result: 'tolerated', note: '' }, secretary, env),
      'invalid',
      /关联/,
    );
    refused(decideReport(filed(), { type: 'close' }, secretary, env), 'invalid_state');
    const assigned = run(filed(), { type: 'assign_investigator', investigator }, clerk).state;
    refused(
      decideReport(assigned, { type: 'record_outcome', result: 'false', note: '' }, secretary, env),
      'incomplete',
    );
    refused(decideReport(assigned, { type: 'assign_investigator', investigator }, clerk, env), 'duplicate');
  });

  it('clearing needs a false or unfounded result and the officer consent first', () => {
    const truthy = run(filed(), { type: 'record_outcome', result: 'true', note: '' }, secretary).state;
    refused(
      decideReport(truthy, { type: 'request_clearing', officerOpenId: accused.openId }, secretary, env),
      'invalid_state',
      /不属实或查无实据/,
    );
    const falseR = run(filed(), { type: 'record_outcome', result: 'false', note: '' }, secretary).state;
    refused(
      decideReport(falseR, { type: 'request_clearing', officerOpenId: 'ou_x' }, secretary, env),
      'invalid',
    );
    refused(
      decideReport(
        falseR,
        { type: 'publish_clearing', officerOpenId: accused.openId, chatId: 'oc' },
        secretary,
        env,
      ),
      'invalid_state',
      /征求/,
    );
    const asked = run(falseR, { type: 'request_clearing', officerOpenId: accused.openId }, secretary);
    expect(asked.intents[0]).toMatchObject({
      template: 'report.clearing_consent',
      to: { user: accused.openId },
    });
    refused(
      decideReport(
        asked.state,
        { type: 'publish_clearing', officerOpenId: accused.openId, chatId: 'oc' },
        secretary,
        env,
      ),
      'invalid_state',
      /尚未同意/,
    );
    refused(decideReport(asked.state, { type: 'answer_clearing', agree: true }, outsider, env), 'forbidden');
    const declined = run(asked.state, { type: 'answer_clearing', agree: false }, accused).state;
    refused(decideReport(declined, { type: 'answer_clearing', agree: true }, accused, env), 'duplicate');
    refused(
      decideReport(
        declined,
        { type: 'publish_clearing', officerOpenId: accused.openId, chatId: 'oc' },
        secretary,
        env,
      ),
      'invalid_state',
    );
  });

  it('converts into a case about an accused officer without carrying the content or reporter', () => {
    const d = ok(
      convertReportToCase(
        filed(),
        { type: 'convert_to_case', caseId: 'c9', seq: 12, subjectOpenId: accused.openId },
        secretary,
        env,
      ),
    );
    expect(d.state.case).toMatchObject({
      origin: 'report',
      reportId: 'r1',
      subjectOpenId: accused.openId,
      status: 'investigating',
      number: '容错〔2026〕12号',
      facts: { title: base.matter, story: '' },
    });
    expect(d.state.report.convertedCases).toEqual([{ caseId: 'c9', subjectOpenId: accused.openId }]);
    expect(JSON.stringify(d.state.case)).not.toContain(base.content);
    refused(
      convertReportToCase(
        d.state.report,
        { type: 'convert_to_case', caseId: 'c10', seq: 13, subjectOpenId: accused.openId },
        secretary,
        env,
      ),
      'duplicate',
    );
    refused(
      convertReportToCase(
        filed(),
        { type: 'convert_to_case', caseId: 'c9', seq: 12, subjectOpenId: 'ou_x' },
        clerk,
        env,
      ),
      'invalid',
    );
    refused(
      convertReportToCase(
        filed(),
        { type: 'convert_to_case', caseId: 'c9', seq: 12, subjectOpenId: accused.openId },
        accusedSecretary,
        env,
      ),
      'recused',
    );
  });
});
