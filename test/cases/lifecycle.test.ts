import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type Case,
  type CaseCommand,
  canView,
  createDraft,
  decideCase,
  type Intent,
} from '../../src/cases';
import {
  admin,
  carriedCase,
  clerk,
  completeFacts,
  correctingCase,
  determinationCommand,
  draftCase,
  env,
  envAt,
  findingsCommand,
  investigator,
  member,
  noCorrection,
  ok,
  outsider,
  partyOf,
  refused,
  secretary,
  subject,
  submittedCase,
  system,
} from './fixtures';

describe('the whole way from draft to closed', () => {
  it('moves through every status with an audit entry per change', () => {
    const audit: AuditEntry[] = [];
    const intents: Intent[] = [];
    const first = ok(createDraft({ type: 'create_draft', caseId: 'case-1' }, subject, env));
    let c: Case = first.state;
    audit.push(...first.audit);
    const statuses: string[] = [c.status];
    const step = (cmd: CaseCommand, actor: typeof subject, e = env) => {
      const d = ok(decideCase(c, cmd, actor, e));
      c = d.state;
      audit.push(...d.audit);
      intents.push(...d.intents);
      if (statuses.at(-1) !== c.status) statuses.push(c.status);
    };
    step({ type: 'update_facts', patch: completeFacts }, subject);
    step({ type: 'submit', seq: 1 }, subject);
    step({ type: 'accept' }, clerk);
    step({ type: 'assign_investigator', investigator }, secretary);
    step(findingsCommand, investigator);
    step({ type: 'open_deliberation', partyMembers: partyOf(5) }, secretary);
    step({ type: 'vote', option: 'exempt' }, secretary);
    step({ type: 'vote', option: 'exempt' }, member(1));
    step({ type: 'vote', option: 'exempt', comment: '同意' }, member(2));
    step({ type: 'close_vote' }, secretary);
    step(determinationCommand, secretary);
    step({ type: 'notice_sent', noticeId: 'n1' }, system);
    step({ type: 'acknowledge_notice' }, subject);
    step({ type: 'report_progress', text: '已补办审批手续' }, subject);
    step(
      {
        type: 'report_completion',
        text: '全部整改完毕',
        evidence: [{ kind: 'file', messageId: 'om', key: 'fk', name: '整改报告.pdf' }],
      },
      subject,
      envAt('2026-03-18T02:00:00Z'),
    );
    step({ type: 'accept_completion' }, secretary, envAt('2026-03-19T02:00:00Z'));

    expect(statuses).toEqual(['draft', 'submitted', 'investigating', 'deliberating', 'correcting', 'closed']);
    expect(c).toMatchObject({ number: '容错〔2026〕1号', closedAt: '2026-03-19T02:00:00.000Z' });
    expect(c.version).toBe(1 + audit.length - 1);
    expect(audit.map((a) => a.action)).toEqual([
      'case.draft_created',
      'case.facts_updated',
      'case.submitted',
      'case.accepted',
      'case.investigator_assigned',
      'case.findings_submitted',
      'deliberation.opened',
      'deliberation.vote_cast',
      'deliberation.vote_cast',
      'deliberation.vote_cast',
      'deliberation.closed',
      'case.determined',
      'notice.sent',
      'notice.acknowledged',
      'correction.progress_reported',
      'correction.completion_reported',
      'correction.accepted',
    ]);
    expect(audit.every((a) => a.subject === 'case:case-1' && a.actorOpenId !== '')).toBe(true);
    expect(intents.some((i) => i.kind === 'tell' && i.template === 'notice.determination')).toBe(true);
  });

  it('closes a decided case without correction; a correcting case cannot be closed directly', () => {
    const plain = { ...determinationCommand, ...noCorrection };
    const decided = ok(decideCase(carriedCase(), plain, secretary, env)).state;
    expect(decided.status).toBe('decided');
    refused(decideCase(decided, { type: 'close' }, clerk, env), 'forbidden', /党组书记/);
    const closed = ok(decideCase(decided, { type: 'close' }, secretary, env));
    expect(closed.state).toMatchObject({ status: 'closed', closedAt: env.now.toISOString() });
    refused(decideCase(correctingCase(), { type: 'close' }, secretary, env), 'invalid_state', /尚未验收/);
  });
});

describe('who may see a case', () => {
  it('keeps drafts private to the subject', () => {
    const d = draftCase();
    expect(canView(d, subject)).toBe(true);
    expect(canView(d, secretary)).toBe(false);
    expect(canView(d, member(1))).toBe(false);
  });

  it('after submission: subject, party members, secretary, clerk; investigators only when assigned; never admin', () => {
    const s = submittedCase();
    expect(canView(s, subject)).toBe(true);
    expect(canView(s, member(1))).toBe(true);
    expect(canView(s, secretary)).toBe(true);
    expect(canView(s, clerk)).toBe(true);
    expect(canView(s, investigator)).toBe(false);
    expect(canView(s, admin)).toBe(false);
    expect(canView(s, outsider)).toBe(false);
    const assigned = ok(
      decideCase(
        ok(decideCase(s, { type: 'accept' }, clerk, env)).state,
        { type: 'assign_investigator', investigator },
        clerk,
        env,
      ),
    ).state;
    expect(canView(assigned, investigator)).toBe(true);
  });
});
