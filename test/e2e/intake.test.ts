import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCase } from '../../src/bot/apply';
import { Ctx } from '../../src/bot/context';
import { addCalendarDays, businessDate } from '../../src/calendar';
import { decideCase } from '../../src/cases';
import type { Case } from '../../src/cases/types';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import { type Harness, OFFICER, startHarness } from '../support/harness';

const STRANGER = { openId: 'ou_stranger_wu', name: '吴路人' };
const CLERK = { openId: 'ou_clerk_wang', name: '王经办' };
const SUBJECT = { openId: 'ou_officer_liu', name: '刘执法' };

const json = (x: unknown) => JSON.stringify(x);

/** Every element with a `name` in a card, keyed by name (form fields and buttons). */
function fields(card: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (typeof o.name === 'string' && o.tag !== 'form') out[o.name] = o;
      for (const v of Object.values(o)) walk(v);
    }
  };
  walk(card);
  return out;
}

describe('guided intake end to end through the emulator', () => {
  let h: Harness;
  let emu: LarkEmulator;
  const repo = () => new Repo(h.rt.store.db);
  const today = businessDate(new Date());
  const year = today.slice(0, 4);
  const yesterday = addCalendarDays(today, -1);
  let caseId = '';
  /** The message the officer is working on (clicks replace its card). */
  let cardId = '';

  const lastTo = (openId: string) => emu.messages({ openId }).at(-1)!;
  async function say(text: string) {
    const sent = await emu.sendText(OFFICER.openId, text);
    expect(sent.status).toBe(200);
    await h.settle();
    const reply = lastTo(OFFICER.openId);
    expect(reply.replyTo).toBe(sent.messageId);
    cardId = reply.messageId;
    return reply.content;
  }
  async function click(label: string, form?: Record<string, unknown>, who = OFFICER.openId) {
    const r = await emu.clickButton(who, cardId, label, form);
    expect(r.status).toBe(200);
    await h.settle();
    return r;
  }
  const theCase = async () => (await repo().getCase(caseId)) as Case;

  beforeAll(async () => {
    h = await startHarness();
    emu = h.emu;
    for (const u of [STRANGER, CLERK, SUBJECT]) emu.addUser(u);
  });
  afterAll(async () => {
    await h?.rt.close();
    await emu?.close();
  });

  it('申请容错 starts a draft and shows the first step', async () => {
    const card = await say('申请容错');
    expect(json(card)).toContain('基本情况');
    expect(json(card)).toContain('第 1/');
    const drafts = await repo().casesOfSubject(OFFICER.openId, ['draft']);
    expect(drafts).toHaveLength(1);
    caseId = drafts[0]!.id;
    const conv = await repo().conversation(OFFICER.openId);
    expect(conv).toMatchObject({ flow: 'intake', subjectId: caseId, step: 'basics' });
  });

  it('refuses a future date, an over-long title and an empty field, keeping what was typed', async () => {
    const longTitle = '夜'.repeat(61);
    const r = await click('下一步', {
      title: longTitle,
      occurredOn: '2099-01-01 +0800',
      stage: '',
      unitId: 'enforcement_1',
    });
    const shown = json(r.card);
    expect(shown).toContain('「事项名称」不能超过 60 个字');
    expect(shown).toContain('「发生日期」不能晚于今天');
    expect(shown).toContain('请选择「执法环节」');
    const f = fields(r.card);
    expect(f.title?.default_value).toBe(longTitle);
    expect(f.occurredOn?.initial_date).toBe('2099-01-01');
    expect(f.unitId?.initial_option).toBe('enforcement_1');
    const c = await theCase();
    // The valid answer is saved at once, the refused ones are not.
    expect(c.facts).toMatchObject({ title: '', occurredOn: null, stage: null, unitId: 'enforcement_1' });
    const conv = await repo().conversation(OFFICER.openId);
    expect(conv?.step).toBe('basics');
    expect(conv?.data.typed).toMatchObject({ title: longTitle, occurredOn: '2099-01-01 +0800' });

    const ok = await click('下一步', {
      title: '夜间检查人防工程时临机决定暂扣设备',
      occurredOn: `${yesterday} +0800`,
      stage: 'inspection',
      unitId: 'enforcement_1',
    });
    expect(json(ok.card)).toContain('事情经过');
    expect((await theCase()).facts).toMatchObject({
      title: '夜间检查人防工程时临机决定暂扣设备',
      occurredOn: yesterday,
      stage: 'inspection',
    });
  });

  it('takes the story as an ordinary chat message, and 上一步 shows it again', async () => {
    const story = '夜间检查发现设备存在安全隐患，为防止事故临机决定暂扣，次日补办手续。';
    const card = await say(story);
    expect(json(card)).toContain('已记录「事情经过」');
    expect(json(card)).toContain('损失和影响');
    expect((await theCase()).facts.story).toBe(story);

    const back = await click('上一步', {});
    expect(fields(back.card).story?.default_value).toBe(story);
    const again = await click('下一步', { story });
    expect(json(again.card)).toContain('是否造成重大损失');
  });

  it('an empty required field is refused on the loss step; typed text fills it', async () => {
    const r = await click('下一步', { lossAndImpact: '', majorLoss: 'no' });
    expect(json(r.card)).toContain('请填写「损失和影响」');
    expect(json(r.card)).toContain('请选择「是否造成严重不良影响」');
    expect(fields(r.card).majorLoss?.initial_option).toBe('no');
    expect((await theCase()).facts.majorLoss).toBe(false);

    const card = await say('当事单位停工半天，无重大经济损失。');
    // Still on the loss step: the choices are not made yet.
    expect(json(card)).toContain('已记录「损失和影响」');
    expect(fields(card).seriousImpact).toBeDefined();
    const next = await click('下一步', {
      lossAndImpact: '当事单位停工半天，无重大经济损失。',
      majorLoss: 'no',
      seriousImpact: 'no',
    });
    expect(json(next.card)).toContain('补救措施');
  });

  it('保存草稿 keeps the typed remedy; the draft survives a server restart and resumes where it was', async () => {
    const saved = await click('保存草稿', { remedies: '次日即组织复核并归还设备。' });
    expect(json(saved.card)).toContain('草稿已保存');
    expect((await theCase()).facts.remedies).toBe('次日即组织复核并归还设备。');
    expect((await repo().conversation(OFFICER.openId))?.data.paused).toBe(true);
    // Paused: an ordinary message is not taken as an answer.
    await emu.sendText(OFFICER.openId, '随便说一句');
    await h.settle();
    expect((await theCase()).facts.remedies).toBe('次日即组织复核并归还设备。');

    await h.rt.close();
    h = await startHarness({ emu, dbPath: h.dbPath });

    const card = await say('我要申请');
    expect(json(card)).toContain('已恢复你上次填写的草稿');
    expect(json(card)).toContain('补救措施');
    expect(fields(card).remedies?.default_value).toBe('次日即组织复核并归还设备。');
    expect(await repo().casesOfSubject(OFFICER.openId, ['draft'])).toHaveLength(1);
  });

  let supersededId = '';
  it('a file sent mid-intake attaches to the draft; the card before says a newer one replaced it', async () => {
    supersededId = cardId;
    const sent = await emu.sendFile(OFFICER.openId, {
      fileKey: 'file_v3_scene',
      fileName: '现场检查笔录.pdf',
    });
    await h.settle();
    const reply = lastTo(OFFICER.openId);
    expect(reply.replyTo).toBe(sent.messageId);
    expect(json(reply.content)).toContain('已添加证据材料「现场检查笔录.pdf」');
    cardId = reply.messageId;
    expect((await theCase()).facts.evidence).toEqual([
      { kind: 'file', messageId: sent.messageId, key: 'file_v3_scene', name: '现场检查笔录.pdf' },
    ]);
    // One live card per draft: the earlier one has no step buttons left, only the way back to the newest.
    expect(json(emu.message(supersededId)?.content)).toContain('此卡片已由新的申请卡片取代');
    expect(emu.buttons(supersededId).map((b) => b.text)).toEqual(['继续填写']);
  });

  it('situations and the three conditions lead to a summary with the assessment and the file', async () => {
    const items = await click('下一步', { remedies: '次日即组织复核并归还设备。' });
    expect(json(items.card)).toContain('第十条');
    const conditions = await click('下一步', { items10: ['10.4'], items11: ['11.1'] });
    expect(json(conditions.card)).toContain('第十条第二款第（一）项');
    const evidence = await click('下一步', { c1: 'yes', c2: 'yes', c3: 'yes' });
    expect(json(evidence.card)).toContain('现场检查笔录.pdf');
    const summary = await click('下一步');
    const shown = json(summary.card);
    expect(shown).toContain('现场检查笔录.pdf');
    expect(shown).toContain('建议容错免责');
    expect(shown).toContain('第十条第（四）项');
    expect(shown).toContain('必填内容已齐全');
    expect((await repo().conversation(OFFICER.openId))?.step).toBe('summary');
  });

  it("a stranger's click on the draft card is refused and changes nothing", async () => {
    // As if the card had been forwarded to someone else.
    const chat = emu.state.chats[emu.p2pChatId(OFFICER.openId)]!;
    chat.members.push(STRANGER.openId);
    const before = await theCase();
    const messagesBefore = emu.messages().length;
    for (const label of ['提交申请', '取消申请', '修改']) {
      const r = await click(label, undefined, STRANGER.openId);
      expect(r.toast?.type).toBe('error');
      expect(r.toast?.content).toContain('只有当事人本人');
      expect(r.card).toBeUndefined();
    }
    chat.members.splice(chat.members.indexOf(STRANGER.openId), 1);
    const after = await theCase();
    expect(after).toEqual(before);
    expect(await repo().conversation(STRANGER.openId)).toBeUndefined();
    expect((await repo().conversation(OFFICER.openId))?.subjectId).toBe(caseId);
    expect(emu.messages()).toHaveLength(messagesBefore);
  });

  let trackerId = '';
  it('submit gives the case number and sends the live tracker card', async () => {
    const r = await click('提交申请');
    expect(json(r.card)).toContain(`容错〔${year}〕1号`);
    expect(r.toast?.type).toBe('success');
    const c = await theCase();
    expect(c).toMatchObject({ status: 'submitted', number: `容错〔${year}〕1号`, seq: 1 });
    expect(await repo().conversation(OFFICER.openId)).toBeUndefined();
    const tracker = lastTo(OFFICER.openId);
    trackerId = tracker.messageId;
    const shown = json(tracker.content);
    expect(shown).toContain(`容错认定案件　容错〔${year}〕1号`);
    expect(shown).toContain('▶受理');
    expect(shown).toContain('经办人 / 党组书记');

    // A step button on a card from before (one whose update never arrived) answers with where the case stands.
    const stale = await emu.click(
      OFFICER.openId,
      supersededId,
      { a: 'intake.step', case: caseId, step: 'summary', go: 'next' },
      {},
      { unchecked: true },
    );
    expect(stale.toast?.type).toBe('warning');
    expect(json(stale.card)).toContain('申请已提交');
    expect(json(stale.card)).toContain(`容错〔${year}〕1号`);
    expect(emu.buttons(supersededId).map((b) => b.text)).toEqual(['查看案件']);
    expect((await theCase()).status).toBe('submitted');
  });

  it('the tracker is updated in place when the case moves on', async () => {
    await h.rt.service.pipeline.runUnit('test:accept', async (fx) => {
      const ctx = new Ctx(fx, new Repo(fx.db), h.rt.service.bot);
      const c = (await ctx.repo.getCase(caseId))!;
      const clerk = { openId: CLERK.openId, roles: ['clerk' as const] };
      const r = await applyCase(ctx, c, decideCase(c, { type: 'accept' }, clerk, ctx.env));
      expect(r).toMatchObject({ status: 'investigating' });
    });
    await h.settle();
    const m = emu.message(trackerId)!;
    expect(m.versions.length).toBeGreaterThanOrEqual(2);
    expect(json(m.content)).toContain('▶核查');
    expect(json(m.content)).toContain('认定期限');
  });

  it('取消 withdraws a new draft', async () => {
    const card = await say('申请');
    expect(json(card)).toContain('基本情况');
    const drafts = await repo().casesOfSubject(OFFICER.openId, ['draft']);
    expect(drafts).toHaveLength(1);
    const r = await click('取消申请');
    expect(json(r.card)).toContain('已取消本次申请');
    expect((await repo().getCase(drafts[0]!.id))?.status).toBe('withdrawn');
    expect(await repo().conversation(OFFICER.openId)).toBeUndefined();
  });

  it('a file with no draft gets told how to start one', async () => {
    await emu.sendImage(OFFICER.openId, 'img_v3_lonely');
    await h.settle();
    expect(json(lastTo(OFFICER.openId).content)).toContain('请先点下方按钮或发送「申请容错」');
  });

  it('发起容错 @某人 by a clerk opens a case and asks the officer to add the facts', async () => {
    const now = new Date();
    await h.rt.store.commit([
      repo().addRole({ openId: CLERK.openId, role: 'clerk', name: CLERK.name, by: 'test', now }),
    ]);
    emu.addChat({
      chatId: 'oc_enforcement',
      name: '执法一科',
      members: [CLERK.openId, SUBJECT.openId, OFFICER.openId],
    });

    // Someone without the role is refused.
    await emu.sendText(OFFICER.openId, '发起容错', {
      chatId: 'oc_enforcement',
      mentionBot: true,
      mentions: [{ openId: SUBJECT.openId, name: SUBJECT.name }],
    });
    await h.settle();
    expect(json(emu.messages({ chatId: 'oc_enforcement' }).at(-1)!.content)).toContain(
      '只有党组书记或经办人',
    );
    expect(await repo().casesOfSubject(SUBJECT.openId)).toHaveLength(0);

    await emu.sendText(CLERK.openId, '发起容错 夜间巡查文书瑕疵', {
      chatId: 'oc_enforcement',
      mentionBot: true,
      mentions: [{ openId: SUBJECT.openId, name: SUBJECT.name }],
    });
    await h.settle();
    const number = `容错〔${year}〕2号`;
    expect(json(emu.messages({ chatId: 'oc_enforcement' }).at(-1)!.content)).toContain(number);
    const [c] = await repo().casesOfSubject(SUBJECT.openId);
    expect(c).toMatchObject({
      origin: 'organisation',
      status: 'investigating',
      number,
      createdBy: CLERK.openId,
    });
    expect(c!.facts.title).toBe('夜间巡查文书瑕疵');

    const dm = emu.messages({ openId: SUBJECT.openId }).at(-1)!;
    expect(json(dm.content)).toContain('组织启动');
    const resume = await emu.clickButton(SUBJECT.openId, dm.messageId, '补充事实');
    expect(resume.toast?.content).toContain('基本情况');
    await h.settle();
    const step = emu.messages({ openId: SUBJECT.openId }).at(-1)!;
    expect(json(step.content)).toContain('补充案件事实');
    expect(fields(step.content).title?.default_value).toBe('夜间巡查文书瑕疵');
    expect(await repo().conversation(SUBJECT.openId)).toMatchObject({ flow: 'intake', subjectId: c!.id });
  });

  it('the officer completes the facts through the same steps; the clerk hears it and the tracker moves', async () => {
    const [c] = await repo().casesOfSubject(SUBJECT.openId);
    const dm = emu.messages({ openId: SUBJECT.openId });
    const trackerMsg = dm.find((m) => JSON.stringify(m.content).includes('补充事实'))!;
    const versionsBefore = emu.message(trackerMsg.messageId)!.versions.length;
    cardId = dm.at(-1)!.messageId;
    const as = (label: string, form?: Record<string, unknown>) => click(label, form, SUBJECT.openId);
    await as('下一步', {
      title: '夜间巡查文书瑕疵',
      occurredOn: yesterday,
      stage: 'execution',
      unitId: 'enforcement_2',
    });
    await as('下一步', { story: '夜间巡查时文书填写有误。' });
    await as('下一步', { lossAndImpact: '无损失。', majorLoss: 'no', seriousImpact: 'no' });
    await as('下一步', { remedies: '当场更正。' });
    const evidence = await as('下一步', { items9: ['9.1'] });
    expect(JSON.stringify(evidence.card)).toContain('证据材料');
    const summary = await as('下一步');
    expect(JSON.stringify(summary.card)).toContain('完成补充');
    expect(JSON.stringify(summary.card)).toContain('建议尽职免责');
    const done = await as('完成补充');
    expect(JSON.stringify(done.card)).toContain('案件事实已补充');
    expect(await repo().conversation(SUBJECT.openId)).toBeUndefined();
    expect((await repo().getCase(c!.id))?.facts).toMatchObject({
      stage: 'execution',
      items: ['9.1'],
      remedies: '当场更正。',
    });
    expect(JSON.stringify(lastTo(CLERK.openId).content)).toContain('当事人已补充案件事实');
    const tracker = emu.message(trackerMsg.messageId)!;
    expect(tracker.versions.length).toBeGreaterThan(versionsBefore);
    expect(JSON.stringify(tracker.content)).toContain('指派核查人员');
  });
});
