import { expect } from 'vitest';
import { createCalendar } from '../../src/calendar';
import {
  type Actor,
  type Case,
  type CaseCommand,
  createDraft,
  type Decision,
  decideCase,
  type Env,
  type FactsPatch,
  type RefusalCode,
  type VoteOption,
} from '../../src/cases';
import { defaultPolicy } from '../../src/policy';

export const calendar = createCalendar();

/** Monday 2026-03-02, 10:00 in Shanghai. */
export const NOW = new Date('2026-03-02T02:00:00Z');

export function envAt(now: Date | string = NOW): Env {
  return { now: typeof now === 'string' ? new Date(now) : now, policy: defaultPolicy, calendar };
}

export const env = envAt();

export const subject: Actor = { openId: 'ou_subject', name: '张执法', roles: [] };
export const secretary: Actor = { openId: 'ou_secretary', name: '李书记', roles: ['secretary'] };
export const clerk: Actor = { openId: 'ou_clerk', name: '王经办', roles: ['clerk'] };
export const investigator: Actor = { openId: 'ou_inv', name: '赵核查', roles: ['investigator'] };
export const admin: Actor = { openId: 'ou_admin', name: '管理员', roles: ['admin'] };
export const outsider: Actor = { openId: 'ou_outsider', roles: [] };
export const system: Actor = { openId: 'system', roles: [] };

export function member(i: number): Actor {
  return { openId: `ou_pm${i}`, name: `党组成员${i}`, roles: ['party_member'] };
}

/** Secretary plus party members 1..n-1: n eligible voters when the subject is not among them. */
export function partyOf(n: number): string[] {
  return [secretary.openId, ...Array.from({ length: n - 1 }, (_, i) => member(i + 1).openId)];
}

export const completeFacts: FactsPatch = {
  title: '夜间检查人防工程时临机决定暂扣设备',
  occurredOn: '2026-02-20',
  stage: 'inspection',
  unitId: 'enforcement_1',
  story: '夜间检查发现设备存在安全隐患，为防止事故临机决定暂扣。',
  lossAndImpact: '当事单位停工半天，无重大损失。',
  majorLoss: false,
  seriousImpact: false,
  remedies: '次日即组织复核并归还设备，向当事单位说明情况。',
  items: ['10.4'],
  conditions: { '10.c1': true, '10.c2': true, '10.c3': true },
  errorCategory: 'procedure',
  enforcementArea: 'shelter_maintenance',
};

export const fiveFactors: Record<string, string> = Object.fromEntries(
  defaultPolicy.factors.map((f) => [f.id, `已综合研判${f.name}情况`]),
);

export type Ok<S> = Extract<Decision<S>, { ok: true }>;

export function ok<S>(d: Decision<S>): Ok<S> {
  if (!d.ok) throw new Error(`expected success, got ${d.code}: ${d.reason}`);
  return d;
}

export function refused<S>(d: Decision<S>, code: RefusalCode, reason?: string | RegExp): void {
  expect(d.ok).toBe(false);
  if (d.ok) return;
  expect(d.code).toBe(code);
  // every refusal is shown to a user, so it must be Chinese
  expect(d.reason).toMatch(/[\u4e00-\u9fff]/);
  if (reason !== undefined) expect(d.reason).toMatch(reason);
}

export function run(c: Case, cmd: CaseCommand, actor: Actor, e: Env = env): Case {
  return ok(decideCase(c, cmd, actor, e)).state;
}

export function draftCase(e: Env = env): Case {
  return ok(createDraft({ type: 'create_draft', caseId: 'case-1' }, subject, e)).state;
}

export function filledDraft(e: Env = env): Case {
  return run(draftCase(e), { type: 'update_facts', patch: completeFacts }, subject, e);
}

export function submittedCase(e: Env = env): Case {
  return run(filledDraft(e), { type: 'submit', seq: 7 }, subject, e);
}

export function investigatingCase(e: Env = env): Case {
  const c = run(submittedCase(e), { type: 'accept' }, clerk, e);
  return run(c, { type: 'assign_investigator', investigator }, clerk, e);
}

export const findingsCommand: Extract<CaseCommand, { type: 'submit_findings' }> = {
  type: 'submit_findings',
  items: ['10.4'],
  conditions: { '10.c1': true, '10.c2': true, '10.c3': true },
  factors: fiveFactors,
  recommendedOutcome: 'exempt',
  note: '情况属实。',
};

export function withFindings(e: Env = env): Case {
  return run(investigatingCase(e), findingsCommand, investigator, e);
}

export function deliberatingCase(voters = 5, e: Env = env): Case {
  return run(withFindings(e), { type: 'open_deliberation', partyMembers: partyOf(voters) }, secretary, e);
}

/** Everyone votes in the given order of options; `null` abstains. */
export function voted(c: Case, options: (VoteOption | null)[], e: Env = env): Case {
  let s = c;
  options.forEach((option, i) => {
    if (option === null) return;
    const voter = i === 0 ? secretary : member(i);
    s = run(s, { type: 'vote', option }, voter, e);
  });
  return s;
}

export function carriedCase(option: VoteOption = 'exempt', e: Env = env): Case {
  const c = voted(deliberatingCase(5, e), [option, option, option, 'lighter', null], e);
  return run(c, { type: 'close_vote' }, secretary, e);
}

export const determinationCommand: Extract<CaseCommand, { type: 'issue_determination' }> = {
  type: 'issue_determination',
  outcome: 'exempt',
  citedItems: ['10.4'],
  factors: fiveFactors,
  reasons: '符合第十条第（四）项，且同时满足第二款三项条件。',
  publication: { scope: 'party' },
  correctionRequired: true,
  correction: {
    reason: '暂扣设备未按程序报批',
    items: [
      { kind: 'requirement', text: '补办暂扣审批手续' },
      { kind: 'suggestion', text: '修订夜间检查临机处置流程' },
    ],
    responsible: { openId: subject.openId, unitId: 'enforcement_1' },
    deadline: '2026-03-20',
    improveRules: '分析原因，完善夜间检查制度。',
  },
};

/** Arts. 15–16 (default policy): no order after an exemption only with a stated reason. */
export const noCorrection = {
  correctionRequired: false,
  correction: undefined,
  correctionWaiver: '经核查，执法行为本身无需纠正的问题，无纠错事项。',
} as const;

export function correctingCase(e: Env = env): Case {
  return run(carriedCase('exempt', e), determinationCommand, secretary, e);
}
