import { describe, expect, it } from 'vitest';
import { type Actor, type Case, correctionRemindersDue, decideCase, type Intent } from '../../src/cases';
import {
  carriedCase,
  clerk,
  correctingCase,
  determinationCommand,
  env,
  envAt,
  noCorrection,
  ok,
  refused,
  run,
  secretary,
  subject,
  system,
} from './fixtures';

const evidence = [{ kind: 'file' as const, messageId: 'om_9', key: 'file_9', name: '审批单.pdf' }];
const ext = {
  type: 'request_extension' as const,
  extensionId: 'x1',
  reason: '等待上级批复',
  newDeadline: '2026-04-10',
};

describe('correction order', () => {
  it('the issue form must carry the order when correction starts (art. 15)', () => {
    refused(
      decideCase(carriedCase(), { ...determinationCommand, correction: undefined }, secretary, env),
      'incomplete',
      /第十五条.*纠错通知/,
    );
  });

  it('is set afterwards on a case decided before the order went with the determination', () => {
    // Such cases are stored: correction required, no order yet.
    const issued = run(carriedCase(), { ...determinationCommand, ...noCorrection }, secretary);
    const decided: Case = {
      ...issued,
      determination: { ...issued.determination!, correctionRequired: true, correctionWaiver: null },
    };
    expect(decided.status).toBe('decided');
    refused(decideCase(decided, { type: 'close' }, secretary, env), 'incomplete', /纠错通知/);
    const order = determinationCommand.correction!;
    refused(
      decideCase(decided, { type: 'set_correction_order', order: { ...order, items: [] } }, secretary, env),
      'invalid',
      /纠错要求.*纠错建议/,
    );
    refused(
      decideCase(
        decided,
        { type: 'set_correction_order', order: { ...order, deadline: '2026-03-01' } },
        secretary,
        env,
      ),
      'invalid',
      /不能早于今天/,
    );
    refused(
      decideCase(decided, { type: 'set_correction_order', order }, clerk, env),
      'forbidden',
      /党组书记/,
    );
    const d = ok(
      decideCase(
        decided,
        { type: 'set_correction_order', order: { ...order, deadline: undefined } },
        secretary,
        env,
      ),
    );
    // default period: 30 calendar days
    expect(d.state).toMatchObject({ status: 'correcting', correction: { deadline: '2026-04-01' } });
    expect(d.intents[0]).toMatchObject({ template: 'correction.ordered', to: { user: subject.openId } });
    refused(
      decideCase(d.state, { type: 'set_correction_order', order }, secretary, env),
      'duplicate',
      /已经下达/,
    );
  });

  it('takes progress from the responsible person only', () => {
    const d = ok(decideCase(correctingCase(), { type: 'report_progress', text: '已补办审批' }, subject, env));
    expect(d.state.correction?.progress).toHaveLength(1);
    refused(
      decideCase(correctingCase(), { type: 'report_progress', text: 'x' }, clerk, env),
      'forbidden',
      /整改责任人/,
    );
    refused(decideCase(correctingCase(), { type: 'report_progress', text: ' ' }, subject, env), 'invalid');
  });

  it('handles an extension request: one pending at a time, approved by the secretary', () => {
    const c = run(correctingCase(), ext, subject);
    expect(c.correction?.extensions[0]).toMatchObject({ status: 'pending', newDeadline: '2026-04-10' });
    refused(decideCase(c, { ...ext, extensionId: 'x2' }, subject, env), 'duplicate', /正在审批/);
    refused(
      decideCase(correctingCase(), { ...ext, newDeadline: '2026-03-19' }, subject, env),
      'invalid',
      /须晚于/,
    );
    refused(decideCase(correctingCase(), { ...ext, reason: '' }, subject, env), 'invalid', /延期理由/);
    refused(decideCase(correctingCase(), ext, secretary, env), 'forbidden');
    refused(
      decideCase(c, { type: 'decide_extension', extensionId: 'x1', approve: true }, subject, env),
      'recused',
    );
    refused(
      decideCase(c, { type: 'decide_extension', extensionId: 'x1', approve: true }, clerk, env),
      'forbidden',
    );
    refused(
      decideCase(c, { type: 'decide_extension', extensionId: 'nope', approve: true }, secretary, env),
      'not_found',
    );
    const approved = ok(
      decideCase(c, { type: 'decide_extension', extensionId: 'x1', approve: true }, secretary, env),
    );
    expect(approved.state.correction).toMatchObject({ deadline: '2026-04-10' });
    expect(approved.intents[0]).toMatchObject({
      template: 'correction.extension_decided',
      data: { approved: true },
    });
    refused(
      decideCase(
        approved.state,
        { type: 'decide_extension', extensionId: 'x1', approve: false, reason: '不行' },
        secretary,
        env,
      ),
      'duplicate',
      /已经处理/,
    );
  });

  it('refuses a refusal without reason, and an extension requested after the deadline', () => {
    const c = run(correctingCase(), ext, subject);
    refused(
      decideCase(c, { type: 'decide_extension', extensionId: 'x1', approve: false }, secretary, env),
      'invalid',
      /理由/,
    );
    const refusedExt = run(
      c,
      { type: 'decide_extension', extensionId: 'x1', approve: false, reason: '无特殊情况' },
      secretary,
    );
    expect(refusedExt.correction).toMatchObject({
      deadline: '2026-03-20',
      extensions: [{ status: 'refused' }],
    });
    refused(decideCase(correctingCase(), ext, subject, envAt('2026-03-21T02:00:00Z')), 'too_late', /已过/);
    const late = envAt('2026-04-11T02:00:00Z');
    refused(
      decideCase(c, { type: 'decide_extension', extensionId: 'x1', approve: true }, secretary, late),
      'too_late',
    );
  });

  it('completion needs evidence, and is accepted (closing the case) or returned', () => {
    refused(
      decideCase(correctingCase(), { type: 'report_completion', text: '已完成', evidence: [] }, subject, env),
      'incomplete',
      /证明材料/,
    );
    refused(
      decideCase(correctingCase(), { type: 'accept_completion' }, secretary, env),
      'invalid_state',
      /尚未报告/,
    );
    const done = run(correctingCase(), { type: 'report_completion', text: '已完成整改', evidence }, subject);
    expect(done.correction?.status).toBe('completed');
    refused(
      decideCase(done, { type: 'report_progress', text: 'x' }, subject, env),
      'invalid_state',
      /正在等待党组书记验收/,
    );
    refused(
      decideCase(done, { type: 'return_completion', reason: '' }, secretary, env),
      'invalid',
      /退回理由/,
    );
    const back = run(done, { type: 'return_completion', reason: '缺少制度修订稿' }, secretary);
    expect(back.correction).toMatchObject({
      status: 'open',
      completion: null,
      returns: [{ reason: '缺少制度修订稿' }],
    });
    refused(decideCase(done, { type: 'accept_completion' }, clerk, env), 'forbidden');
    const closed = ok(decideCase(done, { type: 'accept_completion' }, secretary, env));
    expect(closed.state).toMatchObject({
      status: 'closed',
      correction: { status: 'accepted', acceptedBy: secretary.openId },
    });
    refused(decideCase(closed.state, { type: 'close' }, secretary, env), 'invalid_state', /已办结/);
  });
});

describe('a secretary named responsible for the correction', () => {
  const otherSecretary: Actor = { openId: 'ou_secretary_2', name: '刘书记', roles: ['secretary'] };
  const own = (): Case =>
    run(
      carriedCase(),
      {
        ...determinationCommand,
        correction: {
          ...determinationCommand.correction!,
          responsible: { openId: secretary.openId, unitId: null },
        },
      },
      secretary,
    );
  const secretaryRecipients = (intents: Intent[]) =>
    intents.filter((i) => i.kind === 'tell' && 'roles' in i.to && i.to.roles.includes('secretary'));

  it('cannot approve or refuse their own extension; another secretary decides', () => {
    const requested = ok(decideCase(own(), ext, secretary, env));
    const told = secretaryRecipients(requested.intents);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      template: 'correction.extension_requested',
      to: { exclude: expect.arrayContaining([subject.openId, secretary.openId]) },
    });
    const c = requested.state;
    for (const approve of [true, false])
      refused(
        decideCase(
          c,
          { type: 'decide_extension', extensionId: 'x1', approve, reason: '理由' },
          secretary,
          env,
        ),
        'recused',
        /整改责任人不能审批自己的延期申请.*其他党组书记/,
      );
    const decided = ok(
      decideCase(c, { type: 'decide_extension', extensionId: 'x1', approve: true }, otherSecretary, env),
    );
    expect(decided.state.correction).toMatchObject({
      deadline: '2026-04-10',
      extensions: [{ status: 'approved', decidedBy: otherSecretary.openId }],
    });
  });

  it('cannot accept or return their own completion; progress and completion go to the other secretaries', () => {
    const progress = ok(decideCase(own(), { type: 'report_progress', text: '已补办一半' }, secretary, env));
    expect(secretaryRecipients(progress.intents)[0]).toMatchObject({
      to: { exclude: expect.arrayContaining([secretary.openId]) },
    });
    const reported = ok(
      decideCase(own(), { type: 'report_completion', text: '已完成整改', evidence }, secretary, env),
    );
    expect(secretaryRecipients(reported.intents)).toEqual([
      expect.objectContaining({
        template: 'correction.completed',
        to: { roles: ['secretary'], exclude: expect.arrayContaining([subject.openId, secretary.openId]) },
      }),
    ]);
    const done = reported.state;
    refused(
      decideCase(done, { type: 'accept_completion' }, secretary, env),
      'recused',
      /整改责任人不能验收自己的整改.*其他党组书记/,
    );
    refused(
      decideCase(done, { type: 'return_completion', reason: '不够' }, secretary, env),
      'recused',
      /整改责任人/,
    );
    expect(done.correction?.status).toBe('completed');
    const closed = run(done, { type: 'accept_completion' }, otherSecretary);
    expect(closed).toMatchObject({ status: 'closed', correction: { acceptedBy: otherSecretary.openId } });
    const back = run(done, { type: 'return_completion', reason: '缺少制度修订稿' }, otherSecretary);
    expect(back.correction?.status).toBe('open');
  });

  it('an order whose responsible is the subject still excludes only the recused', () => {
    const d = ok(decideCase(correctingCase(), ext, subject, env));
    expect(secretaryRecipients(d.intents)[0]).toMatchObject({ to: { exclude: [subject.openId] } });
  });
});

describe('correction reminders', () => {
  // deadline 2026-03-20 (Friday); offsets 3, 1, 0 working days → 03-17, 03-19, 03-20 at 09:00
  const at = (iso: string) => envAt(iso);
  const follow = (c: Case, iso: string) =>
    ok(decideCase(c, { type: 'follow_up_correction' }, system, at(iso)));

  it('reminds on schedule, once per slot, and not before 09:00', () => {
    const c = correctingCase();
    expect(correctionRemindersDue(c, at('2026-03-16T02:00:00Z')).intents).toEqual([]);
    expect(correctionRemindersDue(c, at('2026-03-17T00:30:00Z')).intents).toEqual([]); // 08:30 Shanghai
    const first = follow(c, '2026-03-17T01:00:00Z');
    expect(first.intents).toEqual([
      expect.objectContaining({
        template: 'correction.reminder',
        to: { user: subject.openId },
        data: expect.objectContaining({ daysLeft: 3 }),
      }),
    ]);
    expect(follow(first.state, '2026-03-17T05:00:00Z').intents).toEqual([]);
    const second = follow(first.state, '2026-03-19T01:00:00Z');
    expect(second.state.correction?.remindedOn).toEqual(['2026-03-17', '2026-03-19']);
  });

  it('after the deadline: daily overdue reminder on working days and one escalation', () => {
    const c = correctingCase();
    const sat = follow(c, '2026-03-21T02:00:00Z'); // Saturday: nothing
    expect(sat.intents).toEqual([]);
    expect(follow(c, '2026-03-23T02:00:00Z').intents).toEqual([]); // Monday 10:00: after the reminder hour
    const mon = follow(c, '2026-03-23T01:00:00Z');
    expect(mon.intents.map((i) => i.kind === 'tell' && [i.template, i.to])).toEqual([
      ['correction.overdue', { user: subject.openId }],
      ['correction.overdue_escalation', { chat: 'party' }],
      ['correction.overdue_escalation', { chat: { unit: 'enforcement_1' } }],
    ]);
    expect(follow(mon.state, '2026-03-23T08:00:00Z').intents).toEqual([]);
    const tue = follow(mon.state, '2026-03-24T01:30:00Z');
    expect(tue.intents.map((i) => i.kind === 'tell' && i.template)).toEqual(['correction.overdue']);
    refused(decideCase(c, { type: 'follow_up_correction' }, secretary, env), 'forbidden');
  });

  it('sends nothing once completion is reported', () => {
    const done = run(correctingCase(), { type: 'report_completion', text: '已完成整改', evidence }, subject);
    expect(correctionRemindersDue(done, at('2026-03-23T01:00:00Z')).intents).toEqual([]);
  });
});
