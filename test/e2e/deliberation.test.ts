import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeCompliance } from '../../cards/notice';
import { audit, votes } from '../../db/schema';
import { addCalendarDays, atBusinessTime, businessDate } from '../../src/calendar';
import { type Actor, type Case, createDraft, decideCase, type FactsPatch } from '../../src/cases';
import { defaultPolicy } from '../../src/policy';
import { Repo } from '../../src/store/repo';
import { completeFacts } from '../cases/fixtures';
import type { CommandFor } from '../support/decide';
import { closeVoteAndConfirm, findingsFormFor, issueAndConfirm } from '../support/forms';
import { ADMIN, OFFICER, startHarness } from '../support/harness';
import { find, one, text } from '../support/messages';

const SEC = { openId: 'ou_sec_li', name: '李书记' };
const PM = [
  { openId: 'ou_pm_wang', name: '王委员' },
  { openId: 'ou_pm_zhao', name: '赵委员' },
  { openId: 'ou_pm_sun', name: '孙委员' },
] as const;
const CLERK = { openId: 'ou_clerk_zhou', name: '周经办' };
const INV = { openId: 'ou_inv_wu', name: '吴核查' };
const STRANGER = { openId: 'ou_stranger_zheng', name: '郑群员' };
const SUBJECT = OFFICER;
const [PM0, PM1, PM2] = PM;

const PARTY = 'oc_party_group';
const UNIT_E1 = 'oc_unit_enforcement_1';
const UNIT_LEGAL = 'oc_unit_legal';
const UNIT_E2 = 'oc_unit_enforcement_2';
const PUB = 'oc_publication';

const facts: FactsPatch = { ...completeFacts, occurredOn: '2026-01-20' };

const findingsForm = findingsFormFor('情况属实，处置及时。');

/** A harness with a party group, unit chats, a publication chat and the roster; helpers to drive a case. */
async function startWorld() {
  const h = await startHarness();
  let seq = 100;
  {
    for (const u of [SEC, ...PM, CLERK, INV, STRANGER]) h.emu.addUser(u);
    const everyone = [SUBJECT, SEC, ...PM, CLERK, INV, STRANGER].map((u) => u.openId);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: everyone });
    h.emu.addChat({ chatId: UNIT_E1, name: '执法一科', members: [SUBJECT.openId, CLERK.openId] });
    h.emu.addChat({ chatId: UNIT_LEGAL, name: '法制审核科', members: [CLERK.openId] });
    h.emu.addChat({ chatId: UNIT_E2, name: '执法二科', members: [CLERK.openId], botMember: false });
    h.emu.addChat({ chatId: PUB, name: '公示群', members: everyone });
    const repo = new Repo(h.rt.store.db);
    const now = new Date();
    const by = ADMIN.openId;
    await h.rt.store.commit([
      repo.addRole({ ...SEC, role: 'secretary', by, now }),
      ...PM.map((p) => repo.addRole({ ...p, role: 'party_member', by, now })),
      // The subject sits in the party group too: recused on their own case.
      repo.addRole({ ...SUBJECT, role: 'party_member', by, now }),
      repo.addRole({ ...CLERK, role: 'clerk', by, now }),
      repo.addRole({ ...INV, role: 'investigator', by, now }),
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      repo.bindChat({ chatId: UNIT_E1, kind: 'unit', unitId: 'enforcement_1', by, now }),
      repo.bindChat({ chatId: UNIT_LEGAL, kind: 'unit', unitId: 'legal_review', by, now }),
      repo.bindChat({ chatId: UNIT_E2, kind: 'unit', unitId: 'enforcement_2', by, now }),
      repo.bindChat({ chatId: PUB, kind: 'publication', by, now }),
    ]);
  }

  const getCase = async (id: string) => (await new Repo(h.rt.store.db).getCase(id)) as Case;
  const dm = (openId: string) => h.emu.messages({ openId }).filter((m) => m.from === 'app');
  const inChat = (chatId: string) => h.emu.messages({ chatId }).filter((m) => m.from === 'app');
  const latest = (id: string) => h.emu.message(id)!;

  /** An application as the intake would leave it: submitted, with a case number. */
  async function submittedCase(patch: FactsPatch = {}): Promise<string> {
    const env = { now: new Date(), policy: defaultPolicy, calendar: h.rt.service.bot.calendar };
    const subject: Actor = { ...SUBJECT, roles: ['party_member'] };
    const id = `case_e2e_${++seq}`;
    const ok = (d: ReturnType<typeof decideCase>) => {
      if (!d.ok) throw new Error(d.reason);
      return d.state;
    };
    const draft = createDraft({ type: 'create_draft', caseId: id }, subject, env);
    if (!draft.ok) throw new Error(draft.reason);
    let c = ok(
      decideCase(draft.state, { type: 'update_facts', patch: { ...facts, ...patch } }, subject, env),
    );
    c = ok(decideCase(c, { type: 'submit', seq }, subject, env));
    await h.rt.store.commit(new Repo(h.rt.store.db).saveCase(null, c));
    return id;
  }

  /** What another engineer's buttons do (accept, assign): the same core decision through the real shell. */
  const act = (caseId: string, openId: string, cmd: CommandFor) => h.decide(caseId, openId, cmd);

  const accept = (id: string) => act(id, CLERK.openId, () => ({ type: 'accept' }));
  const assign = (id: string) =>
    act(id, CLERK.openId, async (ctx) => ({
      type: 'assign_investigator',
      investigator: await ctx.actor(INV.openId),
    }));

  /** A case in deliberation with its live vote card in the party chat. */
  async function deliberatingCase(patch: FactsPatch = {}) {
    const id = await submittedCase(patch);
    await accept(id);
    await assign(id);
    const number = (await getCase(id)).number!;
    const form = one(dm(INV.openId), number, '提交核查意见');
    await h.emu.clickButton(INV.openId, form.messageId, '提交核查意见', findingsForm);
    await h.settle();
    const ask = one(dm(SEC.openId), number, '发起表决');
    const opened = await h.emu.clickButton(SEC.openId, ask.messageId, '发起表决');
    expect(opened.toast?.content).toBe('已在党组群中发起表决');
    await h.settle();
    const cardMsg = one(inChat(PARTY), number, '第 1 轮');
    return { id, number, cardId: cardMsg.messageId };
  }

  const vote = (who: { openId: string }, cardId: string, label: string, comment?: string) =>
    h.emu.clickButton(who.openId, cardId, label, comment ? { comment } : {});

  return {
    h,
    getCase,
    dm,
    inChat,
    find,
    one,
    latest,
    submittedCase,
    act,
    accept,
    assign,
    deliberatingCase,
    vote,
  };
}

type World = Awaited<ReturnType<typeof startWorld>>;

describe('findings → party-group vote → determination → notices, through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it('takes a case from submission to the subject’s receipt, with a recused member and a stranger refused', async () => {
    const { h, getCase, dm, inChat, find, one, latest, submittedCase, accept, assign, vote } = w;
    const id = await submittedCase();
    await accept(id);
    const number = (await getCase(id)).number!;
    expect((await getCase(id)).decisionDueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await assign(id);

    // The investigator's findings card: items by article with citations, the three conditions, five factors.
    const form = one(dm(INV.openId), number, '核查意见');
    for (const part of [
      '第十条第（四）项',
      '第十条第二款三项条件',
      '主观、客观条件',
      '挽回损失',
      '错误类别',
      '执法领域',
    ])
      expect(text(form)).toContain(part);
    const missing = await h.emu.clickButton(INV.openId, form.messageId, '提交核查意见', {
      ...findingsForm,
      outcome: '',
    });
    expect(missing.toast).toEqual({ type: 'error', content: '请选择「建议认定结果」。' });
    expect(JSON.stringify(missing.card)).toContain('未能提交');
    expect(JSON.stringify(missing.card)).toContain('情况属实，处置及时。');
    expect((await getCase(id)).findings).toBeNull();

    const sent = await h.emu.clickButton(INV.openId, form.messageId, '提交核查意见', findingsForm);
    expect(sent.toast?.type).toBe('success');
    expect(JSON.stringify(sent.card)).toContain('核查意见已提交');
    await h.settle();
    const c1 = await getCase(id);
    expect(c1.findings).toMatchObject({
      items: ['10.4'],
      recommendedOutcome: 'exempt',
      errorCategory: 'procedure',
    });

    // The clerk is told but only the secretary may put it to the vote.
    const clerkAsk = one(dm(CLERK.openId), number, '核查意见已提交，待发起表决');
    const clerkTry = await h.emu.clickButton(CLERK.openId, clerkAsk.messageId, '发起表决');
    expect(clerkTry.toast).toEqual({ type: 'error', content: '只有党组书记可以发起表决。' });
    expect(find(inChat(PARTY), number)).toHaveLength(0);

    const secAsk = one(dm(SEC.openId), number, '核查意见已提交，待发起表决');
    await h.emu.clickButton(SEC.openId, secAsk.messageId, '发起表决');
    await h.settle();
    const cardMsg = one(inChat(PARTY), number, '党组审议表决（第 1 轮）');
    const cardId = cardMsg.messageId;
    expect(text(cardMsg)).toContain('应参加 4 人（当事人依规回避），已投 0 人');
    expect(h.emu.buttons(cardId).map((b) => b.text)).toEqual([
      '免责',
      '从轻',
      '减轻',
      '不予容错',
      '结束表决',
    ]);

    // The subject is recused; a stranger in the group is not on the roll: both refused, nothing changes.
    const recused = await vote(SUBJECT, cardId, '免责');
    expect(recused.toast).toEqual({ type: 'error', content: '您是本案当事人，依规回避，不能参加表决。' });
    const stranger = await vote(STRANGER, cardId, '免责');
    expect(stranger.toast).toEqual({ type: 'error', content: '您不在本轮表决名单中。' });
    expect(recused.card).toBeUndefined();
    expect(latest(cardId).versions).toHaveLength(1);

    const first = await vote(PM0, cardId, '免责', '同意容错免责');
    expect(first.toast).toEqual({ type: 'success', content: '已记录您的表决：免责（表决结束前可以改投）' });
    expect(JSON.stringify(first.card)).toContain('已投 1 人');
    expect(JSON.stringify(first.card)).toContain('王委员：免责（同意容错免责）');
    await vote(PM1, cardId, '免责');
    await vote(PM2, cardId, '减轻');
    const changed = await vote(PM2, cardId, '从轻', '建议从轻');
    expect(changed.toast?.type).toBe('success');
    const last = await vote(SEC, cardId, '免责');
    expect(JSON.stringify(last.card)).toContain('✅ 已达到');
    await h.settle();

    const live = text(latest(cardId));
    for (const part of [
      '已投 4 人',
      '✅ 已达到',
      '免责 **3**',
      '从轻 **1**',
      '减轻 **0**',
      '孙委员：从轻（建议从轻）',
      '李书记：免责',
    ])
      expect(live).toContain(part);
    expect(live).not.toContain('张执法：');
    const rows = await h.rt.store.db.select().from(votes).where(eq(votes.caseId, id));
    expect(rows.map((r) => `${r.voterOpenId}:${r.option}`).sort()).toEqual(
      [
        `${PM0.openId}:exempt`,
        `${PM1.openId}:exempt`,
        `${PM2.openId}:lighter`,
        `${SEC.openId}:exempt`,
      ].sort(),
    );
    const changes = await h.rt.store.db
      .select()
      .from(audit)
      .where(and(eq(audit.subject, `case:${id}`), eq(audit.action, 'deliberation.vote_changed')));
    expect(changes).toHaveLength(1);
    one(dm(SEC.openId), number, '全部成员已投票');

    // 结束表决 is checked first; the review goes to the secretary's direct chat, the shared card stays as it is.
    const asked = await h.emu.clickButton(SEC.openId, cardId, '结束表决');
    expect(asked.toast).toEqual({
      type: 'info',
      content: '请在与容错纠错助手的私聊中核对票数，确认后结束表决',
    });
    expect(asked.card).toBeUndefined();
    await h.settle();
    const review = one(dm(SEC.openId), number, '确认结束表决（第 1 轮）');
    expect(text(review)).toContain('按以上票数，「免责」获得多数通过');
    expect((await getCase(id)).deliberation?.status).toBe('open');
    // The secretary closes; the outcome carried, so the issuing form comes in the direct chat.
    const confirm = h.emu.buttons(review.messageId).find((b) => b.text === '确认结束表决');
    const closed = await h.emu.clickButton(SEC.openId, review.messageId, '确认结束表决');
    expect(closed.toast?.content).toBe('表决结束：「免责」获得多数通过，签发表单已私信发送');
    expect(JSON.stringify(closed.card)).toContain('第 1 轮表决已结束');
    // A second 确认 (another device) closes nothing more and says how the round stands.
    const again = await h.emu.click(SEC.openId, review.messageId, confirm!.value, undefined, {
      unchecked: true,
    });
    expect(again.toast).toEqual({ type: 'info', content: '本轮表决已经结束' });
    expect(JSON.stringify(again.card)).toContain('第 1 轮表决已结束');
    await h.settle();
    expect(h.emu.buttons(cardId).map((b) => b.text)).toEqual(['签发认定结论']);
    one(inChat(PARTY), number, '表决结束：形成多数意见');
    const issueForm = one(dm(SEC.openId), number, '签发认定结论', 'det.issue');
    expect(text(issueForm)).toContain('情况属实，处置及时。'); // reasons pre-filled from the findings

    const issued = await issueAndConfirm(h.emu, SEC.openId, issueForm.messageId, {
      outcome: 'exempt',
      cited: ['10.4'],
      reasons: '符合第十条第（四）项，且同时满足第二款三项条件。',
      scope: 'chat',
      chat: PUB,
      units: ['legal_review'],
      correction: 'yes',
      reason: '暂扣设备前未履行审批程序',
      requirements: '补办暂扣审批手续并归档',
      responsible: SUBJECT.openId,
    });
    expect(issued.toast).toEqual({ type: 'success', content: '认定结论已签发，告知和纠错通知已发出' });
    expect(JSON.stringify(issued.card)).toContain('不作为执法错误认定');
    await h.settle();

    const decided = await getCase(id);
    expect(decided.status).toBe('correcting');
    expect(decided.correction).toMatchObject({ reason: '暂扣设备前未履行审批程序', status: 'open' });
    expect(decided.determination).toMatchObject({
      outcome: 'exempt',
      basis: 'tolerance',
      notErrorRecord: true,
      correctionRequired: true,
      publication: { scope: 'chat', chatId: PUB },
    });

    // Notices: the subject (with a receipt button), both units' chats, and the publication chat.
    const notice = one(dm(SUBJECT.openId), number, '容错认定结论告知');
    expect(text(notice)).toContain('第十四条');
    expect(text(notice)).toContain('本案**不作为执法错误认定**');
    expect(h.emu.buttons(notice.messageId).map((b) => b.text)).toEqual(['确认收到']);
    for (const chat of [UNIT_E1, UNIT_LEGAL]) {
      const unit = one(inChat(chat), number);
      expect(text(unit)).toContain('容错认定结论告知（科室）');
      expect(text(unit)).toContain('不作为执法错误认定');
      expect(text(unit)).toContain('纠错事项另行通知');
    }
    const pub = one(inChat(PUB), number);
    expect(text(pub)).toContain('容错认定结论公开');
    expect(text(pub)).toContain('第十条第（四）项');
    expect(decided.notices.map((n) => [n.kind, n.deliveredAt !== null])).toEqual([
      ['subject', true],
      ['unit', true],
      ['unit', true],
      ['publication', true],
    ]);
    expect(noticeCompliance(decided).done).toBe(3);

    // The subject acknowledges; the receipt is recorded with its time.
    const ack = await h.emu.clickButton(SUBJECT.openId, notice.messageId, '确认收到');
    expect(ack.toast).toEqual({ type: 'success', content: '已确认收到，谢谢' });
    expect(JSON.stringify(ack.card)).toContain('确认收到本告知');
    expect(h.emu.buttons(notice.messageId)).toHaveLength(0);
    const done = await getCase(id);
    expect(done.notices[0]?.acknowledgedAt).toMatch(/^\d{4}-/);
    expect(noticeCompliance(done)).toMatchObject({ total: 4, done: 4, overdue: false });
  });

  it('refuses to close a round that has not reached the quorum', async () => {
    const { h, latest, deliberatingCase, vote } = w;
    const { id, cardId } = await deliberatingCase();
    await vote(PM0, cardId, '免责');
    await vote(PM1, cardId, '免责');
    const early = await closeVoteAndConfirm(h.emu, h.settle, SEC.openId, cardId);
    expect(early.toast).toEqual({
      type: 'error',
      content: '已投票 2 人，未超过半数应参加表决人数（4 人），不能结束表决。',
    });
    await h.settle();
    // Refused before anyone is asked to confirm: no review card anywhere, the round still open.
    expect(
      h.emu
        .messages({ openId: SEC.openId })
        .filter((m) => JSON.stringify(m.content).includes('确认结束表决')),
    ).toHaveLength(0);
    expect(h.emu.buttons(cardId).map((b) => b.text)).toContain('结束表决');
    expect(text(latest(cardId))).toContain('⏳ 未达到');

    // A vote cast between the review and 确认 is not closed over unseen: the review comes again.
    await vote(PM2, cardId, '免责');
    const asked = await h.emu.clickButton(SEC.openId, cardId, '结束表决');
    expect(asked.toast?.type).toBe('info');
    await h.settle();
    const review = h.emu
      .messages({ openId: SEC.openId })
      .filter((m) => text(m).includes('确认结束表决'))
      .at(-1)!;
    expect(text(review)).toContain('已投票 3 人');
    await vote(SEC, cardId, '从轻');
    const moved = await h.emu.clickButton(SEC.openId, review.messageId, '确认结束表决');
    expect(moved.toast).toEqual({ type: 'info', content: '确认前又有成员投票，请核对票数，确认后结束表决' });
    expect(JSON.stringify(moved.card)).toContain('已投票 4 人');
    expect((await w.getCase(id)).deliberation?.status).toBe('open');
    const closed = await h.emu.clickButton(SEC.openId, review.messageId, '确认结束表决');
    expect(closed.toast?.type).toBe('success');
  });

  it('with no majority the secretary re-opens the vote; the old card points to the new round', async () => {
    const { h, getCase, dm, inChat, find, one, latest, deliberatingCase, vote } = w;
    const { id, number, cardId } = await deliberatingCase();
    await vote(PM0, cardId, '免责');
    await vote(PM1, cardId, '免责');
    await vote(PM2, cardId, '从轻');
    await vote(SEC, cardId, '从轻');
    const outsider = await h.emu.clickButton(PM0.openId, cardId, '结束表决');
    expect(outsider.toast).toEqual({ type: 'error', content: '只有党组书记可以结束表决。' });
    const closed = await closeVoteAndConfirm(h.emu, h.settle, SEC.openId, cardId);
    expect(closed.toast).toEqual({
      type: 'warning',
      content: '表决结束：没有任何意见获得多数，可以重新表决',
    });
    await h.settle();
    expect(h.emu.buttons(cardId).map((b) => b.text)).toEqual(['重新表决']);
    one(dm(SEC.openId), number, '未形成多数意见');
    one(inChat(PARTY), number, '表决结束：未形成多数意见');

    const reopened = await h.emu.clickButton(SEC.openId, cardId, '重新表决');
    expect(reopened.toast).toEqual({ type: 'success', content: '已发起第 2 轮表决' });
    await h.settle();
    expect(text(latest(cardId))).toContain('已进入第 2 轮表决');
    expect(h.emu.buttons(cardId)).toHaveLength(0);
    const round2 = one(inChat(PARTY), number, '党组审议表决（第 2 轮）').messageId;

    // A click on the old round (a stale copy of the card) is refused and changes nothing.
    const stale = await h.emu.click(
      PM0.openId,
      cardId,
      { a: 'delib.vote', case: id, round: 1, v: 'exempt' },
      {},
      {
        unchecked: true,
      },
    );
    expect(stale.toast?.content).toBe('该卡片是第 1 轮表决，本案已进入第 2 轮，请在最新的表决卡片中操作。');

    for (const who of [PM0, PM1, PM2]) await vote(who, round2, '免责');
    await closeVoteAndConfirm(h.emu, h.settle, SEC.openId, round2);
    await h.settle();
    const c = await getCase(id);
    expect(c.previousRounds.map((r) => r.result?.carried)).toEqual([null]);
    expect(c.deliberation).toMatchObject({
      round: 2,
      status: 'closed',
      result: { carried: 'exempt', cast: 3 },
    });

    // The secretary cannot issue an outcome that did not carry; what was typed is kept.
    const partyIssue = await h.emu.clickButton(PM1.openId, round2, '签发认定结论');
    expect(partyIssue.toast).toEqual({ type: 'error', content: '只有党组书记可以签发认定结论。' });
    const form = find(dm(SEC.openId), number, 'det.issue').at(-1)!;
    const wrong = await issueAndConfirm(h.emu, SEC.openId, form.messageId, {
      outcome: 'lighter',
      cited: ['10.4'],
      reasons: '我的理由写在这里',
      scope: 'none',
      correction: 'no',
    });
    expect(wrong.toast).toEqual({
      type: 'error',
      content: '党组表决通过的是「免责」，不能作出「从轻」的认定。',
    });
    expect(JSON.stringify(wrong.card)).toContain('未能签发');
    expect(JSON.stringify(wrong.card)).toContain('我的理由写在这里');
    expect((await getCase(id)).status).toBe('deliberating');
  });
});

// Its own store: notices need a fresh database to be told apart from the first flow's (see report).
describe('art. 13 notice follow-up through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it('a notice that fails to deliver is retried, the clerk reminded, and it escalates on the last day', async () => {
    const { h, getCase, dm, inChat, find, one, deliberatingCase, vote } = w;
    const { id, number, cardId } = await deliberatingCase({ unitId: 'enforcement_2' });
    for (const who of [PM0, PM1, SEC]) await vote(who, cardId, '免责');
    await closeVoteAndConfirm(h.emu, h.settle, SEC.openId, cardId);
    await h.settle();
    const form = one(dm(SEC.openId), number, 'det.issue');
    const issued = await issueAndConfirm(h.emu, SEC.openId, form.messageId, {
      outcome: 'exempt',
      cited: ['10.4'],
      reasons: '符合第十条第（四）项。',
      scope: 'none',
      correction: 'no',
      waiver: '暂扣手续已当场补正，没有需要纠错的事项。',
    });
    expect(issued.toast?.content).toBe('认定结论已签发，告知已发出');
    await h.settle();
    // The unit chat does not have the bot: Lark answers 230002, a permanent failure, recorded on the notice.
    let c = await getCase(id);
    const unit = c.notices.find((n) => n.kind === 'unit')!;
    expect(unit).toMatchObject({ deliveredAt: null, lastError: 'permanent:230002' });
    expect(c.notices.find((n) => n.kind === 'subject')?.deliveredAt).not.toBeNull();
    expect(inChat(UNIT_E2)).toHaveLength(0);

    const decidedOn = businessDate(new Date(c.decidedAt!));
    const day = (k: number) => atBusinessTime(addCalendarDays(decidedOn, k), 10);
    const clerkFollowUps = () => find(dm(CLERK.openId), number, '告知跟进提醒');
    const reminders = () => find(dm(SUBJECT.openId), number, '请确认收到认定结论告知');
    const escalations = (openId: string) => find(dm(openId), number, '告知即将逾期，请督办');

    await h.rt.service.tick(day(1));
    await h.settle();
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.urgentTo).toEqual([SUBJECT.openId]);
    expect(clerkFollowUps()).toHaveLength(1);
    expect(text(clerkFollowUps()[0])).toContain('科室群（执法二科）：此前未送达，已重新发送');
    expect(text(clerkFollowUps()[0])).toContain('当事人（私聊）：尚未确认收到，已再次提醒');
    c = await getCase(id);
    expect(c.notices.find((n) => n.kind === 'unit')?.attempts).toBeGreaterThanOrEqual(2);

    // The same tick again sends nothing more.
    await h.rt.service.tick(day(1));
    await h.settle();
    expect(reminders()).toHaveLength(1);
    expect(clerkFollowUps()).toHaveLength(1);

    // Someone adds the bot to the unit chat; the next day's resend arrives and is recorded.
    h.emu.addChat({ chatId: UNIT_E2, name: '执法二科', members: [CLERK.openId], botMember: true });
    await h.rt.service.tick(day(2));
    await h.settle();
    expect(one(inChat(UNIT_E2), number, '容错认定结论告知（科室）')).toBeDefined();
    c = await getCase(id);
    expect(c.notices.find((n) => n.kind === 'unit')?.deliveredAt).not.toBeNull();

    for (const k of [3, 4, 5, 6]) await h.rt.service.tick(day(k));
    await h.settle();
    expect(escalations(SEC.openId)).toHaveLength(0);
    const dueOn = c.notices[0]!.dueOn;
    expect(dueOn).toBe(addCalendarDays(decidedOn, 7));

    // The last day: still no receipt from the subject → escalated to the secretary and the clerk, urgently.
    await h.rt.service.tick(day(7));
    await h.settle();
    const esc = escalations(SEC.openId);
    expect(esc).toHaveLength(1);
    expect(text(esc[0])).toContain('当事人尚未确认收到');
    expect(esc[0]!.urgentTo).toEqual([SEC.openId]);
    expect(escalations(CLERK.openId)).toHaveLength(1);
    c = await getCase(id);
    expect(c.notices[0]?.escalatedAt).not.toBeNull();
    expect(c.notices.find((n) => n.kind === 'unit')?.escalatedAt).toBeNull();
    expect(noticeCompliance(c, dueOn)).toMatchObject({ done: 1, total: 2, overdue: false, escalated: true });
    await h.rt.service.tick(day(7));
    await h.settle();
    expect(escalations(SEC.openId)).toHaveLength(1);
  });
});
