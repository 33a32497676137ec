import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, businessDate } from '../../src/calendar';
import { Repo } from '../../src/store/repo';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';

// The application story from SPEC §3 and §6, driven only by what people do in chat: typed words
// and card clicks, through signed, encrypted payloads and the emulator.
const CLERK = { openId: 'ou_story_clerk', name: '王经办' };
const SECRETARY = { openId: 'ou_story_secretary', name: '李书记' };
const PARTY = 'oc_story_party';
const json = (x: unknown) => JSON.stringify(x);

describe('an application from first word to acceptance, by chat and cards only', () => {
  let h: Harness;
  const repo = () => new Repo(h.rt.store.db);
  const yesterday = addCalendarDays(businessDate(new Date()), -1);
  let trackerId = '';
  let caseId = '';

  async function say(
    from: string,
    text: string,
    opts: { chatId?: string; mentions?: { openId: string; name: string }[] } = {},
  ) {
    const sent = await h.emu.sendText(from, text, opts.chatId ? { ...opts, mentionBot: true } : opts);
    expect(sent.status).toBe(200);
    await h.settle();
    return h.emu
      .messages({ chatId: opts.chatId ?? h.emu.p2pChatId(from) })
      .find((m) => m.replyTo === sent.messageId)!;
  }
  async function click(who: string, messageId: string, label: string, form?: Record<string, unknown>) {
    const r = await h.emu.clickButton(who, messageId, label, form);
    expect(r.status).toBe(200);
    await h.settle();
    return r;
  }
  const partyCards = () => h.emu.messages({ chatId: PARTY }).filter((m) => json(m.content).includes('受理'));

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [CLERK, SECRETARY]) h.emu.addUser(u);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: [ADMIN.openId, CLERK.openId, SECRETARY.openId] });
  });
  afterAll(async () => h?.close());

  it('the admin sets up the party chat and the roles in chat', async () => {
    expect(json((await say(ADMIN.openId, '设为党组群', { chatId: PARTY })).content)).toContain('党组群');
    await say(ADMIN.openId, '经办人', { chatId: PARTY, mentions: [CLERK] });
    await say(ADMIN.openId, '党组书记', { chatId: PARTY, mentions: [SECRETARY] });
    expect((await repo().roster()).map((r) => `${r.openId}:${r.role}`).sort()).toEqual(
      [`${CLERK.openId}:clerk`, `${SECRETARY.openId}:secretary`].sort(),
    );
  });

  it('the officer applies step by step and submits; the party chat gets the application', async () => {
    let card = (await say(OFFICER.openId, '申请容错')).messageId;
    const steps: Record<string, unknown>[] = [
      {
        title: '夜间检查时临机暂扣设备',
        occurredOn: `${yesterday} +0800`,
        stage: 'inspection',
        unitId: 'enforcement_1',
      },
      { story: '夜间检查发现设备存在安全隐患，为防止事故临机决定暂扣。' },
      { lossAndImpact: '当事单位停工半天。', majorLoss: 'no', seriousImpact: 'no' },
      { remedies: '次日组织复核并归还设备。' },
      { items10: ['10.4'] },
      { c1: 'yes', c2: 'yes', c3: 'yes' },
      {},
    ];
    for (const form of steps) await click(OFFICER.openId, card, '下一步', form);
    const summary = h.emu.message(card)!;
    expect(json(summary.content)).toContain('建议容错免责');
    const submitted = await click(OFFICER.openId, card, '提交申请');
    expect(submitted.toast?.type).toBe('success');
    const [c] = await repo().casesOfSubject(OFFICER.openId, ['submitted']);
    caseId = c!.id;
    trackerId = h.emu.messages({ openId: OFFICER.openId }).at(-1)!.messageId;
    expect(json(h.emu.message(trackerId)!.content)).toContain(c!.number!);
    expect(partyCards()).toHaveLength(1);
    expect(json(partyCards()[0]!.content)).toContain('第十条第（四）项');
    card = '';
  });

  it('the clerk returns it with a reason: the applicant is told and the tracker is updated in place', async () => {
    const app = partyCards()[0]!.messageId;
    const versions = h.emu.message(trackerId)!.versions.length;
    await click(CLERK.openId, app, '退回补充');
    const empty = await click(CLERK.openId, app, '确认退回', { reason: '' });
    expect(empty.toast?.content).toContain('退回理由');
    expect((await repo().getCase(caseId))?.status).toBe('submitted');
    await click(CLERK.openId, app, '确认退回', { reason: '请补充现场照片。' });
    expect((await repo().getCase(caseId))?.status).toBe('draft');
    const tracker = h.emu.message(trackerId)!;
    expect(tracker.versions.length).toBeGreaterThan(versions);
    expect(json(tracker.content)).toContain('退回');
    const told = h.emu
      .messages({ openId: OFFICER.openId })
      .filter((m) => json(m.content).includes('请补充现场照片'));
    expect(told.length).toBeGreaterThanOrEqual(1);
  });

  it('the officer resumes, resubmits with the same number, and the clerk accepts: the tracker moves again', async () => {
    const notice = h.emu
      .messages({ openId: OFFICER.openId })
      .filter((m) => h.emu.buttons(m.messageId).some((b) => b.text === '继续补充'))
      .at(-1)!;
    const resumed = await click(OFFICER.openId, notice.messageId, '继续补充');
    expect(resumed.toast?.content).toContain('核对并提交');
    // The draft is complete, so resuming opens the summary with what was saved.
    const target = h.emu.messages({ openId: OFFICER.openId }).at(-1)!;
    expect(json(target.content)).toContain('夜间检查时临机暂扣设备');
    const number = (await repo().getCase(caseId))!.number;
    await click(OFFICER.openId, target.messageId, '提交申请');
    expect(await repo().getCase(caseId)).toMatchObject({ status: 'submitted', number });

    const app = partyCards().at(-1)!.messageId;
    const versions = h.emu.message(trackerId)!.versions.length;
    await click(CLERK.openId, app, '受理');
    expect((await repo().getCase(caseId))?.status).toBe('investigating');
    const tracker = h.emu.message(trackerId)!;
    expect(tracker.versions.length).toBeGreaterThan(versions);
    expect(json(tracker.content)).toContain('▶核查');
    // One live tracker per case: the resubmission updated it rather than sending another.
    const trackers = h.emu
      .messages({ openId: OFFICER.openId })
      .filter((m) => json(m.versions[0]).includes('容错认定案件'));
    expect(trackers.map((m) => m.messageId)).toEqual([trackerId]);
  });
});
