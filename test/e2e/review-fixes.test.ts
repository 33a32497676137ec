// Review findings on cases, deliberation and correction, each driven through the emulator and the real runtime.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueFormCard, issueValuesFromCase } from '../../cards/determination';
import { trackerCard } from '../../cards/tracker';
import { conversations } from '../../db/schema';
import { applyCase, isRefusal } from '../../src/bot/apply';
import { Ctx } from '../../src/bot/context';
import { trackerRef } from '../../src/bot/intents';
import { addCalendarDays, businessDate } from '../../src/calendar';
import { type Case, type CaseCommand, decideCase } from '../../src/cases';
import { formatCaseNumber, defaultPolicy as policy } from '../../src/policy';
import type { EmulatedMessage } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import {
  carriedCase,
  determinationCommand,
  envAt,
  filledDraft,
  investigatingCase,
  noCorrection,
  withFindings,
} from '../cases/fixtures';
import { issueAndConfirm } from '../support/forms';
import { ADMIN, type Harness, startHarness } from '../support/harness';
import { find, last, text } from '../support/messages';

const SUBJECT = { openId: 'ou_subject', name: '张执法' };
const SEC = { openId: 'ou_secretary', name: '李书记' };
const CLERK = { openId: 'ou_clerk', name: '王经办' };
const INV = { openId: 'ou_inv', name: '赵核查' };
const PM = { openId: 'ou_pm1', name: '党组成员1' };
const STRANGER = { openId: 'ou_stranger', name: '郑路人' };
const PARTY = 'oc_party_review';
const PUBLISH = 'oc_publish_review';

/** A case under correction as the fixtures make it, with a deadline after today. */
function correcting(): Case {
  const env = envAt(new Date());
  const order = determinationCommand.correction;
  if (!order) throw new Error('the fixture carries an order');
  const d = decideCase(
    carriedCase('exempt', env),
    {
      ...determinationCommand,
      correction: { ...order, deadline: addCalendarDays(businessDate(new Date()), 30) },
    },
    { openId: 'ou_secretary', roles: ['secretary'] },
    env,
  );
  if (!d.ok) throw new Error(d.reason);
  return d.state;
}

/** The same case under another id and number, so several can live in one store. */
function another(c: Case, id: string, seq: number): Case {
  const year = c.year ?? 2026;
  return { ...c, id, year, seq, number: formatCaseNumber(policy, year, seq) };
}

function withHelpers(get: () => Harness) {
  const h = () => get();
  const dm = (openId: string) => h().emu.messages({ openId });
  const getCase = async (id: string) => (await new Repo(h().rt.store.db).getCase(id)) as Case;
  const store = async (...cases: Case[]) => {
    const repo = new Repo(h().rt.store.db);
    await h().rt.store.commit(cases.flatMap((c) => repo.saveCase(null, c)));
  };
  /** A card in the person's own direct chat to click forged values on. */
  const helpCard = async (openId: string) => {
    await h().emu.sendText(openId, '帮助');
    await h().settle();
    return dm(openId).at(-1) as EmulatedMessage;
  };
  /** Runs a core command through the bot's own path: state, audit and intents committed together. */
  const command = async (caseId: string, who: string, cmd: CaseCommand) => {
    let outcome: Case | string = '';
    await h().rt.service.pipeline.runUnit('test-command', async (fx) => {
      const ctx = new Ctx(fx, new Repo(fx.db), h().rt.service.bot);
      const before = (await ctx.repo.getCase(caseId)) as Case;
      const r = await applyCase(ctx, before, decideCase(before, cmd, await ctx.actor(who), ctx.env));
      outcome = isRefusal(r) ? r.reason : r;
    });
    await h().settle();
    if (typeof outcome === 'string') throw new Error(`command refused: ${outcome}`);
    return outcome as Case;
  };
  return { dm, find, last, getCase, store, helpCard, command };
}

describe('review fixes with a party chat bound', () => {
  let h: Harness;
  const { dm, find, last, getCase, store, helpCard } = withHelpers(() => h);

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SUBJECT, SEC, CLERK, INV, PM, STRANGER]) h.emu.addUser(u);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: [SEC.openId, CLERK.openId, PM.openId] });
    h.emu.addChat({ chatId: PUBLISH, name: '公示群', members: [SEC.openId, PM.openId] });
    const repo = new Repo(h.rt.store.db);
    const now = new Date();
    const by = ADMIN.openId;
    await h.rt.store.commit([
      repo.addRole({ ...SEC, role: 'secretary', by, now }),
      repo.addRole({ ...CLERK, role: 'clerk', by, now }),
      repo.addRole({ ...INV, role: 'investigator', by, now }),
      repo.addRole({ ...PM, role: 'party_member', by, now }),
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      repo.bindChat({ chatId: PUBLISH, kind: 'publication', by, now }),
    ]);
  });
  afterAll(async () => h?.close());

  /** A case whose vote carried, with its issuing form in the secretary's chat and a tracker in the subject's. */
  async function carriedWithForm(id: string, seq: number): Promise<{ c: Case; form: EmulatedMessage }> {
    const c = another(carriedCase('exempt', envAt(new Date())), id, seq);
    await store(c);
    await h.rt.service.pipeline.runUnit('test-setup', async (fx) => {
      fx.send({ openId: SUBJECT.openId }, trackerCard({ c, policy }), trackerRef(c.id));
      fx.send(
        { openId: SEC.openId },
        issueFormCard({
          policy,
          c,
          carried: 'exempt',
          round: c.deliberation?.round ?? 1,
          chats: [],
          people: [{ openId: c.subjectOpenId, name: '张执法（当事人）' }],
          values: issueValuesFromCase(
            policy,
            c,
            'exempt',
            addCalendarDays(businessDate(new Date()), policy.correction.defaultPeriod.days),
          ),
        }),
      );
    });
    await h.settle();
    return { c, form: last(dm(SEC.openId), 'det.issue', c.number ?? '') };
  }

  const issueValues = (extra: Record<string, unknown> = {}) => ({
    outcome: 'exempt',
    cited: ['10.4'],
    reasons: '符合第十条第（四）项，且同时满足第二款三项条件。',
    scope: 'none',
    units: [],
    correction: 'no',
    waiver: '执法行为本身没有需要纠正的问题。',
    ...extra,
  });

  it('1. a decided case that needs no correction is closed with 办结, from the issued card or from 待办', async () => {
    const { c, form } = await carriedWithForm('rf-close-a', 201);
    const issued = await issueAndConfirm(h.emu, SEC.openId, form.messageId, issueValues());
    expect(issued.toast?.type).toBe('success');
    expect(h.emu.buttons(form.messageId).map((b) => b.text)).toEqual(['办结']);
    await h.settle();
    expect((await getCase(c.id)).status).toBe('decided');

    // 待办 lists it with a clear note while the notices are not all done.
    await h.emu.sendText(SEC.openId, '待办');
    await h.settle();
    const todo = last(dm(SEC.openId), '已认定、无需纠错，待办结', c.number ?? '');
    expect(text(todo)).toContain('告知尚未全部完成');

    // Nobody but the secretary closes it.
    const strangerCard = await helpCard(STRANGER.openId);
    const forged = await h.emu.click(
      STRANGER.openId,
      strangerCard.messageId,
      { a: 'case.close', case: c.id },
      undefined,
      { unchecked: true },
    );
    expect(forged.toast).toEqual({ type: 'error', content: '只有党组书记可以办结案件。' });
    expect((await getCase(c.id)).status).toBe('decided');

    const closed = await h.emu.clickButton(SEC.openId, form.messageId, '办结');
    expect(closed.toast?.type).toBe('warning');
    expect(closed.toast?.content).toMatch(/^已办结。尚有 \d+ 项告知未完成/);
    expect(JSON.stringify(closed.card)).toContain('本案已办结');
    expect(h.emu.buttons(form.messageId)).toEqual([]);
    await h.settle();
    expect((await getCase(c.id)).status).toBe('closed');
    const tracker = last(dm(SUBJECT.openId), '容错认定案件', c.number ?? '');
    expect(text(h.emu.message(tracker.messageId))).toContain('已办结');

    // A second click changes nothing.
    const again = await h.emu.click(SEC.openId, form.messageId, { a: 'case.close', case: c.id }, undefined, {
      unchecked: true,
    });
    expect(again.toast).toEqual({ type: 'info', content: '本案已经办结' });
  });

  it('1. once the notices are done, 待办 says it can be closed and 办结 there takes it off the list', async () => {
    const env = envAt(new Date());
    const decided = decideCase(
      carriedCase('exempt', env),
      { ...determinationCommand, ...noCorrection },
      { openId: SEC.openId, roles: ['secretary'] },
      env,
    );
    if (!decided.ok) throw new Error(decided.reason);
    const at = new Date().toISOString();
    const done = {
      ...another(decided.state, 'rf-close-b', 202),
      notices: decided.state.notices.map((n) => ({
        ...n,
        sentAt: at,
        deliveredAt: at,
        acknowledgedAt: n.kind === 'subject' ? at : null,
      })),
    };
    await store(done);
    await h.emu.sendText(SEC.openId, '待办');
    await h.settle();
    const todo = last(dm(SEC.openId), '已认定、无需纠错，待办结', done.number ?? '');
    expect(text(todo)).toContain('可以办结');
    const closed = await h.emu.click(SEC.openId, todo.messageId, {
      a: 'case.close',
      case: done.id,
      src: 'todo',
      from: 'todo',
    });
    expect(closed.toast).toEqual({ type: 'success', content: '已办结，当事人的案件跟踪卡片已更新' });
    expect(JSON.stringify(closed.card)).toContain('待办事项');
    expect(JSON.stringify(closed.card)).not.toContain(done.number ?? '');
    await h.settle();
    expect((await getCase(done.id)).status).toBe('closed');
  });

  it('2. completion evidence is kept per case: opening another case’s report keeps the first one’s files', async () => {
    const a = another(correcting(), 'rf-corr-a', 211);
    const b = another(correcting(), 'rf-corr-b', 212);
    await store(a, b);
    const card = await helpCard(SUBJECT.openId);
    const openForm = (c: Case) =>
      h.emu.click(SUBJECT.openId, card.messageId, { a: 'corr.complete.form', case: c.id }, undefined, {
        unchecked: true,
      });

    await openForm(a);
    await h.settle();
    await h.emu.sendFile(SUBJECT.openId, { fileKey: 'file_a1', fileName: '审批手续A.pdf' });
    await h.settle();
    const added = last(dm(SUBJECT.openId), '已收到证明材料', '审批手续A.pdf');
    expect(text(added)).toContain(a.number ?? '');
    expect(text(added)).toContain('最后打开');

    // Opening case B's form leaves case A's file where it was.
    await openForm(b);
    await h.settle();
    expect(text(last(dm(SUBJECT.openId), '报告整改完成', b.number ?? ''))).toContain('证明材料**：尚未收到');
    await h.emu.sendFile(SUBJECT.openId, { fileKey: 'file_b1', fileName: '说明材料B.pdf' });
    await h.settle();
    const toB = last(dm(SUBJECT.openId), '已收到证明材料', '说明材料B.pdf');
    expect(text(toB)).toContain(b.number ?? '');
    expect(text(toB)).toContain('你还有 1 个案件的完成报告正在准备');

    await openForm(a);
    await h.settle();
    const formA = last(dm(SUBJECT.openId), '报告整改完成', a.number ?? '', 'corr.complete"');
    expect(text(formA)).toContain('审批手续A.pdf');
    expect(text(formA)).not.toContain('说明材料B.pdf');

    // Each report takes its own case's files.
    const submitA = await h.emu.clickButton(SUBJECT.openId, formA.messageId, '提交完成报告', {
      text: '已补办暂扣审批手续。',
    });
    expect(submitA.toast?.type).toBe('success');
    await h.settle();
    expect((await getCase(a.id)).correction?.completion?.evidence.map((e) => e.name)).toEqual([
      '审批手续A.pdf',
    ]);
    await openForm(b);
    await h.settle();
    const formB = last(dm(SUBJECT.openId), '报告整改完成', b.number ?? '', 'corr.complete"');
    await h.emu.clickButton(SUBJECT.openId, formB.messageId, '提交完成报告', { text: '已书面说明情况。' });
    await h.settle();
    expect((await getCase(b.id)).correction?.completion?.evidence.map((e) => e.name)).toEqual([
      '说明材料B.pdf',
    ]);
    const drafts = await h.rt.store.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.openId, SUBJECT.openId), eq(conversations.topic, a.id)));
    expect(drafts).toEqual([]);
  });

  it('3. 待办 leads the assigned investigator to the findings form and the secretary to the issuing form', async () => {
    const env = envAt(new Date());
    const inv = another(investigatingCase(env), 'rf-inv', 221);
    await store(inv);
    await h.emu.sendText(INV.openId, '待办');
    await h.settle();
    const todo = last(dm(INV.openId), '待提交核查意见', inv.number ?? '');
    const opened = await h.emu.clickButton(INV.openId, todo.messageId, '填写核查意见');
    expect(opened.toast).toEqual({ type: 'success', content: '「核查意见」表单已私信发送给您' });
    await h.settle();
    last(dm(INV.openId), 'findings.submit', inv.number ?? '');
    // The same value from anyone else opens nothing.
    const strangerCard = await helpCard(STRANGER.openId);
    const before = dm(STRANGER.openId).length;
    const forged = await h.emu.click(
      STRANGER.openId,
      strangerCard.messageId,
      { a: 'findings.open', case: inv.id },
      undefined,
      { unchecked: true },
    );
    expect(forged.toast).toEqual({ type: 'error', content: '只有被指派的核查人员可以提交核查意见。' });
    await h.settle();
    expect(dm(STRANGER.openId)).toHaveLength(before);

    const carried = another(carriedCase('exempt', env), 'rf-carried', 222);
    await store(carried);
    await h.emu.sendText(SEC.openId, '待办');
    await h.settle();
    const secTodo = last(dm(SEC.openId), '表决已结束，待作出认定', carried.number ?? '');
    const form = await h.emu.clickButton(SEC.openId, secTodo.messageId, '签发认定结论');
    expect(form.toast).toEqual({ type: 'success', content: '签发表单已私信发送给您' });
    await h.settle();
    last(dm(SEC.openId), 'det.issue', carried.number ?? '');
    const notSec = await h.emu.click(
      STRANGER.openId,
      strangerCard.messageId,
      { a: 'det.form', case: carried.id, round: carried.deliberation?.round ?? 1 },
      undefined,
      { unchecked: true },
    );
    expect(notSec.toast).toEqual({ type: 'error', content: '只有党组书记可以签发认定结论。' });
  });

  it('3b. 待办 lets the secretary open the vote on a case whose findings are in', async () => {
    const c = another(withFindings(envAt(new Date())), 'rf-findings', 223);
    await store(c);
    await h.emu.sendText(CLERK.openId, '待办');
    await h.settle();
    const clerkTodo = last(dm(CLERK.openId), '核查意见已提交', c.number ?? '');
    expect(h.emu.buttons(clerkTodo.messageId).some((b) => b.text === '发起表决')).toBe(false);
    await h.emu.sendText(SEC.openId, '待办');
    await h.settle();
    const todo = last(dm(SEC.openId), '核查意见已提交', c.number ?? '');
    await h.emu.clickButton(SEC.openId, todo.messageId, '发起表决');
    await h.settle();
    expect((await getCase(c.id)).status).toBe('deliberating');
    last(h.emu.messages({ chatId: PARTY }), c.number ?? '', 'delib.vote');
  });

  it('4. case.view shows the application card only to someone who may handle the case', async () => {
    const c = another(investigatingCase(envAt(new Date())), 'rf-view', 231);
    await store(c);
    const value = { a: 'case.view', caseId: c.id };
    const stranger = await h.emu.click(
      STRANGER.openId,
      (await helpCard(STRANGER.openId)).messageId,
      value,
      undefined,
      {
        unchecked: true,
      },
    );
    expect(stranger.toast?.type).toBe('error');
    expect(stranger.card).toBeUndefined();
    const member = await h.emu.click(PM.openId, (await helpCard(PM.openId)).messageId, value, undefined, {
      unchecked: true,
    });
    expect(member.toast).toEqual({ type: 'error', content: '只有党组书记或经办人可以办理申请。' });
    expect(member.card).toBeUndefined();
    const clerk = await h.emu.click(
      CLERK.openId,
      (await helpCard(CLERK.openId)).messageId,
      value,
      undefined,
      {
        unchecked: true,
      },
    );
    expect(JSON.stringify(clerk.card)).toContain(c.facts.title);
  });

  it('5. forms carrying case data are not shown again to someone without the right', async () => {
    const env = envAt(new Date());
    const inv = another(investigatingCase(env), 'rf-forms-inv', 241);
    const carried = another(carriedCase('exempt', env), 'rf-forms-carried', 242);
    const decided = decideCase(
      carried,
      { ...determinationCommand, ...noCorrection },
      { openId: SEC.openId, roles: ['secretary'] },
      env,
    );
    if (!decided.ok) throw new Error(decided.reason);
    // As stored before the order went with the determination: correction required, no order yet.
    const legacy = { ...decided.state.determination!, correctionRequired: true, correctionWaiver: null };
    const needsOrder = another({ ...decided.state, determination: legacy }, 'rf-forms-order', 243);
    const underCorrection = another(correcting(), 'rf-forms-corr', 244);
    await store(inv, carried, needsOrder, underCorrection);
    const card = await helpCard(STRANGER.openId);
    const clicks: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ a: 'findings.submit', case: inv.id }, {}],
      [{ a: 'det.issue', case: carried.id, round: 99 }, {}],
      [{ a: 'det.issue', case: carried.id, round: carried.deliberation?.round ?? 1 }, {}],
      [{ a: 'corr.set', case: needsOrder.id }, {}],
      [{ a: 'corr.extend', case: underCorrection.id }, {}],
    ];
    for (const [value, form] of clicks) {
      const r = await h.emu.click(STRANGER.openId, card.messageId, value, form, { unchecked: true });
      expect(r.toast?.type, JSON.stringify(value)).toBe('error');
      expect(r.card, JSON.stringify(value)).toBeUndefined();
      expect(text(h.emu.message(card.messageId))).not.toContain(inv.facts.title);
    }
  });

  it('7. the determination is published only to a bound chat', async () => {
    const { c, form } = await carriedWithForm('rf-publish', 251);
    const forged = await issueAndConfirm(
      h.emu,
      SEC.openId,
      form.messageId,
      issueValues({ scope: 'chat', chat: 'oc_not_bound' }),
    );
    expect(forged.toast).toEqual({ type: 'error', content: '只能公开到已绑定的群，请重新选择「群聊」。' });
    expect(JSON.stringify(forged.card)).toContain('未能签发');
    expect((await getCase(c.id)).determination).toBeNull();
    const ok = await issueAndConfirm(
      h.emu,
      SEC.openId,
      form.messageId,
      issueValues({ scope: 'chat', chat: PUBLISH }),
    );
    expect(ok.toast?.type).toBe('success');
    expect((await getCase(c.id)).determination?.publication).toEqual({ scope: 'chat', chatId: PUBLISH });
    await h.settle();
    expect(find(h.emu.messages({ chatId: PUBLISH }), c.number ?? '').length).toBeGreaterThan(0);
  });
});

describe('review fixes without a party chat: who gets the application card, and copies of those who lose the right', () => {
  let h: Harness;
  const { dm, find, last, getCase, store, command } = withHelpers(() => h);

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SUBJECT, SEC, CLERK, PM, STRANGER]) h.emu.addUser(u);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: [SEC.openId, CLERK.openId, PM.openId] });
    h.emu.addChat({ chatId: PUBLISH, name: '新党组群', members: [SEC.openId, CLERK.openId, PM.openId] });
    const repo = new Repo(h.rt.store.db);
    const now = new Date();
    const by = ADMIN.openId;
    // No handler yet, and the subject is a party member.
    await h.rt.store.commit([
      repo.addRole({ ...PM, role: 'party_member', by, now }),
      repo.addRole({ ...SUBJECT, role: 'party_member', by, now }),
    ]);
  });
  afterAll(async () => h?.close());

  const submitted = async (id: string, seq: number) => {
    const draft = { ...filledDraft(envAt(new Date())), id };
    await store(draft);
    return command(id, SUBJECT.openId, { type: 'submit', seq });
  };

  it('8. with no party chat and no handler, the party members hear of it, the subject does not', async () => {
    const c = await submitted('rf-fallback', 301);
    const copy = last(dm(PM.openId), '新的容错认定申请', c.number ?? '');
    // A party member who cannot handle it reads it without the handlers' buttons.
    expect(h.emu.buttons(copy.messageId)).toEqual([]);
    expect(text(copy)).toContain('本卡片仅供查阅');
    expect(find(dm(SUBJECT.openId), '新的容错认定申请')).toEqual([]);
  });

  it('6. copies follow their reader’s rights, and a chat no longer the party chat stops showing the case', async () => {
    const repo = new Repo(h.rt.store.db);
    const now = new Date();
    const by = ADMIN.openId;
    const fallbackCase = await getCase('rf-fallback');
    const fallback = last(dm(PM.openId), '新的容错认定申请', fallbackCase.number ?? '');
    await h.rt.store.commit([repo.addRole({ ...CLERK, role: 'clerk', by, now })]);
    const c = await submitted('rf-copies', 302);
    const clerkCopy = last(dm(CLERK.openId), '新的容错认定申请', c.number ?? '');
    expect(h.emu.buttons(clerkCopy.messageId).map((b) => b.text)).toEqual(['受理', '退回补充', '指派核查']);
    expect(find(dm(PM.openId), c.number ?? '')).toEqual([]);

    // The party member loses the role, then the case moves: their copy shows the case no more.
    await h.rt.store.commit([repo.removeRoles(PM.openId)]);
    await command(fallbackCase.id, SUBJECT.openId, { type: 'withdraw' });
    expect(text(h.emu.message(fallback.messageId))).toContain('你已不能查看这件案件');
    expect(text(h.emu.message(fallback.messageId))).not.toContain(fallbackCase.facts.title);

    // A copy in the party chat, then the party chat moves to another group.
    await h.rt.store.commit([repo.bindChat({ chatId: PARTY, kind: 'party', by, now })]);
    const d = await submitted('rf-party', 303);
    const inParty = last(h.emu.messages({ chatId: PARTY }), '新的容错认定申请', d.number ?? '');
    await h.rt.store.commit([
      repo.unbindChat(PARTY),
      repo.bindChat({ chatId: PUBLISH, kind: 'party', by, now }),
    ]);
    await command(d.id, SUBJECT.openId, { type: 'withdraw' });
    expect(text(h.emu.message(inParty.messageId))).toContain('本群已不是党组群');
    expect(text(h.emu.message(inParty.messageId))).not.toContain(d.facts.title);

    // The clerk, still a handler, keeps a live copy.
    await command(c.id, SUBJECT.openId, { type: 'withdraw' });
    expect(text(h.emu.message(clerkCopy.messageId))).toContain('容错认定申请（已撤回）');
    expect(text(h.emu.message(clerkCopy.messageId))).toContain(c.facts.title);
  });
});
