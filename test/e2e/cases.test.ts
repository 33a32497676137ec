import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../db/schema';
import { applyCase, isRefusal } from '../../src/bot/apply';
import { Ctx } from '../../src/bot/context';
import { businessDate } from '../../src/calendar';
import { type Actor, type Case, type CaseCommand, createDraft, decideCase } from '../../src/cases';
import type { EmulatedMessage } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';

const SUBJECT = OFFICER;
const SECRETARY = { openId: 'ou_secretary_liu', name: '刘书记' };
const CLERK = { openId: 'ou_clerk_wang', name: '王经办' };
const MEMBER = { openId: 'ou_member_chen', name: '陈委员' };
const INVESTIGATOR = { openId: 'ou_investigator_zhao', name: '赵核查' };
const STRANGER = { openId: 'ou_stranger_sun', name: '孙路人' };
const PARTY_CHAT = 'oc_party_cases';

const text = (m: { content: unknown } | undefined) => JSON.stringify(m?.content ?? null);
const DAY = 86_400_000;

describe('cases after submission, end to end through the emulator', () => {
  let h: Harness;
  const db = () => h.rt.store.db;
  const repo = () => new Repo(db());
  const env = () => ({
    now: new Date(),
    policy: h.rt.service.bot.policy,
    calendar: h.rt.service.bot.calendar,
  });
  const caseOf = async (id: string) => (await repo().getCase(id)) as Case;
  const auditCount = async () => (await db().select().from(audit)).length;
  const dm = (openId: string) => h.emu.messages({ openId });
  const lastDm = (openId: string) => dm(openId).at(-1);
  const partyMessages = () => h.emu.messages({ chatId: PARTY_CHAT });
  const applicationMessage = (number: string) =>
    partyMessages().find(
      (m) => text(m).includes('容错认定申请') && text(m).includes(number),
    ) as EmulatedMessage;

  /** Runs a core command through the bot's own path: one unit, state + audit + intents committed together. */
  async function command(
    caseId: string,
    who: string,
    cmd: CaseCommand | ((c: Case, r: Repo) => Promise<CaseCommand>),
  ) {
    let outcome: Case | string = '';
    await h.rt.service.pipeline.runUnit('test-command', async (fx) => {
      const ctx = new Ctx(fx, new Repo(fx.db), h.rt.service.bot);
      const before = (await ctx.repo.getCase(caseId)) as Case;
      const actor = await ctx.actor(who);
      const extra = [];
      let c: CaseCommand;
      if (typeof cmd === 'function') c = await cmd(before, ctx.repo);
      else if (cmd.type === 'submit' && before.number === null) {
        const seq = await ctx.repo.nextSeq(`case:${businessDate(ctx.now).slice(0, 4)}`, ctx.now);
        c = { type: 'submit', seq: seq.value };
        extra.push(...seq.write);
      } else c = cmd;
      const r = await applyCase(ctx, before, decideCase(before, c, actor, ctx.env), extra);
      outcome = isRefusal(r) ? r.reason : r;
    });
    await h.settle();
    if (typeof outcome === 'string') throw new Error(`command refused: ${outcome}`);
    return outcome as Case;
  }

  /** A complete draft written straight into the store, then submitted through the bot path. */
  async function submittedCase(id: string, title: string): Promise<Case> {
    const subject: Actor = { openId: SUBJECT.openId, name: SUBJECT.name, roles: [] };
    const e = env();
    const draft = createDraft({ type: 'create_draft', caseId: id, subjectName: SUBJECT.name }, subject, e);
    if (!draft.ok) throw new Error(draft.reason);
    const filled = decideCase(
      draft.state,
      {
        type: 'update_facts',
        patch: {
          title,
          occurredOn: businessDate(new Date(Date.now() - 10 * DAY)),
          stage: 'inspection',
          unitId: 'enforcement_1',
          story: '夜间检查发现设备存在安全隐患，为防止事故临机决定暂扣。',
          lossAndImpact: '当事单位停工半天，无重大损失。',
          majorLoss: false,
          seriousImpact: false,
          remedies: '次日即组织复核并归还设备，向当事单位说明情况。',
          items: ['10.4'],
          conditions: { '10.c1': true, '10.c2': true, '10.c3': true },
        },
      },
      subject,
      e,
    );
    if (!filled.ok) throw new Error(filled.reason);
    await h.rt.store.commit(repo().saveCase(null, filled.state));
    return command(id, SUBJECT.openId, { type: 'submit' });
  }

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SECRETARY, CLERK, MEMBER, INVESTIGATOR, STRANGER]) h.emu.addUser(u);
    h.emu.addChat({
      chatId: PARTY_CHAT,
      name: '党组群',
      members: [SECRETARY.openId, CLERK.openId, MEMBER.openId, STRANGER.openId, ADMIN.openId],
    });
    const r = repo();
    const now = new Date();
    const by = ADMIN.openId;
    await h.rt.store.commit([
      r.addRole({ ...SECRETARY, role: 'secretary', by, now }),
      r.addRole({ ...CLERK, role: 'clerk', by, now }),
      r.addRole({ ...MEMBER, role: 'party_member', by, now }),
      r.addRole({ ...INVESTIGATOR, role: 'investigator', by, now }),
      // The subject is an investigator too: never offered for their own case.
      r.addRole({ ...SUBJECT, role: 'investigator', by, now }),
      r.bindChat({ chatId: PARTY_CHAT, kind: 'party', by, now }),
    ]);
  });
  afterAll(async () => h?.close());

  let first: Case;
  let firstCard: EmulatedMessage;

  it('a submitted application reaches the party group as the new-application card', async () => {
    first = await submittedCase('case_first', '夜间检查临机暂扣设备');
    expect(first.status).toBe('submitted');
    const number = first.number as string;
    expect(number).toMatch(/^容错〔\d{4}〕\d+号$/);
    firstCard = applicationMessage(number);
    expect(firstCard).toBeDefined();
    const body = text(firstCard);
    expect(body).toContain('新的容错认定申请');
    expect(body).toContain('第十条第（四）项');
    expect(body).toContain('初步评估：容错免责');
    expect(body).toContain('张执法 提交申请');
    expect(h.emu.buttons(firstCard.messageId).map((b) => b.text)).toEqual(['受理', '退回补充', '指派核查']);
    // The clerk is told in their own chat too, with a live copy they can act on.
    const clerkCopy = dm(CLERK.openId).find((m) => text(m).includes(number));
    expect(clerkCopy).toBeDefined();
    expect(h.emu.buttons(clerkCopy!.messageId).map((b) => b.text)).toEqual(['受理', '退回补充', '指派核查']);
  });

  it('a click by someone without the right is refused and changes nothing', async () => {
    const auditBefore = await auditCount();
    const versions = h.emu.message(firstCard.messageId)?.versions.length;
    const stranger = await h.emu.clickButton(STRANGER.openId, firstCard.messageId, '受理');
    expect(stranger.toast?.type).toBe('error');
    expect(stranger.toast?.content).toContain('只有党组书记或经办人可以受理申请');
    expect(stranger.card).toBeUndefined();
    const member = await h.emu.clickButton(MEMBER.openId, firstCard.messageId, '退回补充');
    expect(member.toast?.content).toContain('只有党组书记或经办人可以退回申请');
    expect(member.card).toBeUndefined();
    await h.settle();
    expect((await caseOf(first.id)).status).toBe('submitted');
    expect((await caseOf(first.id)).version).toBe(first.version);
    expect(await auditCount()).toBe(auditBefore);
    expect(h.emu.message(firstCard.messageId)?.versions.length).toBe(versions);
  });

  it('受理 by the clerk updates the card for everyone, the case and the applicant', async () => {
    const before = await auditCount();
    const versions = h.emu.message(firstCard.messageId)?.versions.length ?? 0;
    const res = await h.emu.clickButton(CLERK.openId, firstCard.messageId, '受理');
    expect(res.toast).toMatchObject({ type: 'success' });
    await h.settle();
    const stored = h.emu.message(firstCard.messageId);
    // Replaced once, by the click answer: no second update of the same message.
    expect(stored?.versions).toHaveLength(versions + 1);
    expect(text({ content: stored?.versions.at(-1) })).toContain('王经办 受理申请');
    expect(text(stored)).toContain('容错认定申请（已受理）');
    expect(h.emu.buttons(firstCard.messageId).map((b) => b.text)).toEqual(['指派核查']);
    const c = await caseOf(first.id);
    expect(c.status).toBe('investigating');
    expect(c.decisionDueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const rows = await db()
      .select()
      .from(audit)
      .where(eq(audit.subject, `case:${first.id}`));
    expect(rows.at(-1)).toMatchObject({ action: 'case.accepted', actor: CLERK.openId });
    expect(await auditCount()).toBe(before + 1);
    expect(text(lastDm(SUBJECT.openId))).toContain('你的容错认定申请已受理');
    // A second click on a stale copy is refused by the core with its reason.
    const again = await h.emu.click(
      CLERK.openId,
      firstCard.messageId,
      { a: 'case.accept', caseId: first.id },
      undefined,
      {
        unchecked: true,
      },
    );
    expect(again.toast?.content).toContain('不能受理');
  });

  it('指派核查 offers the roster investigators except the subject and records the one chosen', async () => {
    const opened = await h.emu.clickButton(CLERK.openId, firstCard.messageId, '指派核查');
    const form = JSON.stringify(opened.card);
    expect(form).toContain('select_static');
    expect(form).toContain(INVESTIGATOR.openId);
    expect(form).not.toContain(SUBJECT.openId);
    const empty = await h.emu.clickButton(CLERK.openId, firstCard.messageId, '确认指派', {});
    expect(empty.toast?.content).toContain('核查人员');
    expect((await caseOf(first.id)).investigators).toEqual([]);
    const res = await h.emu.clickButton(CLERK.openId, firstCard.messageId, '确认指派', {
      investigator: INVESTIGATOR.openId,
    });
    expect(res.toast).toMatchObject({ type: 'success' });
    expect(res.toast?.content).toContain('赵核查');
    await h.settle();
    expect((await caseOf(first.id)).investigators).toEqual([INVESTIGATOR.openId]);
    expect(text(h.emu.message(firstCard.messageId))).toContain('王经办 指派核查人员 赵核查');
    expect(dm(INVESTIGATOR.openId).length).toBeGreaterThan(0);
  });

  let returned: Case;
  it('退回补充 refuses an empty reason naming the field; with a reason the case goes back to the applicant', async () => {
    returned = await submittedCase('case_returned', '执法文书送达延误');
    const msg = applicationMessage(returned.number as string);
    const opened = await h.emu.clickButton(SECRETARY.openId, msg.messageId, '退回补充');
    expect(JSON.stringify(opened.card)).toContain('退回理由');
    const auditBefore = await auditCount();
    const empty = await h.emu.clickButton(SECRETARY.openId, msg.messageId, '确认退回', { reason: '   ' });
    expect(empty.toast?.type).toBe('error');
    expect(empty.toast?.content).toContain('「退回理由」不能为空');
    await h.settle();
    expect((await caseOf(returned.id)).status).toBe('submitted');
    expect(await auditCount()).toBe(auditBefore);

    const reason = '请补充送达回证的照片';
    const res = await h.emu.clickButton(SECRETARY.openId, msg.messageId, '确认退回', { reason });
    expect(res.toast).toMatchObject({ type: 'success' });
    await h.settle();
    const c = await caseOf(returned.id);
    expect(c).toMatchObject({ status: 'draft', returnReason: reason });
    expect(text(h.emu.message(msg.messageId))).toContain('刘书记 退回补充');
    expect(h.emu.buttons(msg.messageId)).toEqual([]);
    const notice = dm(SUBJECT.openId).find((m) => text(m).includes('已退回补充') && text(m).includes(reason));
    expect(notice).toBeDefined();
    expect(h.emu.buttons(notice!.messageId).map((b) => b.value)).toContainEqual({
      a: 'intake.resume',
      caseId: returned.id,
      case: returned.id,
    });
    // The intake picks the button up: the applicant lands back in the draft.
    const resumed = await h.emu.clickButton(SUBJECT.openId, notice!.messageId, '继续补充');
    expect(resumed.toast?.content ?? '').not.toMatch(/过期|无效/);
    await h.settle();
    expect(lastDm(SUBJECT.openId)?.messageId).not.toBe(notice!.messageId);
  });

  it('指派核查 on a new application accepts it and assigns in one step', async () => {
    const c = await submittedCase('case_direct', '行政处罚听证告知遗漏');
    const msg = applicationMessage(c.number as string);
    await h.emu.clickButton(SECRETARY.openId, msg.messageId, '指派核查');
    const res = await h.emu.clickButton(SECRETARY.openId, msg.messageId, '确认指派', {
      investigator: INVESTIGATOR.openId,
    });
    expect(res.toast?.type).toBe('success');
    await h.settle();
    const after = await caseOf(c.id);
    expect(after.status).toBe('investigating');
    expect(after.investigators).toEqual([INVESTIGATOR.openId]);
    const actions = (
      await db()
        .select()
        .from(audit)
        .where(eq(audit.subject, `case:${c.id}`))
    ).map((r) => r.action);
    expect(actions.slice(-2)).toEqual(['case.accepted', 'case.investigator_assigned']);
  });

  it('我的案件 lists the sender’s cases with status and next step; none gives a friendly card', async () => {
    await h.emu.sendText(SUBJECT.openId, '我的申请');
    await h.settle();
    const list = text(lastDm(SUBJECT.openId));
    expect(list).toContain(first.number as string);
    expect(list).toContain('核查中');
    expect(list).toContain('已退回补充');
    expect(list).toContain('请申请人按退回理由补充修改后重新提交');
    const listMsg = lastDm(SUBJECT.openId)!;
    expect(h.emu.buttons(listMsg.messageId).map((b) => b.value)).toContainEqual({
      a: 'intake.resume',
      caseId: returned.id,
      case: returned.id,
      from: 'mine',
    });
    const open = await h.emu.click(SUBJECT.openId, listMsg.messageId, {
      a: 'case.open',
      caseId: first.id,
      from: 'mine',
    });
    expect(open.toast?.type).toBe('success');
    await h.settle();
    expect(text(lastDm(SUBJECT.openId))).toContain('夜间检查临机暂扣设备');

    await h.emu.sendText(STRANGER.openId, '案件 列表');
    await h.settle();
    const empty = lastDm(STRANGER.openId)!;
    expect(text(empty)).toContain('还没有容错认定案件');
    expect(h.emu.buttons(empty.messageId).map((b) => b.value)).toContainEqual({ a: 'cmd', cmd: 'apply' });
  });

  it('查询 shows a case to those who may see it and the same refusal to everyone else', async () => {
    const number = first.number as string;
    const [, year, seq] = /〔(\d{4})〕(\d+)号/.exec(number) ?? [];
    const fullWidth = `${year}-${seq}`.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    const typed: [string, string][] = [
      [SUBJECT.openId, `查询${number}`],
      [MEMBER.openId, `查询 ${fullWidth}`],
      [INVESTIGATOR.openId, `查询 容错[${year}]${seq}号`],
      [CLERK.openId, `查询 ${year}-${seq}`],
    ];
    for (const [who, words] of typed) {
      await h.emu.sendText(who, words);
      await h.settle();
      const shown = text(lastDm(who));
      expect(shown, words).toContain('夜间检查临机暂扣设备');
      expect(shown, words).toContain('第十条第（四）项');
    }
    const refusals: string[] = [];
    for (const [who, words] of [
      [ADMIN.openId, `查询 ${number}`],
      [STRANGER.openId, `查询 ${number}`],
      [INVESTIGATOR.openId, `查询 ${returned.number}`],
      [STRANGER.openId, `查询 ${year}-999`],
    ] as const) {
      await h.emu.sendText(who, words);
      await h.settle();
      const answer = text(lastDm(who));
      expect(answer, words).not.toContain('夜间检查');
      expect(answer, words).not.toContain('执法文书送达延误');
      refusals.push(answer.replace(/查询 [^"]*?号/g, ''));
    }
    // A missing case and a forbidden one read the same.
    expect(new Set(refusals).size).toBe(1);
    expect(refusals[0]).toContain('没有找到你可以查看的这件案件');

    // Not a case number: it is taken as an anonymous report's query code (an unknown one here).
    await h.emu.sendText(STRANGER.openId, '查询 K7M2QX9PAB');
    await h.settle();
    expect(text(lastDm(STRANGER.openId))).toContain('没有查到与这个查询码对应的匿名举报');

    // The subject is back in the intake (resumed above): words that merely start with 查询 are theirs to type.
    expect(await repo().conversation(SUBJECT.openId)).toBeDefined();
    await h.emu.sendText(SUBJECT.openId, '查询违规建筑时误扣设备');
    await h.settle();
    expect(text(lastDm(SUBJECT.openId))).not.toContain('不是案件编号');
  });

  it('in a group chat, case answers go to the sender privately', async () => {
    const before = dm(MEMBER.openId).length;
    await h.emu.sendText(MEMBER.openId, `查询 ${first.number}`, { chatId: PARTY_CHAT, mentionBot: true });
    await h.settle();
    expect(text(partyMessages().at(-1))).toContain('已私信回复');
    expect(text(partyMessages().at(-1))).not.toContain('夜间检查');
    expect(dm(MEMBER.openId)).toHaveLength(before + 1);
    expect(text(lastDm(MEMBER.openId))).toContain('夜间检查临机暂扣设备');
  });

  it('待办 shows what waits for each role, each with a button that opens it', async () => {
    const pending = await submittedCase('case_pending', '检查记录缺少签名');
    const todo = async (who: string) => {
      await h.emu.sendText(who, '待办');
      await h.settle();
      return lastDm(who)!;
    };
    const clerk = await todo(CLERK.openId);
    expect(text(clerk)).toContain('待受理的申请');
    expect(text(clerk)).toContain(pending.number as string);
    expect(h.emu.buttons(clerk.messageId).map((b) => b.value)).toContainEqual({
      a: 'case.open',
      caseId: pending.id,
      from: 'todo',
    });
    const opened = await h.emu.click(CLERK.openId, clerk.messageId, {
      a: 'case.open',
      caseId: pending.id,
      from: 'todo',
    });
    expect(opened.toast?.type).toBe('success');
    await h.settle();
    // The handler's own copy carries the actions too.
    const copy = lastDm(CLERK.openId)!;
    expect(h.emu.buttons(copy.messageId).map((b) => b.text)).toEqual(['受理', '退回补充', '指派核查']);
    // Accepted in the group: the clerk's copy follows.
    const party = applicationMessage(pending.number as string);
    await h.emu.clickButton(SECRETARY.openId, party.messageId, '受理');
    await h.settle();
    expect(text(h.emu.message(copy.messageId))).toContain('刘书记 受理申请');
    expect(h.emu.buttons(copy.messageId).map((b) => b.text)).toEqual(['指派核查']);

    const inv = await todo(INVESTIGATOR.openId);
    expect(text(inv)).toContain('待提交核查意见');
    expect(text(inv)).toContain(first.number as string);

    const subject = await todo(SUBJECT.openId);
    expect(text(subject)).toContain('待完成的申请');
    expect(h.emu.buttons(subject.messageId).map((b) => b.value)).toContainEqual({
      a: 'intake.resume',
      caseId: returned.id,
      case: returned.id,
      from: 'todo',
    });

    const policy = h.rt.service.bot.policy;
    await command(first.id, INVESTIGATOR.openId, {
      type: 'submit_findings',
      items: ['10.4'],
      conditions: { '10.c1': true, '10.c2': true, '10.c3': true },
      factors: Object.fromEntries(policy.factors.map((f) => [f.id, `已研判${f.name}情况`])),
      recommendedOutcome: 'exempt',
      errorCategory: policy.errorCategories[0]!.id,
      enforcementArea: policy.enforcementAreas[0]!.id,
    });
    expect(text(await todo(SECRETARY.openId))).toContain('核查意见已提交，待开启党组审议');
    await command(first.id, SECRETARY.openId, {
      type: 'open_deliberation',
      partyMembers: [SECRETARY.openId, MEMBER.openId],
    });
    const member = await todo(MEMBER.openId);
    expect(text(member)).toContain('待表决');
    expect(text(member)).toContain(first.number as string);

    const stranger = await todo(STRANGER.openId);
    expect(text(stranger)).toContain('目前没有需要你处理的事项');
    // The admin's roles give no case work and no case contents.
    const admin = await todo(ADMIN.openId);
    expect(text(admin)).toContain('目前没有需要你处理的事项');
  });

  it('a withdrawn application updates the party card and tells the handlers', async () => {
    const c = await submittedCase('case_withdrawn', '临时查封场所未及时解封');
    const msg = applicationMessage(c.number as string);
    await command(c.id, SUBJECT.openId, { type: 'withdraw' });
    await h.emu.waitFor(() => text(h.emu.message(msg.messageId)).includes('容错认定申请（已撤回）'));
    expect(h.emu.buttons(msg.messageId)).toEqual([]);
    expect(text(partyMessages().at(-1))).toContain('容错认定申请已撤回');
    expect((await caseOf(c.id)).status).toBe('withdrawn');
  });
  it('我的案件 and 待办 stay current as the case moves; a click on an older list shows where things stand', async () => {
    const c = await submittedCase('case_lists', '检查中临机封存易燃物品');
    const number = c.number as string;
    const mentions = (m: EmulatedMessage | undefined) => text(m).includes(number);
    /** Whether a 待办 list has this case under 待受理的申请. */
    const awaitingAcceptance = (m: EmulatedMessage | undefined) => {
      const t = text(m);
      const from = t.indexOf('待受理的申请');
      if (from < 0) return false;
      const group = t.slice(from);
      const end = group.indexOf('"tag":"hr"');
      return (end < 0 ? group : group.slice(0, end)).includes(number);
    };
    await h.emu.sendText(SUBJECT.openId, '我的案件');
    await h.settle();
    const mine = lastDm(SUBJECT.openId)!;
    expect(text(mine)).toContain('**状态**：已提交');
    // Two 待办 lists: an older one and the latest.
    await h.emu.sendText(CLERK.openId, '待办');
    await h.settle();
    const older = lastDm(CLERK.openId)!;
    await h.emu.sendText(CLERK.openId, '待办');
    await h.settle();
    const latest = lastDm(CLERK.openId)!;
    expect(latest.messageId).not.toBe(older.messageId);
    for (const m of [older, latest]) expect(awaitingAcceptance(m)).toBe(true);
    const patchesBefore = h.emu.requests().filter((r) => r.method === 'PATCH').length;

    await command(c.id, SECRETARY.openId, { type: 'accept' });
    await h.emu.waitFor(() => text(h.emu.message(mine.messageId)).includes('**状态**：核查中'));
    expect(text(h.emu.message(mine.messageId))).toContain('已受理，等待指派核查人员');
    const current = h.emu.message(latest.messageId)!;
    expect(text(current)).toContain('待指派核查人员');
    expect(awaitingAcceptance(current)).toBe(false);
    // The older list was not the latest: it is brought up to date by a click on it, whatever the button.
    expect(awaitingAcceptance(h.emu.message(older.messageId))).toBe(true);
    const open = h.emu
      .buttons(older.messageId)
      .find((b) => b.value.a === 'case.open' && b.value.caseId === c.id);
    const clicked = await h.emu.click(CLERK.openId, older.messageId, open!.value);
    expect(clicked.toast?.type).toBe('success');
    await h.settle();
    expect(text(h.emu.message(older.messageId))).toBe(text(h.emu.message(latest.messageId)));
    expect(mentions(h.emu.message(older.messageId))).toBe(true);

    // Each list was updated once for the one change: a refresh that finds a list as it was leaves it alone.
    const patchesOf = (id: string) =>
      h.emu.requests().filter((r) => r.method === 'PATCH' && r.path.includes(id)).length;
    expect(h.emu.requests().filter((r) => r.method === 'PATCH').length).toBeGreaterThan(patchesBefore);
    expect(patchesOf(mine.messageId)).toBe(1);
    expect(patchesOf(latest.messageId)).toBe(1);
    expect(patchesOf(older.messageId)).toBe(1);
  });
});
