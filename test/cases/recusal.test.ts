import { describe, expect, it } from 'vitest';
import {
  type Actor,
  type Case,
  canView,
  convertReportToCase,
  decideCase,
  fileReport,
  type Intent,
  isRecused,
  type Report,
} from '../../src/cases';
import {
  carriedCase,
  clerk,
  determinationCommand,
  env,
  findingsCommand,
  investigator,
  member,
  ok,
  partyOf,
  refused,
  run,
  secretary,
} from './fixtures';

// A report accusing A and B; B is a clerk, a party member and also an investigator on the roster.
const A: Actor = { openId: 'ou_accused_a', name: '甲执法', roles: ['party_member'] };
const B: Actor = { openId: 'ou_accused_b', name: '乙经办', roles: ['clerk', 'party_member', 'investigator'] };
const BSecretary: Actor = { openId: B.openId, name: B.name, roles: ['secretary', 'clerk', 'investigator'] };
const reporter: Actor = { openId: 'ou_reporter_real', roles: [] };

function report(): Report {
  return ok(
    fileReport(
      {
        type: 'file_report',
        reportId: 'r-ab',
        seq: 3,
        accused: [A.openId, B.openId],
        matter: '联合检查中违规收费',
        content: '甲乙二人检查时收取咨询费。',
        realName: true,
      },
      reporter,
      env,
    ),
  ).state;
}

function converted(): Case {
  return ok(
    convertReportToCase(
      report(),
      { type: 'convert_to_case', caseId: 'c-a', seq: 21, subjectOpenId: A.openId },
      clerk,
      env,
    ),
  ).state.case;
}

// a converted case starts with empty facts, so the investigator names category and area
const findings = { ...findingsCommand, errorCategory: 'procedure', enforcementArea: 'shelter_maintenance' };

const excludes = (intents: Intent[]) =>
  intents.flatMap((i) => (i.kind === 'tell' && 'roles' in i.to ? [i.to.exclude] : []));

describe('a case converted from a report recuses every officer the report accused', () => {
  it('records the accused (and never the reporter) on the case', () => {
    const c = converted();
    expect(c.recused).toEqual([A.openId, B.openId]);
    expect(JSON.stringify(c)).not.toContain(reporter.openId);
    expect(isRecused(c, B)).toBe(true);
    expect(isRecused(c, A)).toBe(true);
    expect(isRecused(c, clerk)).toBe(false);
  });

  it('the co-accused cannot see, assign, be assigned, or submit findings', () => {
    const c = converted();
    expect(canView(c, B)).toBe(false);
    expect(canView(c, A)).toBe(true);
    expect(canView(c, clerk)).toBe(true);
    refused(
      decideCase(c, { type: 'assign_investigator', investigator }, B, env),
      'recused',
      /被举报人.*回避/,
    );
    refused(
      decideCase(c, { type: 'assign_investigator', investigator: B }, clerk, env),
      'recused',
      /被举报人.*回避/,
    );
    const assigned = run(c, { type: 'assign_investigator', investigator }, clerk);
    const withB = { ...assigned, investigators: [...assigned.investigators, B.openId] };
    refused(decideCase(withB, findings, B, env), 'recused');
    const d = ok(decideCase(assigned, findings, investigator, env));
    for (const ex of excludes(d.intents)) expect(ex).toEqual(expect.arrayContaining([A.openId, B.openId]));
    expect(excludes(d.intents)).not.toHaveLength(0);
  });

  it('the co-accused is not an eligible voter at opening or reopening, cannot vote, and does not get the all-voted card', () => {
    const assigned = run(converted(), { type: 'assign_investigator', investigator }, clerk);
    const found = run(assigned, findings, investigator);
    const party = [...partyOf(3), A.openId, B.openId];
    const open = run(found, { type: 'open_deliberation', partyMembers: party }, secretary);
    expect(open.deliberation?.eligibleVoters).toEqual(partyOf(3));
    // a stale list that still holds B: the vote is refused as recusal, not merely "not on the list"
    const stale = { ...open, deliberation: { ...open.deliberation!, eligibleVoters: [...party] } };
    refused(decideCase(stale, { type: 'vote', option: 'exempt' }, B, env), 'recused', /回避/);
    let s = open;
    s = run(s, { type: 'vote', option: 'exempt' }, secretary);
    s = run(s, { type: 'vote', option: 'lighter' }, member(1));
    const last = ok(decideCase(s, { type: 'vote', option: 'refuse' }, member(2), env));
    expect(excludes(last.intents)).toEqual([expect.arrayContaining([A.openId, B.openId])]);
    const closed = run(last.state, { type: 'close_vote' }, secretary);
    expect(closed.deliberation?.result?.carried).toBeNull();
    const reopened = run(closed, { type: 'reopen_vote', partyMembers: party }, secretary);
    expect(reopened.deliberation?.eligibleVoters).toEqual(partyOf(3));
  });

  it('a co-accused secretary can neither open the vote nor issue the determination', () => {
    const assigned = run(converted(), { type: 'assign_investigator', investigator }, clerk);
    const found = run(assigned, findings, investigator);
    refused(
      decideCase(found, { type: 'open_deliberation', partyMembers: partyOf(3) }, BSecretary, env),
      'recused',
    );
    const c = { ...carriedCase(), recused: [A.openId, B.openId] };
    refused(decideCase(c, determinationCommand, BSecretary, env), 'recused');
  });

  it('a case stored before recusal was recorded (no field) still recuses its subject only', () => {
    const c = converted();
    const { recused: _dropped, ...old } = c;
    const legacy = old as Case;
    expect(isRecused(legacy, A)).toBe(true);
    expect(isRecused(legacy, B)).toBe(false);
    const d = ok(decideCase(legacy, { type: 'assign_investigator', investigator }, clerk, env));
    expect(d.state.investigators).toEqual([investigator.openId]);
  });

  it('a case the officer applied for records nobody else', () => {
    expect(carriedCase().recused).toEqual([]);
  });
});
