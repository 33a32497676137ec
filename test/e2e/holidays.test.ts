import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, inbox } from '../../db/schema';
import { readExtraDays } from '../../src/bot/calendar-data';
import { parseHolidayCommand, planHolidayChange } from '../../src/bot/handlers/holidays';
import { normalizeCommand } from '../../src/bot/text';
import {
  addCalendarDays,
  type BusinessCalendar,
  businessDate,
  createCalendar,
  weekdayOf,
} from '../../src/calendar';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';

const parse = (typed: string) => parseHolidayCommand(normalizeCommand(typed));

describe('holiday commands: reading and checking (pure)', () => {
  it('reads ranges, lists of dates, names and the other spellings of a date', () => {
    expect(parse('节假日 2027-01-01 至 2027-01-03 元旦')).toEqual({
      kind: 'add',
      dayKind: 'holiday',
      ranges: [{ from: '2027-01-01', to: '2027-01-03' }],
      name: '元旦',
    });
    expect(parse('放假 2027年2月10日到2027年2月16日 春节')).toMatchObject({
      ranges: [{ from: '2027-02-10', to: '2027-02-16' }],
      name: '春节',
    });
    expect(parse('调休上班 2027-02-07、2027/2/20 春节调休')).toEqual({
      kind: 'add',
      dayKind: 'workday',
      ranges: [
        { from: '2027-02-07', to: '2027-02-07' },
        { from: '2027-02-20', to: '2027-02-20' },
      ],
      name: '春节调休',
    });
    expect(parse('节假日２０２７－０１－０１')).toMatchObject({
      ranges: [{ from: '2027-01-01', to: '2027-01-01' }],
      name: '',
    });
    expect(parse('查看节假日 2027')).toEqual({ kind: 'list', year: 2027 });
    expect(parse('查看节假日')).toEqual({ kind: 'list', year: null });
    expect(parse('删除节假日 2027-01-01 至 2027-01-02')).toEqual({
      kind: 'remove',
      ranges: [{ from: '2027-01-01', to: '2027-01-02' }],
    });
    expect(parse('节假日 2027')).toMatchObject({ kind: 'usage', what: 'add' });
    expect(parse('节假日 2027-1 元旦')).toMatchObject({ kind: 'usage' });
    expect(parse('我的案件')).toBeNull();
    expect(parse('统计')).toBeNull();
  });

  const cal = createCalendar();
  const plan = (
    typed: string,
    today = '2026-11-28',
    stored = [] as Parameters<typeof planHolidayChange>[1],
  ) => {
    const cmd = parse(typed);
    if (!cmd || (cmd.kind !== 'add' && cmd.kind !== 'remove')) throw new Error(`not a change: ${typed}`);
    return planHolidayChange(cmd, stored, today, cal);
  };
  const reasons = (p: ReturnType<typeof plan>) => (p.ok ? [] : p.reasons).join('\n');

  it('refuses bad dates, backwards and over-long ranges, past dates and needless make-up days', () => {
    expect(reasons(plan('节假日 2027-02-30'))).toContain('日期「2027-02-30」不存在');
    expect(reasons(plan('节假日 2027-01-03 至 2027-01-01'))).toContain('结束日期早于开始日期');
    expect(reasons(plan('节假日 2027-01-01 至 2027-01-16'))).toContain('共 16 天，一次最多 15 天');
    expect(plan('节假日 2027-01-01 至 2027-01-15').ok).toBe(true);
    expect(reasons(plan('节假日 2026-11-27'))).toContain('「2026-11-27」已经过去');
    expect(plan('节假日 2026-11-28').ok).toBe(true);
    expect(reasons(plan('节假日 2029-01-01'))).toContain('最远可设置到 2028 年');
    expect(reasons(plan('调休上班 2027-02-10'))).toContain('「2027-02-10」（星期三）本来就是工作日');
    expect(reasons(plan(`节假日 2027-01-01 ${'很'.repeat(21)}`))).toContain('太长');
    expect(reasons(plan('删除节假日 2027-01-01'))).toContain('不是管理员添加的');
  });

  it('replacing a day of the other kind is reported; the same day again changes nothing', () => {
    const stored = [{ date: '2027-02-07', kind: 'workday' as const, name: '春节调休' }];
    const r = plan('节假日 2027-02-07 春节', '2026-11-28', stored);
    expect(r).toMatchObject({ ok: true, replaced: stored, unchanged: false, year: 2027 });
    expect(plan('调休上班 2027-02-07 春节调休', '2026-11-28', stored)).toMatchObject({
      ok: true,
      unchanged: true,
    });
  });
});

describe('admins keep the holiday calendar by chat', () => {
  let h: Harness;
  const GROUP = 'oc_holiday_admin_group';
  const today = businessDate(new Date());
  const Y = Number(today.slice(0, 4)) + 1;
  let cal: BusinessCalendar;
  /** Wednesday to Friday in April of next year, working days today, after a working Tuesday. */
  let D = '';
  /** A Sunday in February of next year. */
  let W = '';

  beforeAll(async () => {
    h = await startHarness();
    h.emu.addChat({ chatId: GROUP, name: '办公室', members: [ADMIN.openId, OFFICER.openId] });
    cal = h.rt.service.bot.calendar;
    for (let d = `${Y}-04-01`; !D; d = addCalendarDays(d, 1)) {
      const run = [-1, 0, 1, 2].map((k) => addCalendarDays(d, k));
      if (weekdayOf(d) === 3 && run.every((x) => cal.isWorkingDay(x))) D = d;
    }
    for (let d = `${Y}-02-01`; !W; d = addCalendarDays(d, 1))
      if (weekdayOf(d) === 0 && !cal.isWorkingDay(d)) W = d;
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
    return { reply, text: JSON.stringify(reply.content), outcome: row?.outcome };
  }
  const stored = () => readExtraDays(h.rt.store.db);
  const calendarAudit = () =>
    h.rt.store.db.select().from(audit).where(like(audit.action, 'calendar.%')).orderBy(audit.id);

  it("a non-admin's holiday commands are refused and change nothing", async () => {
    for (const words of [
      `节假日 ${D} 至 ${addCalendarDays(D, 2)} 清明节`,
      `调休上班 ${W}`,
      `删除节假日 ${D}`,
      `查看节假日 ${Y}`,
    ]) {
      const r = await say(OFFICER.openId, words);
      expect(r.outcome).toBe('holidays:refused:not-admin');
      expect(r.text).toContain('只有**管理员**可以查看和修改');
    }
    const inGroup = await say(OFFICER.openId, `节假日 ${D}`, GROUP);
    expect(inGroup.outcome).toBe('holidays:refused:not-admin');
    expect(await stored()).toEqual({ days: [], version: 0 });
    expect(await calendarAudit()).toHaveLength(0);
    expect(cal.addDays(addCalendarDays(D, -1), 1, 'working')).toBe(D);
  });

  it('an admin adds next year’s holidays and make-up day; deadlines computed afterwards skip them', async () => {
    const newYear = await say(ADMIN.openId, `节假日 ${Y}-01-01 至 ${Y}-01-03 元旦`);
    expect(newYear.outcome).toBe('holidays:add');
    expect(newYear.text).toContain('已添加 3 天');
    expect(newYear.text).toContain(`节假日数据现截至 **${Y}-12-31**`);
    expect(newYear.text).toContain(`${Y} 年尚未看到：春节、清明节`);

    const spring = await say(ADMIN.openId, `节假日 ${D} 至 ${addCalendarDays(D, 2)} 清明节`, GROUP);
    expect(spring.outcome).toBe('holidays:add');
    expect(spring.reply.chatId).toBe(GROUP);
    const makeUp = await say(ADMIN.openId, `调休上班 ${W} 春节调休`);
    expect(makeUp.outcome).toBe('holidays:add');
    const again = await say(ADMIN.openId, `调休上班 ${W} 春节调休`);
    expect(again.outcome).toBe('holidays:unchanged');
    expect(again.text).toContain('没有做任何更改');

    // Any later event (or tick) brings the running service's calendar up to date.
    const list = await say(ADMIN.openId, `查看节假日 ${Y}`);
    expect(list.text).toContain(`放假 ${Y}-01-01 至 ${Y}-01-03（3 天） 元旦`);
    expect(list.text).toContain(`调休上班 ${W} 春节调休`);
    const expected = createCalendar((await stored()).days).addDays(addCalendarDays(D, -1), 1, 'working');
    expect(expected > addCalendarDays(D, 2)).toBe(true);
    expect(cal.addDays(addCalendarDays(D, -1), 1, 'working')).toBe(expected);
    expect(cal.isWorkingDay(`${Y}-01-01`)).toBe(false);
    expect(cal.isWorkingDay(W)).toBe(true);
    expect(cal.dayName(W)).toBe('春节调休');
    expect(cal.dataEndsOn()).toBe(`${Y}-12-31`);
    expect(cal.addDays(`${Y - 1}-12-31`, 1, 'working') > `${Y}-01-03`).toBe(true);

    const rows = await calendarAudit();
    expect(rows.map((r) => [r.action, r.actor])).toEqual([
      ['calendar.days_added', ADMIN.openId],
      ['calendar.days_added', ADMIN.openId],
      ['calendar.days_added', ADMIN.openId],
    ]);
    expect(JSON.parse(rows[2]!.after!)).toEqual([{ date: W, kind: 'workday', name: '春节调休' }]);
  });

  it('bad input is refused with the reason and changes nothing', async () => {
    const before = await stored();
    const auditBefore = (await calendarAudit()).length;
    const cases: [string, string][] = [
      [`节假日 ${Y}-02-30`, `日期「${Y}-02-30」不存在`],
      [`节假日 ${Y}-05-01 至 ${Y}-05-20 劳动节`, '一次最多 15 天'],
      [`节假日 ${Y}-05-03 至 ${Y}-05-01`, '结束日期早于开始日期'],
      [`节假日 ${addCalendarDays(today, -10)}`, '已经过去'],
      [`调休上班 ${addCalendarDays(D, 7)}`, '本来就是工作日'],
      [`节假日 ${Y}`, '没有看懂日期'],
      [`删除节假日 ${Y}-06-01`, '不是管理员添加的'],
    ];
    for (const [words, why] of cases) {
      const r = await say(ADMIN.openId, words);
      expect(r.outcome, words).toMatch(/^holidays:refused:/);
      expect(r.text, words).toContain(why);
      expect(r.text).toContain('本次没有做任何更改');
      expect(r.text).toContain(`节假日 ${Y}-01-01 至 ${Y}-01-03 元旦`);
    }
    expect(await stored()).toEqual(before);
    expect(await calendarAudit()).toHaveLength(auditBefore);
  });

  it('an admin deletes a day typed by mistake; the calendar follows', async () => {
    const last = addCalendarDays(D, 2);
    const r = await say(ADMIN.openId, `删除节假日 ${last}`);
    expect(r.outcome).toBe('holidays:remove');
    expect(r.text).toContain('已删除 1 天');
    await say(ADMIN.openId, `查看节假日 ${Y}`);
    expect(cal.isWorkingDay(last)).toBe(true);
    expect(cal.isWorkingDay(D)).toBe(false);
    expect((await stored()).days.map((d) => d.date)).not.toContain(last);
    expect((await calendarAudit()).at(-1)).toMatchObject({
      action: 'calendar.days_removed',
      actor: ADMIN.openId,
    });
  });

  it('the list button on the change card sends the year to the admin', async () => {
    const r = await say(ADMIN.openId, `节假日 ${Y}-10-01 至 ${Y}-10-07 国庆节`);
    const before = h.emu.messages({ openId: ADMIN.openId }).length;
    const clicked = await h.emu.clickButton(ADMIN.openId, r.reply.messageId, `查看 ${Y} 年节假日`);
    expect(clicked.toast?.content).toBe(`已在私聊中发送 ${Y} 年节假日安排`);
    await h.settle();
    const dms = h.emu.messages({ openId: ADMIN.openId });
    expect(dms).toHaveLength(before + 1);
    expect(JSON.stringify(dms.at(-1)!.content)).toContain(`放假 ${Y}-10-01 至 ${Y}-10-07（7 天） 国庆节`);
  });
});
