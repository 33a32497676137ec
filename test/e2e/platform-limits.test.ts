import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageRefs, outbox } from '../../db/schema';
import { Ctx } from '../../src/bot/context';
import { deliberationRef, trackerRef } from '../../src/bot/intents';
import { liveCards } from '../../src/bot/templates';
import { type Actor, createDraft, decideCase } from '../../src/cases';
import { defaultPolicy } from '../../src/policy';
import { CARD_UPDATE_WINDOW_MS } from '../../src/sandbox/emulator-api';
import { Repo } from '../../src/store/repo';
import { completeFacts } from '../cases/fixtures';
import type { CommandFor } from '../support/decide';
import { findingsFormFor } from '../support/forms';
import { ADMIN, type Harness, OFFICER, startEmulator, startHarness } from '../support/harness';
import { text } from '../support/messages';

const DAY = 86_400_000;
const SEC = { openId: 'ou_sec_li', name: '李书记' };
const PM = [
  { openId: 'ou_pm_wang', name: '王委员' },
  { openId: 'ou_pm_zhao', name: '赵委员' },
  { openId: 'ou_pm_sun', name: '孙委员' },
] as const;
const CLERK = { openId: 'ou_clerk_zhou', name: '周经办' };
const INV = { openId: 'ou_inv_wu', name: '吴核查' };
const PARTY = 'oc_party_group';

/** A case kept open for 30 emulated days: the bot and the platform share the emulator's clock. */
describe('a case open for 30 days lives within Lark’s 14-day card limits', () => {
  let h: Harness;
  let caseId = '';
  let voteCardId = '';

  const repo = () => new Repo(h.rt.store.db);
  const refOf = async (ref: string) =>
    (await h.rt.store.db.select().from(messageRefs).where(eq(messageRefs.ref, ref)))[0];
  const act = (openId: string, cmd: CommandFor) => h.decide(caseId, openId, cmd);

  beforeAll(async () => {
    const emu = await startEmulator();
    h = await startHarness({ emu, node: { clock: () => emu.now() } });
    for (const u of [SEC, ...PM, CLERK, INV]) emu.addUser(u);
    emu.addChat({
      chatId: PARTY,
      name: '党组群',
      members: [OFFICER, SEC, ...PM, CLERK, INV].map((u) => u.openId),
    });
    const now = new Date(emu.now());
    const by = ADMIN.openId;
    await h.rt.store.commit([
      repo().addRole({ ...SEC, role: 'secretary', by, now }),
      ...PM.map((p) => repo().addRole({ ...p, role: 'party_member', by, now })),
      repo().addRole({ ...CLERK, role: 'clerk', by, now }),
      repo().addRole({ ...INV, role: 'investigator', by, now }),
      repo().bindChat({ chatId: PARTY, kind: 'party', by, now }),
    ]);
    // Submitted as the intake leaves it, with the officer's tracker card.
    const env = { now, policy: defaultPolicy, calendar: h.rt.service.bot.calendar };
    const subject: Actor = { ...OFFICER, roles: [] };
    caseId = 'case_thirty_days';
    const draft = createDraft({ type: 'create_draft', caseId }, subject, env);
    if (!draft.ok) throw new Error(draft.reason);
    const facts = decideCase(draft.state, { type: 'update_facts', patch: completeFacts }, subject, env);
    if (!facts.ok) throw new Error(facts.reason);
    const submitted = decideCase(facts.state, { type: 'submit', seq: 1 }, subject, env);
    if (!submitted.ok) throw new Error(submitted.reason);
    await h.rt.store.commit(repo().saveCase(null, submitted.state));
    await h.rt.service.pipeline.runUnit('test', async (fx) => {
      const ctx = new Ctx(fx, new Repo(fx.db), h.rt.service.bot);
      const card = await liveCards.tracker!(ctx, submitted.state);
      fx.send({ openId: OFFICER.openId }, card, trackerRef(caseId));
      // A second destination gets a copy under `<ref>#<n>`, as emitIntents names it.
      fx.send({ openId: CLERK.openId }, card, `${trackerRef(caseId)}#1`);
    });
    // Older refs of cards that are not renewed (application copies) must not crowd the live ones out.
    await h.rt.store.commit(
      Array.from({ length: 120 }, (_, i) =>
        h.rt.store.db.insert(messageRefs).values({
          ref: `application:case_closed_long_ago@u:ou_old_${i}`,
          messageId: `om_old_${i}`,
          updatedAt: now.getTime() - DAY,
          chatId: `oc_old_${i}`,
        }),
      ),
    );
    await h.settle();
    await act(CLERK.openId, () => ({ type: 'accept' }));
    await act(CLERK.openId, async (ctx) => ({
      type: 'assign_investigator',
      investigator: await ctx.actor(INV.openId),
    }));
    const number = (await repo().getCase(caseId))!.number!;
    const form = emu.messages({ openId: INV.openId }).find((m) => text(m).includes('提交核查意见'))!;
    await emu.clickButton(INV.openId, form.messageId, '提交核查意见', findingsFormFor('情况属实。'));
    await h.settle();
    const ask = emu.messages({ openId: SEC.openId }).find((m) => text(m).includes('发起表决'))!;
    await emu.clickButton(SEC.openId, ask.messageId, '发起表决');
    await h.settle();
    voteCardId = emu
      .messages({ chatId: PARTY })
      .find((m) => text(m).includes(number) && text(m).includes('第 1 轮'))!.messageId;
  }, 60_000);
  afterAll(async () => h?.close());

  it('30 days later the tracker and the vote card still work, and no admin was alerted', async () => {
    const firstTracker = (await refOf(trackerRef(caseId)))!.messageId;
    const firstCopy = (await refOf(`${trackerRef(caseId)}#1`))!.messageId;
    for (let day = 1; day <= 30; day++) {
      h.emu.advanceClock(DAY);
      await h.rt.service.tick(new Date(h.emu.now()));
      await h.settle();
    }
    const now = h.emu.now();

    // The tracker and the open round's vote card were sent afresh; the old ones say where they went.
    const tracker = (await refOf(trackerRef(caseId)))!;
    const vote = (await refOf(deliberationRef(caseId, 1)))!;
    for (const ref of [tracker, vote]) {
      const m = h.emu.message(ref.messageId)!;
      expect(now - m.createdAt).toBeLessThan(CARD_UPDATE_WINDOW_MS);
    }
    expect(tracker.messageId).not.toBe(firstTracker);
    expect(text(h.emu.message(firstTracker))).toContain('此卡片已重新发送');
    expect(text(h.emu.message(voteCardId))).toContain('此卡片已重新发送');
    // The copy is renewed too, in the chat it went to.
    const copy = (await refOf(`${trackerRef(caseId)}#1`))!;
    expect(copy.messageId).not.toBe(firstCopy);
    expect(now - h.emu.message(copy.messageId)!.createdAt).toBeLessThan(CARD_UPDATE_WINDOW_MS);
    expect(text(h.emu.message(firstCopy))).toContain('此卡片已重新发送');

    // The newest vote card takes a vote, and the update reaches it.
    const fresh = h.emu.message(vote.messageId)!;
    const voted = await h.emu.clickButton(PM[0].openId, fresh.messageId, '免责', {});
    expect(voted.delivered).toBe(true);
    expect(voted.toast?.type).toBe('success');
    // The tracker can still be updated.
    await h.rt.service.pipeline.runUnit('test', async (fx) => {
      const ctx = new Ctx(fx, new Repo(fx.db), h.rt.service.bot);
      fx.patch({ ref: trackerRef(caseId) }, await liveCards.tracker!(ctx, (await ctx.repo.getCase(caseId))!));
    });
    await h.settle();
    expect(h.emu.message(tracker.messageId)!.versions.length).toBeGreaterThan(1);

    // Nothing failed, and the admins heard of no failure.
    const failed = await h.rt.store.db.select().from(outbox).where(eq(outbox.status, 'failed'));
    expect(failed.map((r) => r.lastError)).toEqual([]);
    expect(h.emu.messages({ openId: ADMIN.openId }).filter((m) => text(m).includes('未能送达'))).toEqual([]);
  }, 240_000);
});

/** A 待办 list is not renewed ahead of time: a change that finds it past 14 days sends it afresh instead. */
describe('a list past Lark’s 14-day update window', () => {
  let h: Harness;
  const repo = () => new Repo(h.rt.store.db);

  beforeAll(async () => {
    const emu = await startEmulator();
    h = await startHarness({ emu, node: { clock: () => emu.now() } });
    emu.addUser(CLERK);
    emu.addUser(INV);
    const now = new Date(emu.now());
    await h.rt.store.commit([
      repo().addRole({ ...CLERK, role: 'clerk', by: ADMIN.openId, now }),
      repo().addRole({ ...INV, role: 'investigator', by: ADMIN.openId, now }),
    ]);
    const env = { now, policy: defaultPolicy, calendar: h.rt.service.bot.calendar };
    const subject: Actor = { ...OFFICER, roles: [] };
    const draft = createDraft({ type: 'create_draft', caseId: 'case_old_list' }, subject, env);
    if (!draft.ok) throw new Error(draft.reason);
    const facts = decideCase(draft.state, { type: 'update_facts', patch: completeFacts }, subject, env);
    if (!facts.ok) throw new Error(facts.reason);
    const submitted = decideCase(facts.state, { type: 'submit', seq: 1 }, subject, env);
    if (!submitted.ok) throw new Error(submitted.reason);
    await h.rt.store.commit(repo().saveCase(null, submitted.state));
  });
  afterAll(async () => h?.close());

  it('the clerk’s 待办 comes again, current and clickable, when the case moves after 15 days', async () => {
    await h.emu.sendText(CLERK.openId, '待办');
    await h.settle();
    const old = h.emu.messages({ openId: CLERK.openId }).at(-1)!;
    expect(text(old)).toContain('待受理的申请');
    h.emu.advanceClock(15 * DAY);
    // The platform no longer delivers a click on it.
    const dead = await h.emu.clickButton(CLERK.openId, old.messageId, '打开');
    expect(dead.delivered).toBe(false);

    await h.decide('case_old_list', CLERK.openId, () => ({ type: 'accept' }));
    await h.settle();
    // The platform refuses the update (230031): the update, the list as it now stands, is sent afresh.
    const refused = (await h.rt.store.db.select().from(outbox)).filter(
      (r) => r.op === 'patch' && r.targetRef === `list:todo:${CLERK.openId}`,
    );
    expect(refused.map((r) => [r.status, r.lastError])).toEqual([['failed', 'permanent:230031']]);
    expect(h.emu.messages({ openId: ADMIN.openId }).filter((m) => text(m).includes('未能送达'))).toEqual([]);
    const fresh = h.emu.messages({ openId: CLERK.openId }).at(-1)!;
    expect(fresh.messageId).not.toBe(old.messageId);
    expect(text(fresh)).toContain('待指派核查人员');
    expect(text(fresh)).not.toContain('待受理的申请');
    const opened = await h.emu.clickButton(CLERK.openId, fresh.messageId, '打开');
    expect(opened.delivered).toBe(true);
    expect(opened.toast?.type).toBe('success');
    // Once sent again, it is the list kept current: the next change updates it in place.
    await h.decide('case_old_list', CLERK.openId, async (ctx) => ({
      type: 'assign_investigator',
      investigator: await ctx.actor(INV.openId),
    }));
    await h.settle();
    const lists = h.emu.messages({ openId: CLERK.openId }).filter((m) => text(m).includes('待办事项'));
    expect(lists.map((m) => m.messageId)).toEqual([old.messageId, fresh.messageId]);
    await h.emu.waitFor(() => text(h.emu.message(fresh.messageId)).includes('目前没有需要你处理的事项'));
    expect(text(h.emu.message(fresh.messageId))).not.toContain('待指派核查人员');
  });
});
