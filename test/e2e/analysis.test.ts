import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox } from '../../db/schema';
import { addCalendarDays, businessDate } from '../../src/calendar';
import type { Case, CaseCommand } from '../../src/cases/types';
import { Repo } from '../../src/store/repo';
import { carriedCase, determinationCommand, envAt, run, secretary, withFindings } from '../cases/fixtures';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';

const PM = { openId: 'ou_stats_pm', name: '王委员' };
const SEC = { openId: 'ou_stats_sec', name: '李书记' };
const CLERK = { openId: 'ou_stats_clerk', name: '周经办' };
const PARTY = 'oc_stats_party';
const OTHER = 'oc_stats_other';

type Chart = {
  tag: string;
  chart_spec?: { type: string; data: { values: { name: string; kind: string; count: number }[] } };
};
const text = (c: unknown) => JSON.stringify(c);
const charts = (c: unknown) =>
  ((c as { body: { elements: Chart[] } }).body.elements ?? []).filter((e) => e.tag === 'chart');

describe('统计 for party members only', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    for (const u of [PM, SEC, CLERK]) h.emu.addUser(u);
    const everyone = [PM, SEC, CLERK, OFFICER, ADMIN].map((u) => u.openId);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: everyone });
    h.emu.addChat({ chatId: OTHER, name: '工作群', members: everyone });
    // Cases decided this year, happened ten days ago: one exempt, one held liable, one still being looked into.
    const e = envAt(new Date());
    const today = businessDate(e.now);
    const det = (outcome: 'exempt' | 'lighter'): CaseCommand => ({
      ...determinationCommand,
      outcome,
      // 从轻 rests on a 第十一条 item (the findings' 第十条 item meets all three conditions).
      ...(outcome === 'lighter' ? { citedItems: ['11.1'] } : {}),
      correction: { ...determinationCommand.correction!, deadline: addCalendarDays(today, 30) },
    });
    const variant = (c: Case, n: number): Case => ({
      ...c,
      id: `case-stats-${n}`,
      number: `容错〔1999〕${n}号`,
      year: 1999,
      seq: n,
      facts: { ...c.facts, occurredOn: addCalendarDays(today, -10) },
    });
    const cases = [
      variant(run(carriedCase('exempt', e), det('exempt'), secretary, e), 1),
      variant(run(carriedCase('lighter', e), det('lighter'), secretary, e), 2),
      variant(withFindings(e), 3),
    ];
    const repo = new Repo(h.rt.store.db);
    const by = ADMIN.openId;
    const now = new Date();
    await h.rt.store.commit([
      repo.addRole({ ...PM, role: 'party_member', by, now }),
      repo.addRole({ ...SEC, role: 'secretary', by, now }),
      repo.addRole({ ...CLERK, role: 'clerk', by, now }),
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      ...cases.flatMap((c) => repo.saveCase(null, c)),
    ]);
  });
  afterAll(async () => h?.close());

  async function say(from: string, words: string, chatId?: string) {
    const sent = await h.emu.sendText(from, words, chatId ? { chatId, mentionBot: true } : {});
    expect(sent.status).toBe(200);
    await h.settle();
    const reply = h.emu
      .messages({ chatId: chatId ?? h.emu.p2pChatId(from) })
      .find((m) => m.replyTo === sent.messageId);
    if (!reply) throw new Error(`no reply to ${words}`);
    const [row] = await h.rt.store.db.select().from(inbox).where(eq(inbox.eventId, sent.eventId));
    return { reply, outcome: row?.outcome };
  }

  it('a party member gets the figures, exempt cases apart from errors, and the bar charts', async () => {
    const { reply, outcome } = await say(PM.openId, '统计');
    expect(outcome).toBe('stats:shown');
    const t = text(reply.content);
    expect(t).toContain('容错纠错统计');
    expect(t).toContain('核查中 1');
    expect(t).toContain('纠错中 2');
    expect(t).toContain('不作为执法错误认定（第十四条，适用于「免责」）：**1 件**');
    expect(t).toContain('认定为执法过错：**1 件**');
    expect(t).toContain('尽职免责 0、容错免责 1、从轻 1、减轻 0、不予容错 0');
    expect(t).toContain('错误类别「程序不规范」3 件');
    const [byCategory, byArea] = charts(reply.content);
    expect(byCategory?.chart_spec?.type).toBe('bar');
    expect(byCategory?.chart_spec?.data.values.map((v) => [v.name, v.count])).toEqual([
      ['程序不规范', 1],
      ['程序不规范', 1],
      ['程序不规范', 1],
    ]);
    expect(byArea?.chart_spec?.data.values[0]?.name).toBe('人防工程维护管理');
  });

  it('the secretary too, also from the help card button; in the party group the answer stays there', async () => {
    expect((await say(SEC.openId, '查看统计')).outcome).toBe('stats:shown');
    const help = await say(SEC.openId, '帮助');
    const before = h.emu.messages({ openId: SEC.openId }).length;
    const clicked = await h.emu.clickButton(SEC.openId, help.reply.messageId, '统计');
    expect(clicked.toast?.content).toBe('已在私聊中回复');
    await h.settle();
    const dms = h.emu.messages({ openId: SEC.openId });
    expect(dms).toHaveLength(before + 1);
    expect(charts(dms.at(-1)!.content)).toHaveLength(2);
    const { reply } = await say(PM.openId, '统计', PARTY);
    expect(reply.chatId).toBe(PARTY);
    expect(charts(reply.content)).toHaveLength(2);
  });

  it('in any other group the figures go to a direct chat', async () => {
    const before = h.emu.messages({ openId: PM.openId }).length;
    const { reply } = await say(PM.openId, '统计', OTHER);
    expect(text(reply.content)).toContain('已发到与你的私聊中');
    expect(charts(reply.content)).toHaveLength(0);
    const dms = h.emu.messages({ openId: PM.openId });
    expect(dms).toHaveLength(before + 1);
    expect(charts(dms.at(-1)!.content)).toHaveLength(2);
  });

  it('an officer, a clerk and an admin-only user are refused with the reason', async () => {
    for (const who of [OFFICER.openId, CLERK.openId]) {
      const { reply, outcome } = await say(who, '统计');
      expect(outcome).toBe('stats:refused');
      expect(text(reply.content)).toContain('只向党组成员和党组书记提供');
      expect(charts(reply.content)).toHaveLength(0);
      expect(text(reply.content)).not.toContain('容错〔1999〕');
    }
    const admin = await say(ADMIN.openId, '统计');
    expect(admin.outcome).toBe('stats:refused');
    expect(text(admin.reply.content)).toContain('管理员只负责配置，按职责分离不查看案件内容');
    expect(charts(admin.reply.content)).toHaveLength(0);
  });

  it('刷新 on the card: refused for an officer, fresh figures for a party member', async () => {
    const { reply } = await say(PM.openId, '统计', PARTY);
    const refused = await h.emu.clickButton(OFFICER.openId, reply.messageId, '刷新');
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toContain('只向党组成员和党组书记提供');
    expect(refused.card).toBeUndefined();
    const ok = await h.emu.clickButton(PM.openId, reply.messageId, '刷新');
    expect(ok.toast?.type).toBe('success');
    expect(charts(ok.card)).toHaveLength(2);
  });
});
