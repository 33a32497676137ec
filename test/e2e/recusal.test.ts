import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueFormCard, issueValuesFromCase } from '../../cards/determination';
import { audit, votes } from '../../db/schema';
import { Ctx } from '../../src/bot/context';
import { responsibleChoices, SECRETARY_RESPONSIBLE_NOTE } from '../../src/bot/handlers/correction-view';
import { addCalendarDays, atBusinessTime, businessDate } from '../../src/calendar';
import type { Case, Report } from '../../src/cases/types';
import { defaultPolicy as policy } from '../../src/policy';
import { Repo } from '../../src/store/repo';
import { carriedCase, envAt } from '../cases/fixtures';
import { findingsFormFor, issueAndConfirm, submitReport } from '../support/forms';
import { ADMIN, type Harness, startHarness } from '../support/harness';
import { find, one, text } from '../support/messages';

// ── a report accusing A and B, converted into a case about A ──
const SEC = { openId: 'ou_rec_sec_li', name: '李书记' };
const PM1 = { openId: 'ou_rec_pm_wang', name: '王委员' };
const PM2 = { openId: 'ou_rec_pm_zhao', name: '赵委员' };
const CLERK = { openId: 'ou_rec_clerk_zhou', name: '周经办' };
const INV = { openId: 'ou_rec_inv_wu', name: '吴核查' };
const A = { openId: 'ou_rec_officer_a', name: '甲执法' };
/** A clerk and a party member, accused in the same report as A. */
const B = { openId: 'ou_rec_officer_b', name: '乙经办' };
const REPORTER = { openId: 'ou_rec_reporter', name: '何群众' };
const PARTY = 'oc_party_recusal';

// ── a correction whose responsible person is a secretary (ids match test/cases/fixtures) ──
const CSEC = { openId: 'ou_secretary', name: '刘书记' };
const CSEC2 = { openId: 'ou_rec_sec2_sun', name: '孙书记' };
const CSUBJECT = { openId: 'ou_subject', name: '张执法' };

const findingsForm = findingsFormFor('情况属实。');

describe('recusal and self-approval through the emulator', () => {
  let h: Harness;
  const repo = () => new Repo(h.rt.store.db);
  const settle = () => h.settle();
  const dm = (openId: string) => h.emu.messages({ openId }).filter((m) => m.from === 'app');
  const inChat = (chatId: string) => h.emu.messages({ chatId }).filter((m) => m.from === 'app');

  /** A click the platform would not offer this person, sent from a card in their own chat. */
  async function forged(openId: string, value: Record<string, unknown>, form?: Record<string, unknown>) {
    await h.emu.sendText(openId, '帮助');
    await settle();
    const own = dm(openId).at(-1)!;
    return h.emu.click(openId, own.messageId, value, form, { unchecked: true });
  }

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SEC, PM1, PM2, CLERK, INV, A, B, REPORTER, CSEC, CSEC2, CSUBJECT]) h.emu.addUser(u);
    const members = [SEC, PM1, PM2, CLERK, INV, A, B].map((u) => u.openId);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members });
    const r = repo();
    const now = new Date();
    const by = ADMIN.openId;
    await h.rt.store.commit([
      r.addRole({ ...SEC, role: 'secretary', by, now }),
      r.addRole({ ...PM1, role: 'party_member', by, now }),
      r.addRole({ ...PM2, role: 'party_member', by, now }),
      r.addRole({ ...CLERK, role: 'clerk', by, now }),
      r.addRole({ ...INV, role: 'investigator', by, now }),
      r.addRole({ ...A, role: 'party_member', by, now }),
      r.addRole({ ...B, role: 'clerk', by, now }),
      r.addRole({ ...B, role: 'party_member', by, now }),
      r.bindChat({ chatId: PARTY, kind: 'party', by, now }),
    ]);
  });
  afterAll(async () => h?.close());

  it('a co-accused of the report never sees, handles, is reminded about or votes on the converted case', async () => {
    // ── the report, filed by a real-name reporter against A and B ──
    const matter = '联合检查中违规收取咨询费';
    await h.emu.sendText(REPORTER.openId, '举报');
    await settle();
    await h.emu.clickButton(REPORTER.openId, dm(REPORTER.openId).at(-1)!.messageId, '实名举报');
    await settle();
    const filed = await submitReport(
      h.emu,
      REPORTER.openId,
      dm(REPORTER.openId).at(-1)!.messageId,
      '提交实名举报',
      {
        accused: [A.openId, B.openId],
        matter,
        content: '甲乙二人在检查时收取咨询费，当时有多人在场。',
      },
    );
    expect(filed.toast?.type, filed.toast?.content).toBe('success');
    await settle();
    const r = (await repo().openReports()).find((x) => x.matter === matter) as Report;
    expect(r.accused).toEqual([A.openId, B.openId]);

    // ── the clerk converts it into a case about A ──
    const copy = find(dm(CLERK.openId), r.number, '举报内容').at(-1)!;
    await h.emu.clickButton(CLERK.openId, copy.messageId, '转为容错认定');
    const converted = await h.emu.clickButton(CLERK.openId, copy.messageId, '启动容错认定', {
      subject: A.openId,
    });
    expect(converted.toast?.content).toContain('已启动容错认定');
    await settle();
    const caseId = (await repo().getReport(r.id))!.convertedCases[0]!.caseId;
    const getCase = async () => (await repo().getCase(caseId)) as Case;
    const c0 = await getCase();
    expect(c0).toMatchObject({ subjectOpenId: A.openId, recused: [A.openId, B.openId], investigators: [] });
    expect(JSON.stringify(c0)).not.toContain(REPORTER.openId);
    const number = c0.number!;
    const opened = await h.rt.store.db
      .select()
      .from(audit)
      .where(and(eq(audit.subject, `case:${caseId}`), eq(audit.action, 'case.opened_from_report')));
    expect(opened).toHaveLength(1);
    expect(JSON.stringify(opened[0]?.after)).not.toContain(REPORTER.openId);

    // ── the decision deadline passes with nobody assigned: the reminder reaches handlers, not B ──
    const cal = h.rt.service.bot.calendar;
    let day = addCalendarDays(c0.decisionDueOn!, 1);
    for (let i = 0; i < 15 && !cal.isWorkingDay(day); i++) day = addCalendarDays(day, 1);
    await h.rt.service.tick(atBusinessTime(day, policy.correction.reminderHour, 5));
    await settle();
    one(dm(CLERK.openId), number, '尚未指派核查人员');
    one(dm(SEC.openId), number, '尚未指派核查人员');
    expect(find(dm(B.openId), number)).toEqual([]);

    // ── B can neither open the case nor assign anyone to it ──
    const open = await forged(B.openId, { a: 'case.open', caseId });
    expect(open.toast?.type).toBe('error');
    expect(open.toast?.content).toContain('没有找到你可以查看的这件案件');
    const assignForm = await forged(B.openId, { a: 'case.assign.open', caseId });
    expect(assignForm.toast).toEqual({
      type: 'error',
      content: '您是本案所涉举报的被举报人，依规回避，不能办理本案。请由其他经办人或党组书记办理。',
    });
    const assign = await forged(B.openId, { a: 'case.assign', caseId }, { investigator: INV.openId });
    expect(assign.toast?.type).toBe('error');
    expect(assign.toast?.content).toContain('被举报人，依规回避');
    expect((await getCase()).investigators).toEqual([]);

    // ── the other clerk assigns; the investigator's findings reach the handlers but not B ──
    const assigned = await forged(CLERK.openId, { a: 'case.assign', caseId }, { investigator: INV.openId });
    expect(assigned.toast?.type, assigned.toast?.content).toBe('success');
    await settle();
    const form = one(dm(INV.openId), number, '提交核查意见');
    const sent = await h.emu.clickButton(INV.openId, form.messageId, '提交核查意见', findingsForm);
    expect(sent.toast?.type, sent.toast?.content).toBe('success');
    await settle();
    one(dm(CLERK.openId), number, '核查意见已提交');
    const ask = one(dm(SEC.openId), number, '核查意见已提交');
    expect(find(dm(B.openId), number)).toEqual([]);

    // ── the vote: B is off the roll and refused like the subject ──
    const put = await h.emu.clickButton(SEC.openId, ask.messageId, '发起表决');
    expect(put.toast?.content).toBe('已在党组群中发起表决');
    await settle();
    const c1 = await getCase();
    expect([...c1.deliberation!.eligibleVoters].sort()).toEqual([SEC.openId, PM1.openId, PM2.openId].sort());
    const card = one(inChat(PARTY), number, '第 1 轮');
    expect(text(card)).toContain('应参加 3 人');
    const byB = await h.emu.clickButton(B.openId, card.messageId, '免责');
    expect(byB.toast).toEqual({
      type: 'error',
      content: '您是本案所涉举报的被举报人，依规回避，不能参加表决。',
    });
    const byA = await h.emu.clickButton(A.openId, card.messageId, '免责');
    expect(byA.toast).toEqual({ type: 'error', content: '您是本案当事人，依规回避，不能参加表决。' });
    expect(await h.rt.store.db.select().from(votes).where(eq(votes.caseId, caseId))).toEqual([]);
    expect((await getCase()).version).toBe(c1.version);
    const ok = await h.emu.clickButton(PM1.openId, card.messageId, '免责');
    expect(ok.toast?.type).toBe('success');

    // Nothing about the case ever reached B's direct chat; 查询 by number shows nothing either.
    expect(find(dm(B.openId), number)).toEqual([]);
    await h.emu.sendText(B.openId, `查询 ${number}`);
    await settle();
    const answer = dm(B.openId).at(-1)!;
    expect(text(answer)).toContain('没有找到你可以查看的这件案件');
    expect(text(answer)).not.toContain(matter);
  });

  it('a secretary made responsible for a correction neither approves their own extension nor accepts their own completion', async () => {
    const now = new Date();
    const c = carriedCase('exempt', envAt(now));
    const caseId = c.id;
    const getCase = async () => (await repo().getCase(caseId)) as Case;
    const by = ADMIN.openId;
    const r = repo();
    await h.rt.store.commit([
      r.addRole({ ...CSEC, role: 'secretary', by, now }),
      r.addRole({ ...CSEC2, role: 'secretary', by, now }),
      ...r.saveCase(null, c),
    ]);
    await h.rt.service.pipeline.runUnit('test-setup', async (fx) => {
      const values = issueValuesFromCase(
        policy,
        c,
        'exempt',
        addCalendarDays(businessDate(new Date()), policy.correction.defaultPeriod.days),
      );
      const round = c.deliberation!.round;
      fx.send(
        { openId: CSEC.openId },
        issueFormCard({
          policy,
          c,
          carried: 'exempt',
          round,
          chats: [],
          people: await responsibleChoices(new Ctx(fx, new Repo(fx.db), h.rt.service.bot), c),
          values,
        }),
      );
    });
    await settle();
    // The issue form offers both secretaries for the order, each with the note that someone else decides.
    const issueForm = find(dm(CSEC.openId), 'det.issue').at(-1)!;
    expect(text(issueForm)).toContain(`${CSEC.name}${SECRETARY_RESPONSIBLE_NOTE}`);
    expect(text(issueForm)).toContain(`${CSEC2.name}${SECRETARY_RESPONSIBLE_NOTE}`);
    const deadline = addCalendarDays(businessDate(now), 20);
    const issued = await issueAndConfirm(h.emu, CSEC.openId, issueForm.messageId, {
      outcome: 'exempt',
      cited: ['10.4'],
      reasons: '符合第十条第（四）项，且同时满足第二款三项条件。',
      scope: 'none',
      units: [],
      correction: 'yes',
      reason: '暂扣设备前未履行审批程序',
      requirements: '补办暂扣审批手续并归档',
      suggestions: '',
      responsible: CSEC.openId,
      unit: 'none',
      deadline: `${deadline} +0800`,
      improve: '分析原因，完善夜间检查临机处置制度。',
    });
    expect(issued.toast?.type, issued.toast?.content).toBe('success');
    await settle();
    expect((await getCase()).correction?.responsible.openId).toBe(CSEC.openId);
    const order = find(dm(CSEC.openId), '纠错通知', '补办暂扣审批手续并归档').at(-1)!;

    // ── the extension request goes to the other secretary only; the requester cannot decide it ──
    const later = addCalendarDays(deadline, 10);
    await h.emu.clickButton(CSEC.openId, order.messageId, '申请延期');
    await settle();
    const extForm = find(dm(CSEC.openId), '申请延长整改期限', 'corr.extend').at(-1)!;
    const asked = await h.emu.clickButton(CSEC.openId, extForm.messageId, '提交延期申请', {
      reason: '需等待上级审批',
      new_deadline: `${later} +0800`,
    });
    expect(asked.toast?.type, asked.toast?.content).toBe('success');
    await settle();
    expect(find(dm(CSEC.openId), '整改延期申请', later)).toEqual([]);
    const extCard = one(dm(CSEC2.openId), '整改延期申请', later);
    const extId = (await getCase()).correction!.extensions[0]!.id;
    const self = await forged(CSEC.openId, { a: 'corr.ext', case: caseId, ext: extId, v: 'approve' }, {});
    expect(self.toast).toEqual({
      type: 'error',
      content: '整改责任人不能审批自己的延期申请，请由其他党组书记办理。',
    });
    expect((await getCase()).correction?.extensions[0]?.status).toBe('pending');
    const approved = await h.emu.clickButton(CSEC2.openId, extCard.messageId, '批准', { reason: '' });
    expect(approved.toast).toEqual({ type: 'success', content: `已批准延期，整改期限改为 ${later}` });
    await settle();
    expect((await getCase()).correction).toMatchObject({
      deadline: later,
      extensions: [{ status: 'approved', decidedBy: CSEC2.openId }],
    });

    // ── the completion goes to the other secretary only; the responsible cannot accept or return it ──
    await h.emu.clickButton(CSEC.openId, order.messageId, '报告完成');
    await settle();
    const doneForm = find(dm(CSEC.openId), '报告整改完成', 'corr.complete').at(-1)!;
    await h.emu.sendFile(CSEC.openId, { fileKey: 'file_rec_approval', fileName: '补办审批表.pdf' });
    await settle();
    const done = await h.emu.clickButton(CSEC.openId, doneForm.messageId, '提交完成报告', {
      text: '审批手续已补办并归档。',
    });
    expect(done.toast?.type, done.toast?.content).toBe('success');
    await settle();
    expect(find(dm(CSEC.openId), '整改完成，待验收')).toEqual([]);
    const review = one(dm(CSEC2.openId), '整改完成，待验收', '补办审批表.pdf');
    for (const v of ['accept', 'return']) {
      const mine = await forged(CSEC.openId, { a: 'corr.review', case: caseId, v }, { reason: '自己验收' });
      expect(mine.toast?.type).toBe('error');
      expect(mine.toast?.content).toMatch(/^整改责任人不能验收.*自己的整改，请由其他党组书记办理。$/);
    }
    expect((await getCase()).correction?.status).toBe('completed');
    const accepted = await h.emu.clickButton(CSEC2.openId, review.messageId, '验收通过', { reason: '' });
    expect(accepted.toast).toEqual({ type: 'success', content: '已验收通过，案件办结' });
    await settle();
    expect(await getCase()).toMatchObject({
      status: 'closed',
      correction: { status: 'accepted', acceptedBy: CSEC2.openId },
    });
  });

  it('a secretary with no other secretary to decide is not offered as responsible', async () => {
    const c = (await repo().getCase(carriedCase().id)) as Case;
    const choices = async () => {
      let out: { openId: string; name: string }[] = [];
      await h.rt.service.pipeline.runUnit('test-choices', async (fx) => {
        out = await responsibleChoices(new Ctx(fx, new Repo(fx.db), h.rt.service.bot), c);
      });
      return out.map((p) => p.openId);
    };
    expect(await choices()).toEqual(expect.arrayContaining([CSUBJECT.openId, CSEC.openId, CSEC2.openId]));
    // Left as the only secretary, CSEC could never have an extension or a completion decided.
    await h.rt.store.commit([
      repo().removeRoles(CSEC2.openId, ['secretary']),
      repo().removeRoles(SEC.openId, ['secretary']),
    ]);
    const left = await choices();
    expect(left[0]).toBe(CSUBJECT.openId);
    expect(left).not.toContain(CSEC.openId);
    expect(left).toContain(CLERK.openId);
  });
});
