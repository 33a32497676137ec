import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueFormCard, issueValuesFromCase } from '../../cards/determination';
import { trackerCard } from '../../cards/tracker';
import { audit, conversations } from '../../db/schema';
import { trackerRef } from '../../src/bot/intents';
import { addCalendarDays, businessDate } from '../../src/calendar';
import type { Case } from '../../src/cases/types';
import { defaultPolicy as policy } from '../../src/policy';
import { Repo } from '../../src/store/repo';
import { carriedCase, envAt } from '../cases/fixtures';
import { issueAndConfirm } from '../support/forms';
import { ADMIN, type Harness, startHarness } from '../support/harness';
import { find, last, text } from '../support/messages';

const SUBJECT = { openId: 'ou_subject', name: '张执法' };
const SEC = { openId: 'ou_secretary', name: '李书记' };
const PM = { openId: 'ou_pm1', name: '王委员' };
const STRANGER = { openId: 'ou_stranger', name: '郑路人' };
const PARTY = 'oc_party_correction';

/** The order deadline the issue form offers: the default period from the clock the test runs at. */
const orderDeadline = () => addCalendarDays(businessDate(new Date()), policy.correction.defaultPeriod.days);

describe('correction order → acknowledgement, progress, extensions, completion with evidence → closed', () => {
  let h: Harness;
  let caseId: string;
  const dm = (openId: string) => h.emu.messages({ openId });
  const getCase = async () => (await new Repo(h.rt.store.db).getCase(caseId)) as Case;
  const auditOf = async (action: string) =>
    h.rt.store.db
      .select()
      .from(audit)
      .where(and(eq(audit.subject, `case:${caseId}`), eq(audit.action, action)));

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SUBJECT, SEC, PM, STRANGER]) h.emu.addUser(u);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: [SEC.openId, PM.openId, SUBJECT.openId] });
    const repo = new Repo(h.rt.store.db);
    const now = new Date();
    const by = ADMIN.openId;
    // A case whose vote carried, as the deliberation slice leaves it; its issuing form in the secretary's chat.
    const c = carriedCase('exempt', envAt(now));
    caseId = c.id;
    await h.rt.store.commit([
      repo.addRole({ ...SEC, role: 'secretary', by, now }),
      repo.addRole({ ...PM, role: 'party_member', by, now }),
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      ...repo.saveCase(null, c),
    ]);
    await h.rt.service.pipeline.runUnit('test-setup', async (fx) => {
      fx.send({ openId: SUBJECT.openId }, trackerCard({ c, policy }), trackerRef(c.id));
      fx.send(
        { openId: SEC.openId },
        issueFormCard({
          policy,
          c,
          carried: 'exempt',
          round: c.deliberation!.round,
          chats: [],
          people: [{ openId: c.subjectOpenId, name: '张执法（当事人）' }],
          values: issueValuesFromCase(policy, c, 'exempt', orderDeadline()),
        }),
      );
    });
    await h.settle();
  });
  afterAll(async () => h?.close());

  it('runs the whole correction in chat, refusing whoever has no right', async () => {
    const today = businessDate(new Date());
    const defaultDeadline = addCalendarDays(today, policy.correction.defaultPeriod.days);

    // ── art. 15: the order goes with the determination, on the issue form ──
    const issueForm = last(dm(SEC.openId), 'det.issue');
    expect(text(issueForm)).toContain(`"initial_date":"${defaultDeadline}"`);
    expect(text(issueForm)).toContain(policy.statements.correctionDuty.text);
    expect(text(issueForm)).toContain('张执法（当事人）');
    const issueWith = (order: Record<string, unknown>) =>
      issueAndConfirm(h.emu, SEC.openId, issueForm.messageId, {
        outcome: 'exempt',
        cited: ['10.4'],
        cond_1: 'yes',
        cond_2: 'yes',
        cond_3: 'yes',
        art12: 'no',
        reasons: '符合第十条第（四）项，且同时满足第二款三项条件。',
        scope: 'none',
        units: [],
        correction: 'yes',
        reason: '暂扣设备前未履行审批程序',
        responsible: SUBJECT.openId,
        unit: 'enforcement_1',
        deadline: `${defaultDeadline} +0800`,
        improve: '分析原因，完善夜间检查临机处置制度。',
        ...order,
      });

    // Nothing listed as an item: the form comes back with what was typed, nothing issued.
    const empty = await issueWith({ requirements: '', suggestions: '' });
    expect(empty.toast).toEqual({ type: 'error', content: '请至少填写一项「纠错要求」或「纠错建议」。' });
    expect(JSON.stringify(empty.card)).toContain('暂扣设备前未履行审批程序');
    expect((await getCase()).determination).toBeNull();

    const issued = await issueWith({
      requirements: '1. 补办暂扣审批手续并归档\n2、向当事单位书面说明情况',
      suggestions: '组织科室学习临机处置程序',
    });
    expect(issued.toast).toEqual({ type: 'success', content: '认定结论已签发，告知和纠错通知已发出' });
    expect(h.emu.buttons(issueForm.messageId)).toHaveLength(0);
    await h.settle();
    let c = await getCase();
    expect(c.status).toBe('correcting');
    expect(c.correction).toMatchObject({
      reason: '暂扣设备前未履行审批程序',
      items: [
        { kind: 'requirement', text: '补办暂扣审批手续并归档' },
        { kind: 'requirement', text: '向当事单位书面说明情况' },
        { kind: 'suggestion', text: '组织科室学习临机处置程序' },
      ],
      responsible: { openId: SUBJECT.openId, unitId: 'enforcement_1' },
      deadline: defaultDeadline,
      status: 'open',
    });
    const tracker = last(dm(SUBJECT.openId), '容错认定案件');
    expect(text(h.emu.message(tracker.messageId))).toContain(`纠错期限**：${defaultDeadline}`);

    // ── the responsible person's order, with a receipt ──
    const order = last(dm(SUBJECT.openId), '纠错通知', '补办暂扣审批手续并归档');
    expect(h.emu.buttons(order.messageId).map((b) => b.text)).toEqual([
      '确认收到',
      '报告进展',
      '报告完成',
      '申请延期',
    ]);
    const ack = await h.emu.clickButton(SUBJECT.openId, order.messageId, '确认收到');
    expect(ack.toast).toEqual({ type: 'success', content: '已确认收到纠错通知，请按期完成整改' });
    expect(h.emu.buttons(order.messageId).map((b) => b.text)).not.toContain('确认收到');
    expect(await auditOf('correction.acknowledged')).toHaveLength(1);

    // ── unauthorized clicks change nothing ──
    // Forged clicks come from cards each person can see: their own help card, or the order card.
    await h.emu.sendText(STRANGER.openId, '帮助');
    await h.emu.sendText(PM.openId, '帮助');
    await h.settle();
    const strangerCard = dm(STRANGER.openId)[0]!;
    const pmCard = dm(PM.openId)[0]!;
    const before = await getCase();
    const forged = [
      {
        who: STRANGER,
        on: strangerCard.messageId,
        value: { a: 'corr.progress', case: caseId },
        form: { text: '冒名' },
      },
      { who: PM, on: null, value: { a: 'corr.review', case: caseId, v: 'accept' }, form: {} },
      { who: SUBJECT, on: order.messageId, value: { a: 'corr.review', case: caseId, v: 'accept' }, form: {} },
      { who: STRANGER, on: strangerCard.messageId, value: { a: 'corr.ack', case: caseId }, form: {} },
    ];
    const toasts: string[] = [];
    for (const f of forged) {
      const r = await h.emu.click(f.who.openId, f.on ?? pmCard.messageId, f.value, f.form, {
        unchecked: true,
      });
      toasts.push(r.toast?.content ?? '');
      expect(r.toast?.type).toBe('error');
    }
    expect(toasts).toEqual([
      '只有整改责任人可以报告整改进展。',
      '只有党组书记可以验收整改。',
      expect.stringMatching(/回避/),
      '只有整改责任人可以确认收到纠错通知。',
    ]);
    expect((await getCase()).version).toBe(before.version);

    // ── progress ──
    await h.emu.clickButton(SUBJECT.openId, order.messageId, '报告进展');
    await h.settle();
    const progressForm = last(dm(SUBJECT.openId), '报告整改进展', 'corr.progress');
    // An empty report is refused on the same form, which still shows the deadline in force.
    const emptyProgress = await h.emu.clickButton(SUBJECT.openId, progressForm.messageId, '提交进展', {
      text: '',
    });
    expect(emptyProgress.toast).toEqual({ type: 'error', content: '请填写整改进展。' });
    expect(JSON.stringify(emptyProgress.card)).toContain(`整改期限**：${defaultDeadline}`);
    expect(JSON.stringify(emptyProgress.card)).toContain('corr.progress');
    const progress = await h.emu.clickButton(SUBJECT.openId, progressForm.messageId, '提交进展', {
      text: '审批手续材料已准备，正在报批。',
    });
    expect(progress.toast).toEqual({ type: 'success', content: '整改进展已报告党组书记' });
    await h.settle();
    expect((await getCase()).correction?.progress.map((p) => p.text)).toEqual([
      '审批手续材料已准备，正在报批。',
    ]);
    last(dm(SEC.openId), '整改进展报告', '审批手续材料已准备，正在报批。');

    // ── extension: refused once with a reason, approved the second time ──
    const first = addCalendarDays(defaultDeadline, 10);
    const second = addCalendarDays(defaultDeadline, 20);
    const askExtension = async (reason: string, date: string) => {
      await h.emu.clickButton(SUBJECT.openId, order.messageId, '申请延期');
      await h.settle();
      const form = last(dm(SUBJECT.openId), '申请延长整改期限', 'corr.extend');
      const r = await h.emu.clickButton(SUBJECT.openId, form.messageId, '提交延期申请', {
        reason,
        new_deadline: `${date} +0800`,
      });
      expect(r.toast).toEqual({ type: 'success', content: '延期申请已提交，等待党组书记审批' });
      await h.settle();
      return last(dm(SEC.openId), '整改延期申请', date);
    };
    // No date picked: the form comes back with the reason kept and the deadline in force.
    await h.emu.clickButton(SUBJECT.openId, order.messageId, '申请延期');
    await h.settle();
    const undated = last(dm(SUBJECT.openId), '申请延长整改期限', 'corr.extend');
    const noDate = await h.emu.clickButton(SUBJECT.openId, undated.messageId, '提交延期申请', {
      reason: '等待上级批复',
    });
    expect(noDate.toast).toEqual({ type: 'error', content: '请选择「申请延长至」的日期。' });
    expect(JSON.stringify(noDate.card)).toContain('等待上级批复');
    expect(JSON.stringify(noDate.card)).toContain(defaultDeadline);
    expect((await getCase()).correction?.extensions).toEqual([]);
    const ext1 = await askExtension('需等待上级审批', first);
    expect(h.emu.buttons(ext1.messageId).map((b) => b.text)).toEqual(['批准', '不批准']);
    const noReason = await h.emu.clickButton(SEC.openId, ext1.messageId, '不批准', { reason: '' });
    expect(noReason.toast).toEqual({ type: 'error', content: '不同意延期时请说明理由。' });
    expect((await getCase()).correction?.extensions[0]?.status).toBe('pending');
    const refuse = await h.emu.clickButton(SEC.openId, ext1.messageId, '不批准', {
      reason: '审批材料已齐备，原期限足够',
    });
    expect(refuse.toast).toEqual({ type: 'success', content: '已不予批准，并通知整改责任人' });
    expect(h.emu.buttons(ext1.messageId)).toHaveLength(0);
    await h.settle();
    c = await getCase();
    expect(c.correction?.deadline).toBe(defaultDeadline);
    expect(c.correction?.extensions[0]).toMatchObject({
      status: 'refused',
      refusalReason: '审批材料已齐备，原期限足够',
    });
    last(dm(SUBJECT.openId), '延期申请未获批准', '审批材料已齐备，原期限足够');

    await askExtension('上级审批会议推迟', second);
    // The secretary finds it again through 待办.
    await h.emu.sendText(SEC.openId, '待办');
    await h.settle();
    const todoExt = last(dm(SEC.openId), '待审批的延期申请');
    await h.emu.clickButton(SEC.openId, todoExt.messageId, '审批');
    await h.settle();
    expect(find(dm(SEC.openId), '整改延期申请', second)).toHaveLength(2);
    const ext2 = last(dm(SEC.openId), '整改延期申请', second);
    const approve = await h.emu.clickButton(SEC.openId, ext2.messageId, '批准', { reason: '' });
    expect(approve.toast).toEqual({ type: 'success', content: `已批准延期，整改期限改为 ${second}` });
    await h.settle();
    c = await getCase();
    expect(c.correction?.deadline).toBe(second);
    expect(c.correction?.extensions.map((x) => x.status)).toEqual(['refused', 'approved']);
    last(dm(SUBJECT.openId), '延期申请已批准', second);
    // The order card the person holds and their tracker show the new deadline.
    expect(text(h.emu.message(order.messageId))).toContain(`整改期限**：${second}`);
    expect(text(h.emu.message(tracker.messageId))).toContain(`纠错期限**：${second}`);

    // The subject's 待办 and tracker both lead back to the order.
    await h.emu.sendText(SUBJECT.openId, '待办');
    await h.settle();
    const subjectTodo = last(dm(SUBJECT.openId), '纠错整改', `整改期限 ${second}`);
    await h.emu.clickButton(SUBJECT.openId, subjectTodo.messageId, '整改');
    await h.settle();
    expect(h.emu.buttons(tracker.messageId).map((b) => b.text)).toContain('纠错通知');
    const copies = find(dm(SUBJECT.openId), '纠错通知', '补办暂扣审批手续并归档');
    expect(copies).toHaveLength(2);
    const order2 = copies[1]!;
    expect(h.emu.buttons(order2.messageId).map((b) => b.text)).toEqual(['报告进展', '报告完成', '申请延期']);

    // ── completion with evidence sent in the chat ──
    await h.emu.clickButton(SUBJECT.openId, order2.messageId, '报告完成');
    await h.settle();
    let completionForm = last(dm(SUBJECT.openId), '报告整改完成', 'corr.complete');
    const noEvidence = await h.emu.clickButton(SUBJECT.openId, completionForm.messageId, '提交完成报告', {
      text: '审批手续已补办。',
    });
    expect(noEvidence.toast?.content).toContain('请附上整改完成的证明材料');
    expect(JSON.stringify(noEvidence.card)).toContain('审批手续已补办。');
    await h.emu.sendFile(SUBJECT.openId, { fileKey: 'file_v3_approval', fileName: '暂扣审批表.pdf' });
    await h.settle();
    last(dm(SUBJECT.openId), '已收到证明材料', '暂扣审批表.pdf');
    const done1 = await h.emu.clickButton(SUBJECT.openId, completionForm.messageId, '提交完成报告', {
      text: '审批手续已补办并归档。',
    });
    expect(done1.toast).toEqual({ type: 'success', content: '整改完成报告已提交，等待党组书记验收' });
    await h.settle();
    c = await getCase();
    expect(c.correction?.status).toBe('completed');
    expect(c.correction?.completion?.evidence).toEqual([
      expect.objectContaining({ kind: 'file', key: 'file_v3_approval', name: '暂扣审批表.pdf' }),
    ]);
    expect(
      await h.rt.store.db.select().from(conversations).where(eq(conversations.flow, 'completion')),
    ).toEqual([]);

    // ── the secretary sends it back once ──
    const review1 = last(dm(SEC.openId), '整改完成，待验收', '暂扣审批表.pdf');
    expect(h.emu.buttons(review1.messageId).map((b) => b.text)).toEqual(['验收通过', '退回整改']);
    const back = await h.emu.clickButton(SEC.openId, review1.messageId, '退回整改', {
      reason: '缺少向当事单位书面说明的材料',
    });
    expect(back.toast).toEqual({ type: 'success', content: '已退回整改，并通知整改责任人' });
    await h.settle();
    c = await getCase();
    expect(c.correction).toMatchObject({ status: 'open', completion: null });
    expect(c.correction?.returns.map((r) => r.reason)).toEqual(['缺少向当事单位书面说明的材料']);
    const returned = last(dm(SUBJECT.openId), '整改完成报告被退回', '缺少向当事单位书面说明的材料');

    // ── reported again with a new file, then accepted: the case closes ──
    await h.emu.clickButton(SUBJECT.openId, returned.messageId, '报告完成');
    await h.settle();
    completionForm = last(dm(SUBJECT.openId), '报告整改完成', 'corr.complete');
    await h.emu.sendImage(SUBJECT.openId, 'img_v3_letter');
    await h.settle();
    const done2 = await h.emu.clickButton(SUBJECT.openId, completionForm.messageId, '提交完成报告', {
      text: '已向当事单位书面说明，回执见图片。',
    });
    expect(done2.toast?.type).toBe('success');
    await h.settle();
    const review2 = last(dm(SEC.openId), '整改完成，待验收', '图片1');
    const accepted = await h.emu.clickButton(SEC.openId, review2.messageId, '验收通过', { reason: '' });
    expect(accepted.toast).toEqual({ type: 'success', content: '已验收通过，案件办结' });
    await h.settle();
    c = await getCase();
    expect(c.status).toBe('closed');
    expect(c.correction).toMatchObject({ status: 'accepted', acceptedBy: SEC.openId });
    last(dm(SUBJECT.openId), '整改已验收通过');
    // The newest copy of the order is the one kept up to date.
    expect(h.emu.buttons(order2.messageId)).toHaveLength(0);
    expect(h.emu.buttons(tracker.messageId).map((b) => b.text)).not.toContain('纠错通知');
    expect(text(h.emu.message(tracker.messageId))).toContain('已办结');

    // A late click on the old review card changes nothing.
    const late = await h.emu.click(
      SEC.openId,
      review1.messageId,
      { a: 'corr.review', case: caseId, v: 'accept' },
      {},
      { unchecked: true },
    );
    expect(late.toast?.type).toBe('error');
    expect((await getCase()).version).toBe(c.version);
  });
});
