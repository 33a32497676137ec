import { describe, expect, it } from 'vitest';
import { decideCase } from '../../src/cases';
import {
  admin,
  carriedCase,
  clerk,
  deliberatingCase,
  env,
  findingsCommand,
  investigatingCase,
  investigator,
  member,
  ok,
  outsider,
  partyOf,
  refused,
  run,
  secretary,
  subject,
  submittedCase,
  voted,
  withFindings,
} from './fixtures';

describe('accept, return, assign, findings', () => {
  it('accepts with a decision deadline 15 working days later', () => {
    const d = ok(decideCase(submittedCase(), { type: 'accept' }, secretary, env));
    // 2026-03-02 (Mon) + 15 working days = 2026-03-23 (Mon)
    expect(d.state).toMatchObject({ status: 'investigating', decisionDueOn: '2026-03-23' });
    expect(d.intents[0]).toMatchObject({ to: { user: subject.openId }, template: 'case.accepted' });
  });

  it('refuses acceptance by a non-handler, by the subject who is a clerk, twice, and a return without reason', () => {
    refused(decideCase(submittedCase(), { type: 'accept' }, member(1), env), 'forbidden', /党组书记或经办人/);
    refused(decideCase(submittedCase(), { type: 'accept' }, admin, env), 'forbidden');
    const clerkSubject = { ...subject, roles: ['clerk' as const] };
    refused(decideCase(submittedCase(), { type: 'accept' }, clerkSubject, env), 'recused', /回避/);
    refused(decideCase(investigatingCase(), { type: 'accept' }, clerk, env), 'invalid_state', /核查中/);
    refused(decideCase(submittedCase(), { type: 'return', reason: '  ' }, clerk, env), 'invalid', /退回理由/);
  });

  it('assigns only investigators who are not the subject, once', () => {
    const accepted = run(submittedCase(), { type: 'accept' }, clerk);
    refused(
      decideCase(accepted, { type: 'assign_investigator', investigator: outsider }, clerk, env),
      'invalid',
      /不是核查人员/,
    );
    const subjectInvestigator = { ...subject, roles: ['investigator' as const] };
    refused(
      decideCase(accepted, { type: 'assign_investigator', investigator: subjectInvestigator }, clerk, env),
      'recused',
      /当事人/,
    );
    refused(
      decideCase(investigatingCase(), { type: 'assign_investigator', investigator }, clerk, env),
      'duplicate',
      /已被指派/,
    );
    refused(
      decideCase(submittedCase(), { type: 'assign_investigator', investigator }, clerk, env),
      'invalid_state',
      /已提交/,
    );
    refused(
      decideCase(accepted, { type: 'assign_investigator', investigator }, investigator, env),
      'forbidden',
    );
  });

  it('takes findings from the assigned investigator with the engine assessment', () => {
    const d = ok(decideCase(investigatingCase(), findingsCommand, investigator, env));
    expect(d.state.findings).toMatchObject({
      items: ['10.4'],
      recommendedOutcome: 'exempt',
      errorCategory: 'procedure',
      enforcementArea: 'shelter_maintenance',
      by: investigator.openId,
    });
    expect(d.state.findings?.assessment.recommendation).toBe('tolerance_exempt');
    expect(Object.keys(d.state.findings?.factors ?? {})).toHaveLength(5);
  });

  it('refuses findings from others, missing factors and wrong state', () => {
    const other = { openId: 'ou_inv2', roles: ['investigator' as const] };
    refused(decideCase(investigatingCase(), findingsCommand, other, env), 'forbidden', /被指派的核查人员/);
    refused(decideCase(investigatingCase(), findingsCommand, subject, env), 'recused', /回避/);
    refused(
      decideCase(
        investigatingCase(),
        { ...findingsCommand, factors: { procedure: '程序' } },
        investigator,
        env,
      ),
      'incomplete',
      /主观、客观条件/,
    );
    refused(decideCase(investigatingCase(), { ...findingsCommand, items: [] }, investigator, env), 'invalid');
    refused(decideCase(deliberatingCase(), findingsCommand, investigator, env), 'invalid_state', /审议中/);
  });
});

describe('deliberation', () => {
  it('opens with a snapshot of party members minus the recused subject', () => {
    const withSubject = [...partyOf(4), subject.openId, member(1).openId];
    const c = run(withFindings(), { type: 'open_deliberation', partyMembers: withSubject }, secretary);
    expect(c.status).toBe('deliberating');
    expect(c.deliberation?.eligibleVoters).toEqual(partyOf(4));
    expect(c.deliberation?.round).toBe(1);
  });

  it('refuses opening by a clerk, by a secretary who is the subject, without findings', () => {
    const open = { type: 'open_deliberation' as const, partyMembers: partyOf(5) };
    refused(decideCase(withFindings(), open, clerk, env), 'forbidden', /党组书记/);
    const subjectSecretary = { ...subject, roles: ['secretary' as const] };
    refused(decideCase(withFindings(), open, subjectSecretary, env), 'recused', /回避/);
    refused(decideCase(investigatingCase(), open, secretary, env), 'incomplete', /核查意见/);
    refused(decideCase(deliberatingCase(), open, secretary, env), 'invalid_state');
  });

  it('records one vote per member; a repeated identical vote is a no-op; a change is audited', () => {
    const c0 = deliberatingCase();
    const c1 = run(c0, { type: 'vote', option: 'exempt' }, member(1));
    const same = ok(decideCase(c1, { type: 'vote', option: 'exempt' }, member(1), env));
    expect(same.state).toBe(c1);
    expect(same.audit).toEqual([]);
    expect(same.intents).toEqual([]);
    const changed = ok(
      decideCase(c1, { type: 'vote', option: 'lighter', comment: '应从轻' }, member(1), env),
    );
    expect(changed.state.deliberation?.votes[member(1).openId]).toMatchObject({
      option: 'lighter',
      comment: '应从轻',
    });
    expect(Object.keys(changed.state.deliberation?.votes ?? {})).toHaveLength(1);
    expect(changed.audit[0]).toMatchObject({
      action: 'deliberation.vote_changed',
      before: { option: 'exempt' },
      after: { option: 'lighter' },
    });
  });

  it('refuses votes from the subject, non-members, clerks, bad options and after close', () => {
    const c = deliberatingCase();
    refused(decideCase(c, { type: 'vote', option: 'exempt' }, subject, env), 'recused', /回避/);
    refused(decideCase(c, { type: 'vote', option: 'exempt' }, outsider, env), 'forbidden', /表决名单/);
    refused(decideCase(c, { type: 'vote', option: 'exempt' }, clerk, env), 'forbidden');
    refused(decideCase(c, { type: 'vote', option: 'pardon' as never }, member(1), env), 'invalid');
    refused(
      decideCase(carriedCase(), { type: 'vote', option: 'refuse' }, member(4), env),
      'too_late',
      /已经结束/,
    );
    refused(decideCase(withFindings(), { type: 'vote', option: 'exempt' }, member(1), env), 'invalid_state');
  });

  it('refuses to close without quorum (more than half of the eligible)', () => {
    // 2 of 4 is exactly half: not more than half
    const c = voted(deliberatingCase(4), ['exempt', 'exempt', null, null]);
    refused(
      decideCase(c, { type: 'close_vote' }, secretary, env),
      'quorum_not_met',
      /已投票 2 人.*超过半数.*4 人/,
    );
    const c3 = run(c, { type: 'vote', option: 'exempt' }, member(2));
    expect(run(c3, { type: 'close_vote' }, secretary).deliberation?.result?.carried).toBe('exempt');
  });

  it('closes with the option that has more than half of the votes cast', () => {
    const c = carriedCase('lighter');
    expect(c.deliberation).toMatchObject({ status: 'closed' });
    expect(c.deliberation?.result).toMatchObject({
      carried: 'lighter',
      cast: 4,
      eligible: 5,
      tally: { exempt: 0, lighter: 4, mitigate: 0, refuse: 0 },
    });
    refused(decideCase(c, { type: 'close_vote' }, secretary, env), 'invalid_state', /已经结束/);
    refused(decideCase(deliberatingCase(), { type: 'close_vote' }, clerk, env), 'forbidden');
  });

  it('has no result without a majority, and reopens a new round', () => {
    const c = voted(deliberatingCase(5), ['exempt', 'exempt', 'lighter', 'lighter', 'mitigate']);
    const closed = run(c, { type: 'close_vote' }, secretary);
    expect(closed.deliberation?.result?.carried).toBeNull();
    refused(decideCase(closed, { type: 'vote', option: 'exempt' }, member(4), env), 'too_late');
    const reopened = ok(decideCase(closed, { type: 'reopen_vote' }, secretary, env));
    expect(reopened.state.deliberation).toMatchObject({ round: 2, status: 'open', votes: {} });
    expect(reopened.state.previousRounds).toHaveLength(1);
    expect(reopened.state.previousRounds[0]?.result?.carried).toBeNull();
    expect(reopened.intents[0]).toMatchObject({ template: 'deliberation.opened', to: { chat: 'party' } });
    const round2 = voted(reopened.state, ['lighter', 'lighter', 'lighter', null, null]);
    expect(run(round2, { type: 'close_vote' }, secretary).deliberation?.result?.carried).toBe('lighter');
  });

  it('refuses reopening while open, or after an option carried', () => {
    refused(
      decideCase(deliberatingCase(), { type: 'reopen_vote' }, secretary, env),
      'invalid_state',
      /尚未结束/,
    );
    refused(decideCase(carriedCase(), { type: 'reopen_vote' }, secretary, env), 'invalid_state', /免责/);
  });

  it('15 members each voting (one twice) yields exactly one vote per member', () => {
    let c = deliberatingCase(15);
    const voters = c.deliberation?.eligibleVoters ?? [];
    expect(voters).toHaveLength(15);
    const actorOf = (id: string) =>
      id === secretary.openId ? secretary : { openId: id, roles: ['party_member' as const] };
    const audits: string[] = [];
    voters.forEach((id, i) => {
      const d = ok(
        decideCase(c, { type: 'vote', option: i % 3 === 0 ? 'lighter' : 'exempt' }, actorOf(id), env),
      );
      audits.push(...d.audit.map((a) => a.action));
      c = d.state;
    });
    const twice = voters[4] as string;
    const again = ok(decideCase(c, { type: 'vote', option: 'exempt' }, actorOf(twice), env));
    expect(again.audit).toEqual([]);
    c = again.state;
    expect(Object.keys(c.deliberation?.votes ?? {}).sort()).toEqual([...voters].sort());
    expect(audits.filter((a) => a === 'deliberation.vote_cast')).toHaveLength(15);
    const last = ok(decideCase(c, { type: 'close_vote' }, secretary, env));
    expect(last.state.deliberation?.result).toMatchObject({ cast: 15, eligible: 15, carried: 'exempt' });
    expect(last.state.deliberation?.result?.tally).toMatchObject({ exempt: 10, lighter: 5 });
  });

  it('tells the secretary once every eligible member has voted', () => {
    const c = voted(deliberatingCase(3), ['exempt', 'exempt']);
    const d = ok(decideCase(c, { type: 'vote', option: 'refuse' }, member(2), env));
    expect(d.intents).toContainEqual(expect.objectContaining({ template: 'deliberation.all_voted' }));
  });
});
