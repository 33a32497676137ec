import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, conversations, kv } from '../../db/schema';
import type { Report } from '../../src/cases/types';
import type { EmulatedMessage } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import { carriedCase, determinationCommand, envAt, noCorrection, run, secretary } from '../cases/fixtures';
import { submitReport } from '../support/forms';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';

const SEC = { openId: 'ou_sec_rep_li', name: '李书记' };
const CLERK = { openId: 'ou_clerk_rep_zhou', name: '周经办' };
const CLERK2 = { openId: 'ou_clerk_rep_wu', name: '吴经办' };
const INV = { openId: 'ou_inv_rep_sun', name: '孙核查' };
const INV2 = { openId: 'ou_inv_rep_feng', name: '冯核查' };
const OFFICER2 = { openId: 'ou_officer_rep_chen', name: '陈执法' };
const REPORTER = { openId: 'ou_reporter_rep_he', name: '何群众' };
const STRANGER = { openId: 'ou_stranger_rep_zheng', name: '郑路人' };
const PARTY = 'oc_party_reports';
const PUB = 'oc_pub_reports';
const ELSEWHERE = 'oc_not_bound';

const text = (m: { content: unknown } | undefined) => JSON.stringify(m?.content ?? null);

describe('reports 信访举报 (art. 18) through chat and cards', () => {
  let h: Harness;
  let serial = 0;
  const settle = () => h.settle();
  const repo = () => new Repo(h.rt.store.db);
  const dm = (openId: string) => h.emu.messages({ openId }).filter((m) => m.from === 'app');
  const last = (openId: string) => dm(openId).at(-1)!;
  const report = async (id: string) => (await repo().getReport(id)) as Report;
  /** The newest copy of a report's card in someone's direct chat. */
  const copyOf = (openId: string, r: Report): EmulatedMessage | undefined =>
    dm(openId)
      .filter((m) => text(m).includes(r.number) && text(m).includes('举报内容'))
      .at(-1);
  const auditCount = async () => (await h.rt.store.db.select().from(audit)).length;

  /** A card message in the person's own chat, for clicks the platform would never offer them. */
  async function anyCardOf(openId: string): Promise<string> {
    await h.emu.sendText(openId, '帮助');
    await settle();
    return last(openId).messageId;
  }

  async function forged(openId: string, value: Record<string, unknown>, form?: Record<string, unknown>) {
    return h.emu.click(openId, await anyCardOf(openId), value, form, { unchecked: true });
  }

  async function fileByCard(p: {
    mode: 'real' | 'anon';
    accused: string[];
    matter?: string;
    content?: string;
    files?: string[];
    by?: string;
  }): Promise<{ r: Report; code?: string }> {
    const by = p.by ?? REPORTER.openId;
    const matter = p.matter ?? `检查中违规收取费用（第${++serial}件）`;
    await h.emu.sendText(by, '举报');
    await settle();
    await h.emu.clickButton(by, last(by).messageId, p.mode === 'real' ? '实名举报' : '匿名举报');
    await settle();
    const form = last(by);
    for (const f of p.files ?? []) await h.emu.sendFile(by, { fileKey: `file_${f}`, fileName: f });
    await settle();
    const res = await submitReport(
      h.emu,
      by,
      form.messageId,
      p.mode === 'real' ? '提交实名举报' : '提交匿名举报',
      {
        accused: p.accused,
        matter,
        content: p.content ?? '2026年2月在商场检查时收取所谓咨询费，当时有多人在场。',
      },
    );
    expect(res.toast?.type, res.toast?.content).toBe('success');
    await settle();
    const r = (await repo().openReports()).find((x) => x.matter === matter);
    expect(r).toBeDefined();
    const code = p.mode === 'anon' ? /查询码\*\*：\*\*([A-Z0-9]+)\*\*/.exec(text(last(by)))?.[1] : undefined;
    return { r: r as Report, ...(code ? { code } : {}) };
  }

  /** The secretary's way through a form on their own copy of the card. */
  async function viaCard(
    openId: string,
    r: Report,
    open: string,
    submit: string,
    form: Record<string, unknown>,
  ) {
    const copy = copyOf(openId, r);
    expect(copy, `${openId} has a copy of ${r.number}`).toBeDefined();
    const opened = await h.emu.clickButton(openId, copy!.messageId, open);
    expect(opened.card, opened.toast?.content).toBeDefined();
    return h.emu.clickButton(openId, copy!.messageId, submit, form);
  }

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SEC, CLERK, CLERK2, INV, INV2, OFFICER2, REPORTER, STRANGER]) h.emu.addUser(u);
    const everyone = [SEC, CLERK, CLERK2, INV, INV2, OFFICER, OFFICER2, REPORTER, STRANGER].map(
      (u) => u.openId,
    );
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: everyone });
    h.emu.addChat({ chatId: PUB, name: '公示群', members: everyone });
    h.emu.addChat({ chatId: ELSEWHERE, name: '闲聊群', members: everyone });
    const r = repo();
    const now = new Date();
    const by = ADMIN.openId;
    await h.rt.store.commit([
      r.addRole({ ...SEC, role: 'secretary', by, now }),
      r.addRole({ ...CLERK, role: 'clerk', by, now }),
      r.addRole({ ...CLERK2, role: 'clerk', by, now }),
      r.addRole({ ...INV, role: 'investigator', by, now }),
      r.addRole({ ...INV2, role: 'investigator', by, now }),
      r.addRole({ ...OFFICER, role: 'party_member', by, now }),
      r.addRole({ ...OFFICER2, role: 'party_member', by, now }),
      r.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      r.bindChat({ chatId: PUB, kind: 'publication', by, now }),
    ]);
  });
  afterAll(async () => h?.close());

  let realReport: Report;

  it('real-name filing: missing and invalid fields refused with what was typed kept; files attached; handlers only', async () => {
    await h.emu.sendText(REPORTER.openId, '举报', {
      mentions: [{ openId: OFFICER.openId, name: OFFICER.name }],
    });
    await settle();
    await h.emu.clickButton(REPORTER.openId, last(REPORTER.openId).messageId, '实名举报');
    await settle();
    const form = last(REPORTER.openId);
    expect(text(form)).toContain('multi_select_person');
    expect(text(form)).toContain(OFFICER.openId);
    expect(text(form)).not.toContain(`"value":"${REPORTER.openId}"`);
    await h.emu.sendFile(REPORTER.openId, { fileKey: 'file_receipt', fileName: '收据照片.pdf' });
    await settle();
    expect(text(last(REPORTER.openId))).toContain('已附上「收据照片.pdf」');

    // Each refusal is the form again with the reason, never a review card to confirm.
    const submit = async (f: Record<string, unknown>) => {
      const res = await h.emu.clickButton(REPORTER.openId, form.messageId, '提交实名举报', f);
      expect(res.toast?.type).toBe('warning');
      expect(text({ content: res.card })).toContain('提交实名举报');
      expect(text({ content: res.card })).not.toContain('确认提交');
      return res;
    };
    const base = {
      accused: [OFFICER.openId],
      matter: '检查中索要好处费',
      content: '2026年2月3日检查时索要好处费。',
    };
    const noAccused = await submit({ ...base, accused: [] });
    expect(noAccused.toast?.content).toContain('请选择被举报的执法人员');
    expect(text({ content: noAccused.card })).toContain('检查中索要好处费');
    expect((await submit({ ...base, accused: [REPORTER.openId] })).toast?.content).toContain('不能举报自己');
    expect((await submit({ ...base, accused: ['not-an-open-id'] })).toast?.content).toContain('无法识别');
    expect((await submit({ ...base, matter: '  ' })).toast?.content).toContain('「举报事项」不能为空');
    expect((await submit({ ...base, matter: '事'.repeat(61) })).toast?.content).toContain('不能超过 60 个字');
    expect((await submit({ ...base, content: '' })).toast?.content).toContain('「举报内容」不能为空');
    const long = await submit({ ...base, content: '长'.repeat(2001) });
    expect(long.toast?.content).toContain('不能超过 1000 个字');
    expect(await repo().openReports()).toHaveLength(0);

    // A form that passes every check is answered with what will be filed; nothing is filed before 确认提交.
    const review = await h.emu.clickButton(REPORTER.openId, form.messageId, '提交实名举报', base);
    expect(review.toast).toEqual({ type: 'info', content: '请核对举报内容，确认后提交。' });
    expect(text({ content: review.card })).toContain('确认提交实名举报');
    expect(text({ content: review.card })).toContain(OFFICER.name);
    expect(text({ content: review.card })).toContain('收据照片.pdf');
    expect(await repo().openReports()).toHaveLength(0);
    // 返回修改 brings the form back as typed.
    const edit = await h.emu.clickButton(REPORTER.openId, form.messageId, '返回修改');
    expect(text({ content: edit.card })).toContain('提交实名举报');
    expect(text({ content: edit.card })).toContain('2026年2月3日检查时索要好处费。');
    await h.emu.clickButton(REPORTER.openId, form.messageId, '提交实名举报', base);
    const confirm = h.emu.buttons(form.messageId).find((b) => b.text === '确认提交');
    const ok = await h.emu.clickButton(REPORTER.openId, form.messageId, '确认提交');
    expect(ok.toast?.content).toContain('举报已提交');
    expect(text({ content: ok.card })).toContain('收据照片.pdf');
    await settle();
    // 确认提交 again (another device still showing the review card): the report as filed, not a second one.
    const again = await h.emu.click(REPORTER.openId, form.messageId, confirm!.value, undefined, {
      unchecked: true,
    });
    expect(again.toast?.content).toMatch(/^举报已经提交，编号 举报〔\d{4}〕1号，无需再次提交。$/);
    expect(text({ content: again.card })).toContain('检查中索要好处费');
    expect(await repo().openReports()).toHaveLength(1);
    const [r] = await repo().openReports();
    realReport = r!;
    expect(realReport).toMatchObject({
      realName: true,
      reporterOpenId: REPORTER.openId,
      accused: [OFFICER.openId],
      status: 'filed',
    });
    expect(realReport.attachments.map((a) => a.name)).toEqual(['收据照片.pdf']);
    expect(await h.rt.store.db.select().from(conversations)).toHaveLength(0);
    expect(text(last(REPORTER.openId))).toContain('你的举报已登记');

    for (const u of [SEC, CLERK, CLERK2]) {
      const copy = copyOf(u.openId, realReport);
      expect(copy, u.name).toBeDefined();
      expect(text(copy)).toContain('检查中索要好处费');
      expect(text(copy)).toContain('收据照片.pdf');
      expect(text(copy)).not.toContain(REPORTER.name);
    }
    expect(dm(OFFICER.openId)).toHaveLength(0);
    expect(dm(INV.openId)).toHaveLength(0);
    expect(h.emu.messages({ chatId: PARTY })).toHaveLength(0);
  });

  it('an unfinished application set aside by 举报 comes back as it was', async () => {
    await h.emu.sendText(OFFICER2.openId, '申请容错');
    await settle();
    const [before] = await h.rt.store.db
      .select()
      .from(conversations)
      .where(eq(conversations.openId, OFFICER2.openId));
    expect(before?.flow).toBe('intake');
    await fileByCard({ mode: 'real', accused: [OFFICER.openId], by: OFFICER2.openId });
    const [after] = await h.rt.store.db
      .select()
      .from(conversations)
      .where(eq(conversations.openId, OFFICER2.openId));
    expect(after).toEqual(before);
  });

  it('during a draft: 帮助 still works, typed text gets a pointer to the form, 取消 ends it and keeps nothing', async () => {
    await h.emu.sendText(STRANGER.openId, '举报');
    await settle();
    await h.emu.sendText(STRANGER.openId, '帮助');
    await settle();
    expect(text(last(STRANGER.openId))).toContain('可用指令');
    await h.emu.sendText(STRANGER.openId, '他在检查时收了钱');
    await settle();
    expect(text(last(STRANGER.openId))).toContain('请先在卡片上选择');
    await h.emu.sendImage(STRANGER.openId, 'img_before_mode');
    await settle();
    expect(text(last(STRANGER.openId))).toContain('请先选择举报方式');
    await h.emu.sendText(STRANGER.openId, '取消');
    await settle();
    expect(text(last(STRANGER.openId))).toContain('已取消举报');
    const rows = await h.rt.store.db
      .select()
      .from(conversations)
      .where(eq(conversations.openId, STRANGER.openId));
    expect(rows).toHaveLength(0);
    // The draft was keyed by its card's token, never by the person, and went with 取消.
    expect((await h.rt.store.db.select().from(kv)).filter((r) => r.key.startsWith('reportdraft:'))).toEqual(
      [],
    );
  });

  it('an accused clerk is recused: no card, not in the list, every click refused and nothing changes', async () => {
    const { r } = await fileByCard({ mode: 'real', accused: [CLERK2.openId] });
    expect(copyOf(CLERK2.openId, r)).toBeUndefined();
    expect(copyOf(CLERK.openId, r)).toBeDefined();
    await h.emu.sendText(CLERK2.openId, '举报列表');
    await settle();
    expect(text(last(CLERK2.openId))).not.toContain(r.number);
    expect(text(last(CLERK2.openId))).toContain(realReport.number);

    const audits = await auditCount();
    for (const [value, form] of [
      [{ a: 'report.open', r: r.id }, undefined],
      [{ a: 'report.form', r: r.id, f: 'assign' }, undefined],
      [{ a: 'report.assign', r: r.id }, { investigator: INV.openId }],
      [{ a: 'report.convert', r: r.id }, { subject: CLERK2.openId }],
    ] as const) {
      const res = await forged(CLERK2.openId, value, form);
      expect(res.toast?.content).toContain('回避');
      expect(res.card).toBeUndefined();
    }
    await settle();
    expect((await report(r.id)).version).toBe(r.version);
    expect(await auditCount()).toBe(audits);
    expect(dm(CLERK2.openId).some((m) => text(m).includes(r.matter))).toBe(false);
  });

  it('指派核查 offers investigators but not the accused; findings by the investigator; others refused', async () => {
    const { r } = await fileByCard({ mode: 'anon', accused: [INV2.openId, OFFICER.openId] });
    const copy = copyOf(CLERK.openId, r)!;
    const opened = await h.emu.clickButton(CLERK.openId, copy.messageId, '指派核查');
    expect(text({ content: opened.card })).toContain(INV.openId);
    expect(text({ content: opened.card })).not.toContain(`"value":"${INV2.openId}"`);

    const audits = await auditCount();
    const stranger = await forged(
      STRANGER.openId,
      { a: 'report.assign', r: r.id },
      { investigator: INV.openId },
    );
    expect(stranger.toast?.content).toContain('只有党组书记或经办人');
    const accusedPick = await h.emu.clickButton(CLERK.openId, copy.messageId, '确认指派', {
      investigator: INV2.openId,
    });
    expect(accusedPick.toast?.content).toContain('被举报人');
    expect((await report(r.id)).version).toBe(r.version);
    expect(await auditCount()).toBe(audits);

    const assigned = await h.emu.clickButton(CLERK.openId, copy.messageId, '确认指派', {
      investigator: INV.openId,
    });
    expect(assigned.toast?.type).toBe('success');
    await settle();
    const invCopy = copyOf(INV.openId, r)!;
    expect(text(invCopy)).toContain('提交核查意见');
    expect(dm(INV2.openId)).toHaveLength(0);
    expect(text(h.emu.message(copyOf(SEC.openId, r)!.messageId))).toContain(INV.name);

    const early = await h.emu.click(
      SEC.openId,
      copyOf(SEC.openId, r)!.messageId,
      { a: 'report.outcome', r: r.id },
      { result: 'true', note: '' },
      { unchecked: true },
    );
    expect(early.toast?.content).toContain('核查人员尚未提交核查意见');
    const clerkFindings = await forged(CLERK.openId, { a: 'report.findings', r: r.id }, { text: '代为提交' });
    expect(clerkFindings.toast?.content).toContain('只有被指派的核查人员');

    await h.emu.clickButton(INV.openId, invCopy.messageId, '提交核查意见');
    const empty = await h.emu.clickButton(INV.openId, invCopy.messageId, '提交核查意见', { text: ' ' });
    expect(empty.toast?.content).toContain('请填写核查意见');
    const done = await h.emu.clickButton(INV.openId, invCopy.messageId, '提交核查意见', {
      text: '经调取执法记录仪，未发现收费情况。',
    });
    expect(done.toast?.type).toBe('success');
    await settle();
    expect((await report(r.id)).findings?.text).toBe('经调取执法记录仪，未发现收费情况。');
    expect(
      dm(SEC.openId).some((m) => text(m).includes('举报核查意见已提交') && text(m).includes(r.number)),
    ).toBe(true);
    expect(text(h.emu.message(copyOf(SEC.openId, r)!.messageId))).toContain('经调取执法记录仪');
    expect(dm(OFFICER.openId)).toHaveLength(0);
  });

  it('outcome by the secretary only; the real-name reporter gets the result by direct message; then 办结', async () => {
    const audits = await auditCount();
    const clerk = await forged(
      CLERK.openId,
      { a: 'report.outcome', r: realReport.id },
      { result: 'true', note: 'x' },
    );
    expect(clerk.toast?.content).toContain('只有党组书记');
    expect(await auditCount()).toBe(audits);

    const missing = await viaCard(SEC.openId, realReport, '认定核查结果', '确认认定', { result: '' });
    expect(missing.toast?.content).toContain('请选择「核查结果」');
    const recorded = await h.emu.clickButton(
      SEC.openId,
      copyOf(SEC.openId, realReport)!.messageId,
      '确认认定',
      {
        result: 'true',
        note: '经查属实，已责令退还。',
      },
    );
    expect(recorded.toast?.type).toBe('success');
    await settle();
    expect((await report(realReport.id)).outcome?.result).toBe('true');

    const sent = await viaCard(SEC.openId, realReport, '反馈结果', '发送反馈', {
      text: '经查属实，已责令退还并批评教育。',
    });
    expect(sent.toast?.type).toBe('success');
    await settle();
    const feedback = last(REPORTER.openId);
    expect(text(feedback)).toContain('你的举报已有核查结果');
    expect(text(feedback)).toContain('属实');
    expect(text(feedback)).toContain('已责令退还并批评教育');
    expect(dm(OFFICER.openId)).toHaveLength(0);

    const closed = await h.emu.clickButton(SEC.openId, copyOf(SEC.openId, realReport)!.messageId, '办结');
    expect(closed.toast?.type).toBe('success');
    expect((await report(realReport.id)).status).toBe('closed');
  });

  it('anonymous: the explanation goes to the chat the secretary picks (bound chats only); the code shows it', async () => {
    const { r, code } = await fileByCard({ mode: 'anon', accused: [OFFICER.openId] });
    await viaCard(SEC.openId, r, '认定核查结果', '确认认定', { result: 'unfounded', note: '无证据' });
    const copy = copyOf(SEC.openId, r)!;
    expect(text(h.emu.message(copy.messageId))).toContain('情况说明');
    await h.emu.clickButton(SEC.openId, copy.messageId, '情况说明');
    const noChat = await h.emu.clickButton(SEC.openId, copy.messageId, '发布情况说明', {
      text: '经核查，查无实据。',
    });
    expect(noChat.toast?.content).toContain('须选择一个群');
    const elsewhere = await h.emu.clickButton(SEC.openId, copy.messageId, '发布情况说明', {
      text: '经核查，查无实据。',
      chat: ELSEWHERE,
    });
    expect(elsewhere.toast?.content).toContain('已绑定的群');
    const posted = await h.emu.clickButton(SEC.openId, copy.messageId, '发布情况说明', {
      text: '经核查，查无实据。',
      chat: PUB,
    });
    expect(posted.toast?.type).toBe('success');
    await settle();
    const inPub = h.emu.messages({ chatId: PUB });
    expect(inPub.some((m) => text(m).includes('信访举报核查情况说明') && text(m).includes('查无实据'))).toBe(
      true,
    );
    expect(h.emu.messages({ chatId: ELSEWHERE })).toHaveLength(0);

    await h.emu.sendText(STRANGER.openId, `查询 ${code}`);
    await settle();
    expect(text(last(STRANGER.openId))).toContain('经核查，查无实据。');
  });

  it('澄清正名: asked with a button; a refusal blocks publication; consent lets the secretary publish', async () => {
    const { r } = await fileByCard({ mode: 'real', accused: [OFFICER.openId, OFFICER2.openId] });
    const trueOne = await fileByCard({ mode: 'real', accused: [OFFICER.openId] });
    await viaCard(SEC.openId, trueOne.r, '认定核查结果', '确认认定', { result: 'true', note: '' });
    const notClearable = await forged(SEC.openId, { a: 'report.clear', r: trueOne.r.id, o: OFFICER.openId });
    expect(notClearable.toast?.content).toContain('不属实或查无实据');

    await viaCard(SEC.openId, r, '认定核查结果', '确认认定', { result: 'false', note: '与事实不符' });
    expect(dm(OFFICER.openId)).toHaveLength(0);
    const copy = () => copyOf(SEC.openId, r)!;
    expect(
      (await h.emu.clickButton(SEC.openId, copy().messageId, `澄清正名：${OFFICER.name}`)).toast?.type,
    ).toBe('success');
    expect(
      (await h.emu.clickButton(SEC.openId, copy().messageId, `澄清正名：${OFFICER2.name}`)).toast?.type,
    ).toBe('success');
    await settle();
    const ask1 = last(OFFICER.openId);
    const ask2 = last(OFFICER2.openId);
    expect(text(ask1)).toContain('澄清正名征求意见');
    expect(text(ask1)).not.toContain(REPORTER.name);
    expect(text(ask1)).not.toContain('收取所谓咨询费');

    const stranger = await h.emu.click(
      STRANGER.openId,
      await anyCardOf(STRANGER.openId),
      { a: 'report.consent', r: r.id, agree: true },
      undefined,
      { unchecked: true },
    );
    expect(stranger.toast?.content).toContain('没有需要您确认');

    const declined = await h.emu.clickButton(OFFICER.openId, ask1.messageId, '不同意');
    expect(declined.toast?.content).toContain('不会发布');
    const blocked = await h.emu.click(
      SEC.openId,
      copy().messageId,
      { a: 'report.publish', r: r.id, o: OFFICER.openId },
      { chat: PUB },
      { unchecked: true },
    );
    expect(blocked.toast?.content).toContain('尚未同意');
    const before = h.emu.messages({ chatId: PUB }).length;

    const agreed = await h.emu.clickButton(OFFICER2.openId, ask2.messageId, '同意发布');
    expect(agreed.toast?.type).toBe('success');
    await settle();
    expect(dm(SEC.openId).some((m) => text(m).includes('本人同意发布澄清正名通报'))).toBe(true);
    const published = await viaCard(SEC.openId, r, `发布澄清：${OFFICER2.name}`, '发布澄清正名通报', {
      chat: PUB,
    });
    expect(published.toast?.type).toBe('success');
    await settle();
    const notices = h.emu.messages({ chatId: PUB }).slice(before);
    expect(notices).toHaveLength(1);
    expect(text(notices[0])).toContain('澄清正名通报');
    expect(text(notices[0])).toContain(OFFICER2.name);
    expect(text(notices[0])).not.toContain(OFFICER.name);
    const after = await report(r.id);
    expect(after.clearings.map((c) => [c.officerOpenId, c.consent, c.chatId])).toEqual([
      [OFFICER.openId, 'declined', null],
      [OFFICER2.openId, 'agreed', PUB],
    ]);
  });

  it('every outcome from the card; 属于容错免责情形 needs a case, which 转为容错认定 opens for one accused', async () => {
    const outcomes = ['true', 'partly_true', 'false', 'unfounded'] as const;
    for (const result of outcomes) {
      const { r } = await fileByCard({ mode: 'anon', accused: [OFFICER2.openId] });
      const res = await viaCard(SEC.openId, r, '认定核查结果', '确认认定', {
        result,
        note: `结论：${result}`,
      });
      expect(res.toast?.type, res.toast?.content).toBe('success');
      expect((await report(r.id)).outcome).toMatchObject({ result, note: `结论：${result}`, caseId: null });
    }

    const { r } = await fileByCard({
      mode: 'real',
      accused: [OFFICER.openId, OFFICER2.openId],
      content: '仅限举报卡片的内容细节',
    });
    const noCase = await viaCard(SEC.openId, r, '认定核查结果', '确认认定', {
      result: 'tolerated',
      note: '',
    });
    expect(noCase.toast?.content).toContain('请关联对应的容错案件');
    const unknown = await h.emu.clickButton(SEC.openId, copyOf(SEC.openId, r)!.messageId, '确认认定', {
      result: 'tolerated',
      case_number: '容错〔2026〕999号',
    });
    expect(unknown.toast?.content).toContain('没有找到案件');

    const stranger = await forged(
      STRANGER.openId,
      { a: 'report.convert', r: r.id },
      { subject: OFFICER.openId },
    );
    expect(stranger.toast?.content).toContain('只有党组书记或经办人');
    const converted = await viaCard(CLERK.openId, r, '转为容错认定', '启动容错认定', {
      subject: OFFICER.openId,
    });
    expect(converted.toast?.content).toContain('已启动容错认定');
    await settle();
    const after = await report(r.id);
    expect(after.convertedCases).toHaveLength(1);
    const c = await repo().getCase(after.convertedCases[0]!.caseId);
    expect(c).toMatchObject({
      origin: 'report',
      reportId: r.id,
      subjectOpenId: OFFICER.openId,
      status: 'investigating',
    });
    expect(c?.facts.title).toBe(r.matter);
    const tracker = dm(OFFICER.openId).find((m) => text(m).includes(c!.number!));
    expect(tracker).toBeDefined();
    expect(text(tracker)).not.toContain('仅限举报卡片的内容细节');
    expect(text(tracker)).not.toContain(REPORTER.name);
    const twice = await viaCard(CLERK.openId, r, '转为容错认定', '启动容错认定', { subject: OFFICER.openId });
    expect(twice.toast?.content).toContain('已经就该同志启动过');

    // Art. 18: while the linked case is still under investigation, it is not 「经认定予以容错免责」.
    await h.emu.clickButton(SEC.openId, copyOf(SEC.openId, r)!.messageId, '认定核查结果');
    const early = await h.emu.clickButton(SEC.openId, copyOf(SEC.openId, r)!.messageId, '确认认定', {
      result: 'tolerated',
      case: c!.id,
      note: '属于第十条情形',
    });
    expect(early.toast?.content).toContain('第十八条');
    expect((await report(r.id)).outcome).toBeNull();

    // The party group decides the case exempt (the state the deliberation leaves); now it may be so concluded.
    const env = envAt(new Date());
    const decided = run(
      carriedCase('exempt', env),
      { ...determinationCommand, ...noCorrection },
      secretary,
      env,
    );
    const exempt = {
      ...c!,
      status: decided.status,
      findings: decided.findings,
      deliberation: decided.deliberation,
    };
    await h.rt.store.commit(repo().saveCase(c!, { ...exempt, determination: decided.determination }));
    // The refused form is still shown, with what was typed.
    const tolerated = await h.emu.clickButton(SEC.openId, copyOf(SEC.openId, r)!.messageId, '确认认定', {
      result: 'tolerated',
      case: c!.id,
      note: '属于第十条情形',
    });
    expect(tolerated.toast?.type, tolerated.toast?.content).toBe('success');
    expect((await report(r.id)).outcome).toMatchObject({ result: 'tolerated', caseId: c!.id });
    expect(text(h.emu.message(copyOf(SEC.openId, r)!.messageId))).toContain(c!.number!);
  });
});
