import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/calendar';
import {
  type Actor,
  type Case,
  type CaseCommand,
  decideCase,
  type Env,
  extensionCheck,
  investigatorCheck,
  responsibleCheck,
  secretaryCheck,
  subjectCheck,
} from '../../src/cases';
import {
  clerk,
  correctingCase,
  env,
  envAt,
  filledDraft,
  findingsCommand,
  investigatingCase,
  investigator,
  run,
  secretary,
  subject,
} from './fixtures';

const evidence = [{ kind: 'file' as const, messageId: 'om_9', key: 'file_9', name: '审批单.pdf' }];
const extension = (id: string): CaseCommand => ({
  type: 'request_extension',
  extensionId: id,
  reason: '等待上级批复',
  newDeadline: '2026-04-10',
});

/** What the command itself answers: null when it is taken, else its refusal. */
function commandRefusal(c: Case, cmd: CaseCommand, actor: Actor, e: Env) {
  const d = decideCase(c, cmd, actor, e);
  return d.ok ? null : d;
}

describe('the permission checks the shell asks are the ones the commands run', () => {
  const afterDeadline = envAt('2026-04-05T02:00:00Z');
  const open = correctingCase();
  const pending = run(open, extension('x1'), subject);
  const completed = run(open, { type: 'report_completion', text: '已完成', evidence }, subject);
  const closed = run(completed, { type: 'accept_completion' }, secretary);
  const states: [string, Case][] = [
    ['open', open],
    ['extension pending', pending],
    ['completion reported', completed],
    ['closed', closed],
  ];

  it('申请延期: extensionCheck refuses exactly what request_extension refuses, with the same words', () => {
    for (const e of [env, afterDeadline])
      for (const [, c] of states)
        for (const actor of [subject, secretary])
          expect(extensionCheck(c, actor, businessDate(e.now))).toEqual(
            commandRefusal(c, extension('x2'), actor, e),
          );
    expect(extensionCheck(open, subject, businessDate(env.now))).toBeNull();
    expect(extensionCheck(open, subject, businessDate(afterDeadline.now))).toMatchObject({
      code: 'too_late',
      reason: '整改期限（2026-03-20）已过，不能再申请延期，请尽快完成整改并报告。',
    });
    expect(extensionCheck(pending, subject, businessDate(env.now))?.code).toBe('duplicate');
  });

  it('报告进展: responsibleCheck refuses exactly what report_progress refuses', () => {
    for (const [, c] of states)
      for (const actor of [subject, secretary, clerk])
        expect(responsibleCheck(c, actor, '报告整改进展')).toEqual(
          commandRefusal(c, { type: 'report_progress', text: '进展' }, actor, env),
        );
    expect(responsibleCheck(completed, subject, '报告整改进展')?.reason).toBe(
      '已报告整改完成，正在等待党组书记验收。',
    );
    expect(responsibleCheck(closed, subject, '报告整改进展')?.reason).toBe('本案整改已验收，案件已办结。');
  });

  it('核查意见: investigatorCheck answers the assigned investigator alone, as submit_findings does', () => {
    const c = investigatingCase();
    for (const actor of [investigator, clerk, secretary, subject])
      expect(investigatorCheck(c, actor)).toEqual(commandRefusal(c, findingsCommand, actor, env));
    expect(investigatorCheck(c, investigator)).toBeNull();
  });

  it('下达纠错通知 and 结案: secretaryCheck is the refusal the secretary-only commands give', () => {
    for (const actor of [clerk, subject, investigator]) {
      const denied = secretaryCheck(open, actor, '结案');
      expect(denied).not.toBeNull();
      expect(commandRefusal(open, { type: 'close' }, actor, env)).toEqual(denied);
    }
    expect(secretaryCheck(open, secretary, '结案')).toBeNull();
  });

  it('提交 and 撤回: subjectCheck is the refusal the subject-only commands give', () => {
    const draft = filledDraft();
    for (const actor of [secretary, clerk]) {
      expect(commandRefusal(draft, { type: 'submit' }, actor, env)).toEqual(
        subjectCheck(draft, actor, '提交申请'),
      );
      expect(commandRefusal(draft, { type: 'withdraw' }, actor, env)).toEqual(
        subjectCheck(draft, actor, '撤回申请'),
      );
    }
    expect(subjectCheck(draft, subject, '提交申请')).toBeNull();
    expect(subjectCheck(draft, clerk, '提交申请')?.code).toBe('forbidden');
  });
});
