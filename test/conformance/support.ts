// The conformance suite's shared pieces: the regulation's text to quote, the core driven to a carried
// vote on chosen findings, and a world in the emulator where a case goes the whole way through chat.

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { addCalendarDays, businessDate } from '../../src/calendar';
import {
  type Actor,
  type Case,
  type CaseCommand,
  createDraft,
  type Decision,
  decideCase,
  type Env,
  type FactsPatch,
} from '../../src/cases';
import { defaultPolicy } from '../../src/policy';
import type { EmulatedMessage } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import {
  completeFacts,
  determinationCommand,
  env,
  findingsCommand,
  investigatingCase,
  investigator,
  partyOf,
  run,
  secretary,
  voted,
} from '../cases/fixtures';
import type { CommandFor } from '../support/decide';
import { closeVoteAndConfirm, issueAndConfirm } from '../support/forms';
import { ADMIN, OFFICER, startHarness } from '../support/harness';
import { find, one, text } from '../support/messages';

const REGULATION = readFileSync(new URL('../fixtures/regulation.zh.md', import.meta.url), 'utf8');

/** A clause of the regulation, checked to be its very words, so a test name quotes what it enforces. */
export function clause(text: string): string {
  if (!REGULATION.includes(text)) throw new Error(`not in the regulation: ${text}`);
  return text;
}

type Findings = Partial<Omit<Extract<CaseCommand, { type: 'submit_findings' }>, 'type'>>;
type Issue = Partial<Omit<Extract<CaseCommand, { type: 'issue_determination' }>, 'type'>>;

/** The core: a case whose party-group vote carried `option`, on the findings given. */
export function carriedOn(findings: Findings, option: Case['facts']['items'][number] | string, e: Env = env) {
  let c = run(investigatingCase(e), { ...findingsCommand, ...findings }, investigator, e);
  c = run(c, { type: 'open_deliberation', partyMembers: partyOf(5) }, secretary, e);
  const o = option as 'exempt' | 'lighter' | 'mitigate' | 'refuse';
  c = voted(c, [o, o, o, null, null], e);
  return run(c, { type: 'close_vote' }, secretary, e);
}

/** The core: the secretary issues on a carried case (the fixture's command, with an order, by default). */
export function issue(c: Case, over: Issue = {}, e: Env = env): Decision<Case> {
  return decideCase(c, { ...determinationCommand, ...over }, secretary, e);
}

/** Issued without a correction order and, as the default policy asks after an exemption, with a reason. */
export const noOrder = {
  correctionRequired: false,
  correction: undefined,
  correctionWaiver: '执法行为本身没有需要纠正的问题。',
} as const;

export function refusedWith(d: Decision<unknown>, pattern: RegExp): void {
  expect(d.ok, d.ok ? 'accepted' : d.reason).toBe(false);
  if (!d.ok) expect(d.reason).toMatch(pattern);
}

// ───────────────────────────── the emulator world ─────────────────────────────

export const SEC = { openId: 'ou_conf_sec', name: '李书记' };
export const PM = [
  { openId: 'ou_conf_pm_wang', name: '王委员' },
  { openId: 'ou_conf_pm_zhao', name: '赵委员' },
  { openId: 'ou_conf_pm_sun', name: '孙委员' },
] as const;
export const CLERK = { openId: 'ou_conf_clerk', name: '周经办' };
export const INV = { openId: 'ou_conf_inv', name: '吴核查' };
export const SUBJECT = OFFICER;
export const PARTY = 'oc_conf_party';
export const UNIT_E1 = 'oc_conf_unit_e1';
export const PUB = 'oc_conf_publication';

export { text };

/** The findings form as the investigator fills it. */
export function findingsForm(o: {
  items: string[];
  conditions?: [boolean, boolean, boolean];
  outcome: string;
  note?: string;
}): Record<string, unknown> {
  const of = (a: number) => o.items.filter((i) => i.split('.')[0] === String(a));
  const [c1, c2, c3] = o.conditions ?? [true, true, true];
  const yn = (b: boolean) => (b ? 'yes' : 'no');
  return {
    items_9: of(9),
    items_10: of(10),
    items_11: of(11),
    items_12: of(12),
    ...(of(10).length ? { cond_1: yn(c1), cond_2: yn(c2), cond_3: yn(c3) } : {}),
    ...Object.fromEntries(defaultPolicy.factors.map((f) => [`factor_${f.id}`, `经核查，${f.name}情况清楚`])),
    outcome: o.outcome,
    error_category: 'procedure',
    enforcement_area: 'shelter_maintenance',
    note: o.note ?? '经核查，情况属实。',
  };
}

/** The order fields of the issue form, filled for the subject by the default deadline. */
export function orderFields(): Record<string, unknown> {
  const deadline = addCalendarDays(businessDate(new Date()), defaultPolicy.correction.defaultPeriod.days);
  return {
    correction: 'yes',
    reason: '暂扣设备前未履行审批程序',
    requirements: '补办暂扣审批手续并归档',
    suggestions: '',
    responsible: SUBJECT.openId,
    unit: 'enforcement_1',
    deadline: `${deadline} +0800`,
    improve: '分析原因，完善夜间检查临机处置制度。',
  };
}

/** A harness with the party group, a unit chat, a publication chat and the roster. */
export async function startWorld() {
  const h = await startHarness();
  let seq = 500;
  for (const u of [SEC, ...PM, CLERK, INV]) h.emu.addUser(u);
  const everyone = [SUBJECT, SEC, ...PM, CLERK, INV].map((u) => u.openId);
  h.emu.addChat({ chatId: PARTY, name: '党组群', members: everyone });
  h.emu.addChat({ chatId: UNIT_E1, name: '执法一科', members: [SUBJECT.openId, CLERK.openId] });
  h.emu.addChat({ chatId: PUB, name: '公示群', members: everyone });
  const now = new Date();
  const by = ADMIN.openId;
  const repo = () => new Repo(h.rt.store.db);
  await h.rt.store.commit([
    repo().addRole({ ...SEC, role: 'secretary', by, now }),
    ...PM.map((p) => repo().addRole({ ...p, role: 'party_member', by, now })),
    repo().addRole({ ...CLERK, role: 'clerk', by, now }),
    repo().addRole({ ...INV, role: 'investigator', by, now }),
    repo().bindChat({ chatId: PARTY, kind: 'party', by, now }),
    repo().bindChat({ chatId: UNIT_E1, kind: 'unit', unitId: 'enforcement_1', by, now }),
    repo().bindChat({ chatId: PUB, kind: 'publication', by, now }),
  ]);

  const getCase = async (id: string) => (await repo().getCase(id)) as Case;
  const dm = (openId: string) => h.emu.messages({ openId }).filter((m) => m.from === 'app');
  const inChat = (chatId: string) => h.emu.messages({ chatId }).filter((m) => m.from === 'app');

  /** The same core decision the clerk's buttons make, through the real shell. */
  const act = (caseId: string, openId: string, cmd: CommandFor) => h.decide(caseId, openId, cmd);

  /** A submitted application, accepted and assigned, as intake and the clerk leave it. */
  async function investigating(patch: FactsPatch = {}): Promise<{ id: string; number: string }> {
    const e = { now: new Date(), policy: defaultPolicy, calendar: h.rt.service.bot.calendar };
    const subject: Actor = { ...SUBJECT, roles: [] };
    const id = `case_conf_${++seq}`;
    const draft = createDraft({ type: 'create_draft', caseId: id }, subject, e);
    if (!draft.ok) throw new Error(draft.reason);
    let c = run(draft.state, { type: 'update_facts', patch: { ...completeFacts, ...patch } }, subject, e);
    c = run(c, { type: 'submit', seq }, subject, e);
    await h.rt.store.commit(repo().saveCase(null, c));
    await act(id, CLERK.openId, () => ({ type: 'accept' }));
    await act(id, CLERK.openId, async (ctx) => ({
      type: 'assign_investigator',
      investigator: await ctx.actor(INV.openId),
    }));
    return { id, number: (await getCase(id)).number! };
  }

  /**
   * Findings through the investigator's card, the vote opened from the secretary's card, three votes
   * for `option` on the party chat's card, closed: returns the vote card and the issue form.
   */
  async function carried(form: Record<string, unknown>, option: string, patch: FactsPatch = {}) {
    const { id, number } = await investigating(patch);
    const f = one(dm(INV.openId), number, '提交核查意见');
    const sent = await h.emu.clickButton(INV.openId, f.messageId, '提交核查意见', form);
    expect(sent.toast?.type, sent.toast?.content).toBe('success');
    await h.settle();
    const ask = one(dm(SEC.openId), number, '发起表决');
    await h.emu.clickButton(SEC.openId, ask.messageId, '发起表决');
    await h.settle();
    const card = one(inChat(PARTY), number, '第 1 轮');
    for (const who of [PM[0], PM[1], SEC]) {
      const v = await h.emu.clickButton(who.openId, card.messageId, option);
      expect(v.toast?.type, v.toast?.content).toBe('success');
    }
    const closed = await closeVoteAndConfirm(h.emu, h.settle, SEC.openId, card.messageId);
    expect(closed.toast?.type, closed.toast?.content).toBe('success');
    await h.settle();
    const issueForm = one(dm(SEC.openId), number, '签发认定结论', 'det.issue');
    return { id, number, cardId: card.messageId, issueForm };
  }

  const issueOn = (form: EmulatedMessage, values: Record<string, unknown>) =>
    issueAndConfirm(h.emu, SEC.openId, form.messageId, {
      scope: 'none',
      units: [],
      reasons: '经党组集体研究认定。',
      ...values,
    });

  return { h, repo, getCase, dm, inChat, find, one, act, investigating, carried, issueOn };
}

export type World = Awaited<ReturnType<typeof startWorld>>;

/** The form field named `name` anywhere in a card. */
export function fieldOf(card: unknown, name: string): Record<string, unknown> | undefined {
  if (Array.isArray(card)) {
    for (const x of card) {
      const hit = fieldOf(x, name);
      if (hit) return hit;
    }
    return undefined;
  }
  if (typeof card !== 'object' || card === null) return undefined;
  const o = card as Record<string, unknown>;
  if (o.name === name && typeof o.tag === 'string') return o;
  for (const v of Object.values(o)) {
    const hit = fieldOf(v, name);
    if (hit) return hit;
  }
  return undefined;
}
