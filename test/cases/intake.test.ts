import { describe, expect, it } from 'vitest';
import { createDraft, decideCase, openByOrganisation } from '../../src/cases';
import {
  clerk,
  completeFacts,
  draftCase,
  env,
  filledDraft,
  ok,
  outsider,
  refused,
  run,
  secretary,
  subject,
  submittedCase,
} from './fixtures';

describe('draft and facts', () => {
  it('creates a private draft for the applicant', () => {
    const d = ok(createDraft({ type: 'create_draft', caseId: 'c1' }, subject, env));
    expect(d.state).toMatchObject({
      id: 'c1',
      status: 'draft',
      origin: 'individual',
      subjectOpenId: subject.openId,
    });
    expect(d.state.number).toBeNull();
    expect(d.audit).toEqual([
      {
        action: 'case.draft_created',
        actorOpenId: subject.openId,
        subject: 'case:c1',
        before: null,
        after: { status: 'draft' },
      },
    ]);
  });

  it('updates facts and records before → after', () => {
    const c = draftCase();
    const d = ok(decideCase(c, { type: 'update_facts', patch: { title: '  暂扣设备  ' } }, subject, env));
    expect(d.state.facts.title).toBe('暂扣设备');
    expect(d.state.version).toBe(c.version + 1);
    expect(d.audit[0]).toMatchObject({
      action: 'case.facts_updated',
      before: { title: '' },
      after: { title: '暂扣设备' },
    });
  });

  it.each([
    [{ title: '   ' }, /事项名称.*不能为空/],
    [{ title: '长'.repeat(61) }, /事项名称.*60/],
    [{ occurredOn: '2026-03-03' }, /发生日期.*不能晚于今天/],
    [{ occurredOn: '2026-02-30' }, /发生日期.*格式/],
    [{ stage: 'nowhere' }, /执法环节/],
    [{ unitId: 'ghost' }, /科室/],
    [{ items: ['10.4', '99.1'] }, /99\.1/],
    [{ conditions: { '10.c9': true } as never }, /三项条件/],
    [{ story: 'x'.repeat(1001) }, /事情经过.*1000/],
    [{ story: 'asdf' }, /「事情经过」过于简略/],
    [{ story: '暂扣设备' }, /「事情经过」过于简略/],
    [{ story: 'asdf asdf asdf asdf' }, /「事情经过」过于简略/],
    [{ lossAndImpact: 'none' }, /「损失和影响」过于简略/],
    [{ errorCategory: 'bogus' }, /错误类别/],
  ])('refuses bad input %j naming the field', (patch, reason) => {
    refused(decideCase(draftCase(), { type: 'update_facts', patch }, subject, env), 'invalid', reason);
  });

  it('accepts a short but real account and 「无」 for no loss or remedy', () => {
    const d = decideCase(
      draftCase(),
      { type: 'update_facts', patch: { story: '送达地址有误。', lossAndImpact: '无', remedies: '无' } },
      subject,
      env,
    );
    expect(ok(d).state.facts).toMatchObject({ story: '送达地址有误。', lossAndImpact: '无', remedies: '无' });
  });

  it('accepts an occurrence date of today in Shanghai even when UTC is still yesterday', () => {
    // 2026-03-02 00:30 in Shanghai is 2026-03-01 in UTC
    const early = { ...env, now: new Date('2026-03-01T16:30:00Z') };
    const d = decideCase(
      draftCase(early),
      { type: 'update_facts', patch: { occurredOn: '2026-03-02' } },
      subject,
      early,
    );
    expect(d.ok).toBe(true);
  });

  it('only the subject edits, and only while a draft', () => {
    refused(
      decideCase(draftCase(), { type: 'update_facts', patch: { title: 'x' } }, clerk, env),
      'forbidden',
      /当事人本人/,
    );
    refused(
      decideCase(submittedCase(), { type: 'update_facts', patch: { title: 'x' } }, subject, env),
      'invalid_state',
      /已提交/,
    );
  });

  it('attaches evidence once and removes it', () => {
    const a = { kind: 'image' as const, messageId: 'om_1', key: 'img_1', name: '现场.jpg' };
    const c1 = run(draftCase(), { type: 'attach_evidence', attachment: a }, subject);
    expect(c1.facts.evidence).toEqual([a]);
    const again = ok(decideCase(c1, { type: 'attach_evidence', attachment: a }, subject, env));
    expect(again.state).toBe(c1);
    expect(again.audit).toEqual([]);
    const c2 = run(c1, { type: 'remove_evidence', key: 'img_1' }, subject);
    expect(c2.facts.evidence).toEqual([]);
    refused(decideCase(c2, { type: 'remove_evidence', key: 'img_1' }, subject, env), 'not_found', /证据/);
    refused(decideCase(c1, { type: 'attach_evidence', attachment: a }, outsider, env), 'forbidden');
  });
});

describe('submit and withdraw', () => {
  it('submits a complete draft, numbers it and tells the handlers (not the subject)', () => {
    const d = ok(decideCase(filledDraft(), { type: 'submit', seq: 7 }, subject, env));
    expect(d.state).toMatchObject({ status: 'submitted', number: '容错〔2026〕7号', year: 2026, seq: 7 });
    expect(d.intents).toContainEqual(
      expect.objectContaining({
        kind: 'tell',
        template: 'case.submitted',
        to: { roles: ['secretary', 'clerk'], exclude: [subject.openId] },
      }),
    );
    expect(d.intents).toContainEqual({ kind: 'refresh_tracker', caseId: 'case-1' });
  });

  it('refuses an incomplete draft listing what is missing', () => {
    refused(
      decideCase(draftCase(), { type: 'submit', seq: 1 }, subject, env),
      'incomplete',
      /事项名称.*发生日期/,
    );
    const noConditions = run(
      draftCase(),
      { type: 'update_facts', patch: { ...completeFacts, conditions: {} } },
      subject,
    );
    refused(
      decideCase(noConditions, { type: 'submit', seq: 1 }, subject, env),
      'incomplete',
      /第十条三项条件/,
    );
  });

  it('refuses submission by someone else, and a second submission', () => {
    refused(decideCase(filledDraft(), { type: 'submit', seq: 1 }, secretary, env), 'forbidden', /当事人本人/);
    refused(decideCase(submittedCase(), { type: 'submit', seq: 8 }, subject, env), 'invalid_state', /已提交/);
  });

  it('keeps the number when a returned case is resubmitted', () => {
    const returned = run(submittedCase(), { type: 'return', reason: '请补充证据' }, clerk);
    expect(returned).toMatchObject({
      status: 'draft',
      returnReason: '请补充证据',
      number: '容错〔2026〕7号',
    });
    const again = run(returned, { type: 'submit' }, subject);
    expect(again).toMatchObject({ status: 'submitted', number: '容错〔2026〕7号', returnReason: null });
  });

  it('withdraws a draft or a submitted case, subject only', () => {
    expect(run(draftCase(), { type: 'withdraw' }, subject).status).toBe('withdrawn');
    const d = ok(decideCase(submittedCase(), { type: 'withdraw' }, subject, env));
    expect(d.state.status).toBe('withdrawn');
    expect(d.intents.some((i) => i.kind === 'tell' && i.template === 'case.withdrawn')).toBe(true);
    refused(decideCase(submittedCase(), { type: 'withdraw' }, clerk, env), 'forbidden', /撤回/);
    const accepted = run(submittedCase(), { type: 'accept' }, clerk);
    refused(decideCase(accepted, { type: 'withdraw' }, subject, env), 'invalid_state', /核查中/);
  });
});

describe('organisation-initiated case', () => {
  const cmd = {
    type: 'open_by_organisation' as const,
    caseId: 'org-1',
    seq: 3,
    subject: { openId: subject.openId, name: '张执法' },
    title: '执法文书送达超期',
    unitId: 'enforcement_2',
  };

  it('secretary or clerk opens it; the subject is asked to add facts', () => {
    const d = ok(openByOrganisation(cmd, clerk, env));
    expect(d.state).toMatchObject({
      origin: 'organisation',
      status: 'investigating',
      number: '容错〔2026〕3号',
      subjectOpenId: subject.openId,
      createdBy: clerk.openId,
    });
    expect(d.state.decisionDueOn).toBe(env.calendar.deadline('2026-03-02', env.policy.decision));
    expect(d.intents[0]).toMatchObject({
      to: { user: subject.openId },
      template: 'case.opened_by_organisation',
    });
    const added = run(d.state, { type: 'update_facts', patch: { story: '送达地址有误。' } }, subject);
    expect(added.facts.story).toBe('送达地址有误。');
  });

  it('refuses anyone else, a handler naming themselves, and a bad title', () => {
    refused(openByOrganisation(cmd, outsider, env), 'forbidden', /党组书记或经办人/);
    refused(
      openByOrganisation({ ...cmd, subject: { openId: secretary.openId } }, secretary, env),
      'recused',
      /本人/,
    );
    refused(openByOrganisation({ ...cmd, title: '' }, secretary, env), 'invalid', /事项名称/);
  });
});
