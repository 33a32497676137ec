import { describe, expect, it } from 'vitest';
import { type Case, decideCase, noticesDue } from '../../src/cases';
import {
  carriedCase,
  clerk,
  correctingCase,
  deliberatingCase,
  determinationCommand,
  env,
  envAt,
  member,
  noCorrection,
  ok,
  refused,
  run,
  secretary,
  subject,
  system,
  voted,
} from './fixtures';

const plain = { ...determinationCommand, ...noCorrection };

describe('issue determination', () => {
  it('issues the carried outcome with factors, basis, art. 14 statement, notices and the correction order', () => {
    const d = ok(decideCase(carriedCase('exempt'), determinationCommand, secretary, env));
    const det = d.state.determination;
    expect(d.state.status).toBe('correcting');
    expect(det).toMatchObject({
      outcome: 'exempt',
      basis: 'tolerance',
      citedItems: ['10.4'],
      notErrorRecord: true,
      statement: env.policy.statements.notAnError.text,
      publication: { scope: 'party', chatId: null },
      correctionRequired: true,
      issuedBy: secretary.openId,
    });
    expect(det?.statement).toContain('不作为执法错误认定');
    expect(Object.keys(det?.factors ?? {})).toHaveLength(5);
    // 7 calendar days from 2026-03-02
    expect(d.state.notices.map((n) => [n.kind, n.target, n.dueOn])).toEqual([
      ['subject', { user: subject.openId }, '2026-03-09'],
      ['unit', { chat: { unit: 'enforcement_1' } }, '2026-03-09'],
      ['publication', { chat: 'party' }, '2026-03-09'],
    ]);
    const subjectNotice = d.intents.find((i) => i.kind === 'tell' && i.template === 'notice.determination');
    expect(subjectNotice).toMatchObject({ to: { user: subject.openId }, needsReceipt: true });
    expect(d.intents).toContainEqual(expect.objectContaining({ template: 'correction.ordered' }));
    expect(d.state.correction).toMatchObject({ deadline: '2026-03-20', status: 'open' });
  });

  it('derives 尽职免责 from an art. 9 item and gives no art. 14 statement for other outcomes', () => {
    const duty = run(carriedCase('exempt'), { ...plain, citedItems: ['9.2'] }, secretary);
    expect(duty.determination?.basis).toBe('duty');
    expect(duty.status).toBe('decided');
    const lighter = run(
      carriedCase('lighter'),
      { ...plain, outcome: 'lighter', citedItems: ['11.1'] },
      secretary,
    );
    expect(lighter.determination).toMatchObject({ basis: null, notErrorRecord: false, statement: null });
  });

  it('refuses an outcome that did not carry', () => {
    refused(
      decideCase(carriedCase('lighter'), plain, secretary, env),
      'not_carried',
      /表决通过的是「从轻」，不能作出「免责」/,
    );
    const noMajority = run(
      voted(deliberatingCase(5), ['exempt', 'exempt', 'lighter', 'lighter', 'refuse']),
      { type: 'close_vote' },
      secretary,
    );
    refused(decideCase(noMajority, plain, secretary, env), 'not_carried', /重新表决/);
  });

  it('refuses while the vote is open, by anyone but the secretary, and by a recused secretary', () => {
    refused(decideCase(deliberatingCase(), plain, secretary, env), 'invalid_state', /表决尚未结束/);
    refused(decideCase(carriedCase(), plain, clerk, env), 'forbidden', /党组书记/);
    refused(decideCase(carriedCase(), plain, member(1), env), 'forbidden');
    refused(decideCase(carriedCase(), plain, { ...subject, roles: ['secretary'] }, env), 'recused');
  });

  it('refuses inconsistent citations, missing factors, reasons or chat', () => {
    refused(
      decideCase(carriedCase(), { ...plain, citedItems: ['11.1'] }, secretary, env),
      'invalid',
      /第九条.*第十条/,
    );
    refused(
      decideCase(carriedCase(), { ...plain, citedItems: ['10.4', '12'] }, secretary, env),
      'invalid',
      /第十二条/,
    );
    refused(decideCase(carriedCase(), { ...plain, citedItems: [] }, secretary, env), 'invalid');
    refused(decideCase(carriedCase(), { ...plain, factors: {} }, secretary, env), 'incomplete', /程序方法/);
    refused(decideCase(carriedCase(), { ...plain, reasons: ' ' }, secretary, env), 'invalid', /认定理由/);
    refused(
      decideCase(carriedCase(), { ...plain, publication: { scope: 'chat' } }, secretary, env),
      'invalid',
      /选择要公开的群/,
    );
  });

  it('refuses a second determination', () => {
    refused(decideCase(correctingCase(), plain, secretary, env), 'invalid_state', /纠错中/);
  });

  it('publishes later when issued without publication, once', () => {
    const c = run(carriedCase(), { ...plain, publication: { scope: 'none' } }, secretary);
    expect(c.notices.map((n) => n.kind)).toEqual(['subject', 'unit']);
    const d = ok(decideCase(c, { type: 'publish', scope: 'chat', chatId: 'oc_pub' }, secretary, env));
    expect(d.state.notices.at(-1)).toMatchObject({ kind: 'publication', target: { chat: { id: 'oc_pub' } } });
    expect(d.intents[0]).toMatchObject({
      template: 'publication.determination',
      to: { chat: { id: 'oc_pub' } },
    });
    refused(
      decideCase(d.state, { type: 'publish', scope: 'party' }, secretary, env),
      'duplicate',
      /已经公开/,
    );
  });
});

describe('notices', () => {
  const decided = (): Case => run(carriedCase(), plain, secretary);

  it('records sent, delivered and failed from the outbox; outsiders may not', () => {
    const c = decided();
    const sent = run(c, { type: 'notice_sent', noticeId: 'n1' }, system);
    expect(sent.notices[0]).toMatchObject({ attempts: 1, sentAt: env.now.toISOString() });
    const failed = run(c, { type: 'notice_failed', noticeId: 'n2', error: 'bot not in chat' }, system);
    expect(failed.notices[1]).toMatchObject({ attempts: 1, lastError: 'bot not in chat', sentAt: null });
    const delivered = ok(decideCase(sent, { type: 'notice_delivered', noticeId: 'n1' }, clerk, env));
    expect(delivered.state.notices[0]?.deliveredAt).not.toBeNull();
    const twice = ok(decideCase(delivered.state, { type: 'notice_delivered', noticeId: 'n1' }, system, env));
    expect(twice.audit).toEqual([]);
    refused(decideCase(c, { type: 'notice_sent', noticeId: 'n1' }, member(1), env), 'forbidden');
    refused(decideCase(c, { type: 'notice_sent', noticeId: 'n9' }, system, env), 'not_found');
  });

  it('the subject acknowledges receipt once; nobody else can', () => {
    const c = decided();
    const d = ok(decideCase(c, { type: 'acknowledge_notice' }, subject, env));
    expect(d.state.notices[0]?.acknowledgedAt).toBe(env.now.toISOString());
    const again = ok(decideCase(d.state, { type: 'acknowledge_notice' }, subject, env));
    expect(again.audit).toEqual([]);
    refused(decideCase(c, { type: 'acknowledge_notice' }, secretary, env), 'forbidden', /当事人本人/);
    refused(decideCase(carriedCase(), { type: 'acknowledge_notice' }, subject, env), 'not_found');
  });

  it('retries after a day, reminds the unacknowledged subject, escalates on the last day, once', () => {
    let c = decided();
    expect(noticesDue(c, env)).toEqual([]);
    c = run(c, { type: 'notice_sent', noticeId: 'n1' }, system);
    c = run(c, { type: 'notice_failed', noticeId: 'n2', error: 'timeout' }, system);
    c = run(c, { type: 'notice_sent', noticeId: 'n3' }, system);
    const nextDay = envAt('2026-03-03T02:00:00Z');
    expect(noticesDue(c, nextDay).map((x) => [x.noticeId, x.action])).toEqual([
      ['n1', 'remind'],
      ['n2', 'resend'],
    ]);
    const followed = ok(decideCase(c, { type: 'follow_up_notices' }, system, nextDay));
    expect(followed.intents.map((i) => i.kind === 'tell' && i.template)).toEqual([
      'notice.reminder',
      'notice.determination_unit',
    ]);
    // the same tick again does nothing
    const repeat = ok(decideCase(followed.state, { type: 'follow_up_notices' }, system, nextDay));
    expect(repeat.intents).toEqual([]);
    expect(repeat.audit).toEqual([]);
    // last day (2026-03-09): the still-unacknowledged subject notice is escalated to the handlers
    const lastDay = envAt('2026-03-09T01:00:00Z');
    const esc = ok(decideCase(followed.state, { type: 'follow_up_notices' }, system, lastDay));
    const escalations = esc.intents.filter((i) => i.kind === 'tell' && i.template === 'notice.escalation');
    expect(escalations).toHaveLength(2);
    expect(escalations[0]).toMatchObject({
      urgent: true,
      to: { roles: ['secretary', 'clerk'], exclude: [subject.openId] },
    });
    const after = ok(decideCase(esc.state, { type: 'follow_up_notices' }, system, lastDay));
    expect(after.intents.filter((i) => i.kind === 'tell' && i.template === 'notice.escalation')).toEqual([]);
    // once acknowledged and delivered, nothing more is due
    let done = run(esc.state, { type: 'acknowledge_notice' }, subject);
    done = run(done, { type: 'notice_sent', noticeId: 'n2' }, system);
    expect(noticesDue(done, envAt('2026-03-10T02:00:00Z'))).toEqual([]);
    refused(decideCase(c, { type: 'follow_up_notices' }, subject, nextDay), 'recused');
  });
});
