import { z } from 'zod';
import {
  type HolidayDay,
  holidayChangedCard,
  holidayListCard,
  holidayRefusalCard,
  missingFestivals,
} from '../../../cards/holidays';
import {
  addCalendarDays,
  type BusinessCalendar,
  businessDate,
  calendarDaysBetween,
  createCalendar,
  isIsoDate,
  libraryDataYears,
  weekdayOf,
} from '../../calendar';
import { EXTRA_DAYS_KEY, readExtraDays, writeExtraDays } from '../calendar-data';
import type { Ctx } from '../context';
import { answer, type Feature, type Said } from './types';

// ───────────────────────────── reading the commands ─────────────────────────────

/** A date as typed, not yet checked: `2027-02-30` parses here and is refused later with its own words. */
export type TypedRange = { from: string; to: string };

export type HolidayCommand =
  | { kind: 'add'; dayKind: HolidayDay['kind']; ranges: TypedRange[]; name: string }
  | { kind: 'remove'; ranges: TypedRange[] }
  | { kind: 'list'; year: number | null }
  | { kind: 'usage'; what: 'add' | 'workday' | 'remove'; problem: string };

/** The most days one range may span: the longest statutory holiday is 8 days; 15 catches typos. */
export const MAX_RANGE_DAYS = 15;

const ADD_HOLIDAY = /^(?:添加|增加|设置|设为)?(?:法定节假日|节假日|放假)(.*)$/;
const ADD_WORKDAY = /^(?:添加|增加|设置|设为)?(?:调休上班日|调休上班|调休|补班)(.*)$/;
const REMOVE = /^(?:删除|移除|取消)(?:法定节假日|节假日|放假|调休上班日|调休上班|调休|补班)(.*)$/;
const LIST =
  /^(?:查看|查询|列出)(?:法定节假日|节假日安排|节假日|放假安排|调休)(.*)$|^节假日(?:安排|列表)(.*)$/;
const DATE = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?/;
const RANGE_SEP = /^(?:至|到|~|-|—|–)/;
const LIST_SEP = /^[、,;，；和及]+/;

const pad = (s: string) => s.padStart(2, '0');

/** Dates and ranges from the start of `rest`, then whatever follows as the name. */
function readDates(rest: string): { ranges: TypedRange[]; name: string } {
  const ranges: TypedRange[] = [];
  let s = rest;
  for (let guard = 0; guard < 50; guard++) {
    const m = DATE.exec(s);
    if (!m) break;
    const from = `${m[1]}-${pad(m[2] ?? '')}-${pad(m[3] ?? '')}`;
    s = s.slice(m[0].length);
    let to = from;
    const sep = RANGE_SEP.exec(s);
    const second = sep ? DATE.exec(s.slice(sep[0].length)) : null;
    if (sep && second) {
      to = `${second[1]}-${pad(second[2] ?? '')}-${pad(second[3] ?? '')}`;
      s = s.slice(sep[0].length + second[0].length);
    }
    ranges.push({ from, to });
    const listSep = LIST_SEP.exec(s);
    if (listSep && DATE.test(s.slice(listSep[0].length))) s = s.slice(listSep[0].length);
  }
  return { ranges, name: s.replace(LIST_SEP, '').replace(/^[:：]/, '') };
}

/** Reads a holiday command from normalised words (see `normalizeCommand`); anything else is not ours. */
export function parseHolidayCommand(words: string): HolidayCommand | null {
  const list = LIST.exec(words);
  if (list) {
    const rest = list[1] ?? list[2] ?? '';
    const year = /^(\d{4})年?$/.exec(rest);
    if (rest === '') return { kind: 'list', year: null };
    if (year) return { kind: 'list', year: Number(year[1]) };
    return null;
  }
  const remove = REMOVE.exec(words);
  if (remove) {
    const { ranges, name } = readDates(remove[1] ?? '');
    if (ranges.length === 0)
      return {
        kind: 'usage',
        what: 'remove',
        problem: '没有看懂要删除的日期，日期请写成 2027-01-01 的形式。',
      };
    if (/\d/.test(name)) return { kind: 'usage', what: 'remove', problem: `没有看懂「${name}」。` };
    return { kind: 'remove', ranges };
  }
  for (const [re, dayKind] of [
    [ADD_WORKDAY, 'workday'],
    [ADD_HOLIDAY, 'holiday'],
  ] as const) {
    const m = re.exec(words);
    if (!m) continue;
    const what = dayKind === 'holiday' ? 'add' : 'workday';
    const { ranges, name } = readDates(m[1] ?? '');
    if (ranges.length === 0)
      return { kind: 'usage', what, problem: '没有看懂日期，日期请写成 2027-01-01 的形式。' };
    if (/\d/.test(name))
      return {
        kind: 'usage',
        what,
        problem: `没有看懂「${name}」：日期请写成 2027-01-01，一段假期写成「2027-01-01 至 2027-01-03」。`,
      };
    return { kind: 'add', dayKind, ranges, name };
  }
  return null;
}

// ───────────────────────────── deciding ─────────────────────────────

export type HolidayPlan =
  | {
      ok: true;
      days: HolidayDay[];
      replaced: HolidayDay[];
      notFound: string[];
      unchanged: boolean;
      year: number;
    }
  | { ok: false; reasons: string[] };

const WEEKDAY = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];
const NAME_MAX = 20;

/** Every date of the typed ranges, or the reasons they cannot be used. */
function expand(ranges: TypedRange[], today: string): { dates: string[] } | { reasons: string[] } {
  const reasons: string[] = [];
  const dates: string[] = [];
  const lastYear = Number(today.slice(0, 4)) + 2;
  for (const r of ranges) {
    const bad = [...new Set([r.from, r.to])].filter((d) => !isIsoDate(d));
    if (bad.length) {
      reasons.push(...bad.map((d) => `日期「${d}」不存在，请核对后重新发送。`));
      continue;
    }
    const span = calendarDaysBetween(r.from, r.to) + 1;
    if (span < 1) {
      reasons.push(`「${r.from} 至 ${r.to}」的结束日期早于开始日期。`);
      continue;
    }
    if (span > MAX_RANGE_DAYS) {
      reasons.push(
        `「${r.from} 至 ${r.to}」共 ${span} 天，一次最多 ${MAX_RANGE_DAYS} 天。法定假期最长不超过 8 天，请核对日期，或分段发送。`,
      );
      continue;
    }
    if (r.from < today) {
      reasons.push(
        `「${r.from}」已经过去。过去的日期不能修改，否则已经算好的期限和提醒会随之改变；只能设置今天（${today}）及以后的日期。`,
      );
      continue;
    }
    if (Number(r.to.slice(0, 4)) > lastYear) {
      reasons.push(`「${r.to}」太远了：国务院每年只公布下一年的安排，最远可设置到 ${lastYear} 年。`);
      continue;
    }
    for (let d = r.from; d <= r.to; d = addCalendarDays(d, 1)) dates.push(d);
  }
  return reasons.length ? { reasons } : { dates: [...new Set(dates)].sort() };
}

/**
 * What adding or removing days does to the stored list, or why it cannot (bad dates, backwards or over-long
 * ranges, past dates, a make-up working day on a day that already is one). Pure: today and calendar are given.
 */
export function planHolidayChange(
  cmd: Extract<HolidayCommand, { kind: 'add' | 'remove' }>,
  stored: HolidayDay[],
  today: string,
  cal: BusinessCalendar,
): HolidayPlan {
  const e = expand(cmd.ranges, today);
  if ('reasons' in e) return { ok: false, reasons: e.reasons };
  const year = Number((e.dates[0] ?? today).slice(0, 4));
  const byDate = new Map(stored.map((d) => [d.date, d]));
  if (cmd.kind === 'remove') {
    const days = e.dates.flatMap((d) => byDate.get(d) ?? []);
    const notFound = e.dates.filter((d) => !byDate.has(d));
    if (days.length === 0) {
      return {
        ok: false,
        reasons: [
          `${e.dates.length === 1 ? `「${e.dates[0]}」` : '这些日期'}不是管理员添加的，无需删除。系统内置的节假日数据不能删除；如需更正，请直接用「节假日」或「调休上班」重新设置该日期。`,
        ],
      };
    }
    return { ok: true, days, replaced: [], notFound, unchanged: false, year };
  }
  if (cmd.name.length > NAME_MAX)
    return {
      ok: false,
      reasons: [`名称「${cmd.name}」太长，请控制在 ${NAME_MAX} 个字以内，例如「春节」「国庆节调休」。`],
    };
  if (cmd.dayKind === 'workday') {
    const already = e.dates.filter((d) => cal.isWorkingDay(d) && !byDate.has(d));
    if (already.length) {
      return {
        ok: false,
        reasons: already.map(
          (d) =>
            `「${d}」（${WEEKDAY[weekdayOf(d)]}）本来就是工作日，无需设为调休上班。调休上班日通常是周六或周日，请按通知核对。`,
        ),
      };
    }
  }
  const name = cmd.name || undefined;
  const days: HolidayDay[] = e.dates.map((date) => ({ date, kind: cmd.dayKind, ...(name ? { name } : {}) }));
  const replaced = days.flatMap((d) => {
    const was = byDate.get(d.date);
    return was && was.kind !== d.kind ? [was] : [];
  });
  const unchanged = days.every((d) => {
    const was = byDate.get(d.date);
    return was && was.kind === d.kind && (was.name ?? '') === (d.name ?? '');
  });
  return { ok: true, days, replaced, notFound: [], unchanged, year };
}

// ───────────────────────────── handling ─────────────────────────────

const TITLE: Record<HolidayCommand['kind'], string> = {
  add: '设置节假日',
  remove: '删除节假日',
  list: '查看节假日',
  usage: '设置节假日',
};

const USAGE_TITLE: Record<Extract<HolidayCommand, { kind: 'usage' }>['what'], string> = {
  add: '设置节假日',
  workday: '设置调休上班日',
  remove: '删除节假日',
};

/** The year admins most likely work on (shown by 查看节假日 and in examples): the one they extended the data to, else the one missing. */
function defaultListYear(ctx: Ctx): number {
  const end = Number(ctx.env.calendar.dataEndsOn().slice(0, 4));
  return end > libraryDataYears().last ? end : end + 1;
}

/** The calendar as it will be once these stored days are written (the live one syncs on the next event). */
function calendarWith(ctx: Ctx, days: HolidayDay[]): BusinessCalendar {
  const merged = new Map(ctx.env.policy.calendar.extraDays.map((d) => [d.date, d]));
  for (const d of days) merged.set(d.date, d);
  return createCalendar([...merged.values()]);
}

function refuse(ctx: Ctx, said: Said, outcome: string, title: string, reasons: string[], usageYear?: number) {
  ctx.fx.outcome = `holidays:refused:${outcome}`;
  answer(ctx, said, holidayRefusalCard(title, reasons, usageYear));
  return true;
}

async function listCard(ctx: Ctx, year: number) {
  const stored = await readExtraDays(ctx.fx.db);
  const days = stored.days.filter((d) => d.date.startsWith(`${year}-`));
  const lib = libraryDataYears();
  return holidayListCard({
    year,
    days,
    builtIn: year >= lib.first && year <= lib.last,
    dataEndsOn: ctx.env.calendar.dataEndsOn(),
  });
}

async function change(ctx: Ctx, said: Said, cmd: Extract<HolidayCommand, { kind: 'add' | 'remove' }>) {
  const title = TITLE[cmd.kind];
  const stored = await readExtraDays(ctx.fx.db);
  const today = businessDate(ctx.now);
  const plan = planHolidayChange(cmd, stored.days, today, ctx.env.calendar);
  if (!plan.ok) return refuse(ctx, said, 'invalid', title, plan.reasons, defaultListYear(ctx));
  const touched = new Set(plan.days.map((d) => d.date));
  const before = stored.days.filter((d) => touched.has(d.date));
  const after =
    cmd.kind === 'add'
      ? [...stored.days.filter((d) => !touched.has(d.date)), ...plan.days]
      : stored.days.filter((d) => !touched.has(d.date));
  const cal = calendarWith(ctx, after);
  const lib = libraryDataYears();
  const yearDays = after.filter((d) => d.date.startsWith(`${plan.year}-`));
  const missing = plan.year > lib.last ? missingFestivals(yearDays) : [];
  if (!plan.unchanged) {
    ctx.fx.write(...writeExtraDays(ctx.fx.db, stored, after, ctx.now));
    ctx.fx.audit({
      actor: said.openId,
      action: cmd.kind === 'add' ? 'calendar.days_added' : 'calendar.days_removed',
      subject: EXTRA_DAYS_KEY,
      before,
      after: cmd.kind === 'add' ? plan.days : [],
    });
  }
  ctx.fx.outcome = plan.unchanged ? 'holidays:unchanged' : `holidays:${cmd.kind}`;
  answer(
    ctx,
    said,
    holidayChangedCard({
      action: cmd.kind === 'add' ? 'added' : 'removed',
      days: plan.days,
      replaced: plan.replaced,
      notFound: plan.notFound,
      dataEndsOn: cal.dataEndsOn(),
      year: plan.year,
      missing,
      unchanged: plan.unchanged,
    }),
  );
  return true;
}

async function onMessage(ctx: Ctx, said: Said): Promise<boolean> {
  if (said.kind !== 'text' && said.kind !== 'post') return false;
  const cmd = parseHolidayCommand(said.words);
  if (!cmd) return false;
  const inConversation = said.chatType === 'p2p' && (await ctx.repo.conversation(said.openId)) !== undefined;
  // Text like 「放假期间…」 without a date, typed during a guided conversation, is an answer to it.
  if (cmd.kind === 'usage' && inConversation) return false;
  if (!(await ctx.isAdmin(said.openId))) {
    // A bare word like 调休 from someone else is not taken for a command; nor are answers to a conversation.
    if (cmd.kind === 'usage' || inConversation) return false;
    return refuse(ctx, said, 'not-admin', TITLE[cmd.kind], [
      '节假日和调休安排属于制度配置，只有**管理员**可以查看和修改。',
      '如发现节假日安排有误，请联系系统管理员。',
    ]);
  }
  switch (cmd.kind) {
    case 'usage':
      return refuse(ctx, said, 'usage', USAGE_TITLE[cmd.what], [cmd.problem], defaultListYear(ctx));
    case 'list':
      ctx.fx.outcome = 'holidays:list';
      answer(ctx, said, await listCard(ctx, cmd.year ?? defaultListYear(ctx)));
      return true;
    default:
      return change(ctx, said, cmd);
  }
}

const listValue = z.object({ year: z.coerce.number().int().min(2000).max(2100) });

export const holidaysFeature: Feature = {
  name: 'holidays',
  onMessage,
  actions: {
    'holidays.list': async (ctx, action) => {
      if (!(await ctx.isAdmin(action.operatorOpenId))) {
        ctx.fx.outcome = 'holidays:refused:not-admin';
        ctx.fx.toast('error', '只有管理员可以查看和修改节假日安排');
        return;
      }
      const v = listValue.safeParse(action.value);
      const year = v.success ? v.data.year : defaultListYear(ctx);
      ctx.fx.outcome = 'holidays:list';
      ctx.fx.send({ openId: action.operatorOpenId }, await listCard(ctx, year));
      ctx.fx.toast('info', `已在私聊中发送 ${year} 年节假日安排`);
    },
  },
};
