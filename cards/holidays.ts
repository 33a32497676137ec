import { addCalendarDays } from '../src/calendar/dates';
import { button, buttonRow, card, escapeMd, hr, md } from './common';

/** A holiday or make-up working day an admin added (SPEC §4); same shape as the calendar's extra days. */
export interface HolidayDay {
  date: string;
  kind: 'holiday' | 'workday';
  name?: string;
}

/** The seven statutory festivals each year's State Council notice schedules. */
export const FESTIVALS = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'] as const;

/** The State Council's annual notice, by name (offices look it up themselves). */
export const stateCouncilNotice = (year: number) => `《国务院办公厅关于${year}年部分节假日安排的通知》`;

/** Festivals with no holiday named after them among `days`. */
export function missingFestivals(days: HolidayDay[]): string[] {
  const names = days.filter((d) => d.kind === 'holiday').map((d) => d.name ?? '');
  return FESTIVALS.filter((f) => !names.some((n) => n.includes(f.slice(0, 2))));
}

export interface DayRange {
  from: string;
  to: string;
  kind: HolidayDay['kind'];
  name: string;
  count: number;
}

/** Consecutive days of the same kind and name, as one line each. */
export function dayRanges(days: HolidayDay[]): DayRange[] {
  const sorted = [...days].sort((a, b) => a.date.localeCompare(b.date));
  const out: DayRange[] = [];
  for (const d of sorted) {
    const name = d.name ?? (d.kind === 'holiday' ? '节假日' : '调休上班');
    const last = out.at(-1);
    if (last && last.kind === d.kind && last.name === name && addCalendarDays(last.to, 1) === d.date) {
      last.to = d.date;
      last.count++;
    } else out.push({ from: d.date, to: d.date, kind: d.kind, name, count: 1 });
  }
  return out;
}

const MAX_RANGE_LINES = 60;

function rangeLines(days: HolidayDay[]): string[] {
  const ranges = dayRanges(days);
  const lines = ranges.slice(0, MAX_RANGE_LINES).map((r) => {
    const span = r.from === r.to ? r.from : `${r.from} 至 ${r.to}（${r.count} 天）`;
    return r.kind === 'holiday'
      ? `- 放假 ${span} ${escapeMd(r.name)}`
      : `- 调休上班 ${span} ${escapeMd(r.name)}`;
  });
  if (ranges.length > MAX_RANGE_LINES) lines.push(`- 另有 ${ranges.length - MAX_RANGE_LINES} 段未列出`);
  return lines;
}

/** Exactly what an admin types, with the year filled in. */
export function holidayCommandLines(year: number): string[] {
  return [
    `- 放假：\`节假日 ${year}-01-01 至 ${year}-01-03 元旦\`（每段假期一条，一次最多 15 天）`,
    `- 调休上班：\`调休上班 ${year}-02-07 春节调休\`（可一次写多个日期，用「、」分隔）`,
    `- 核对：\`查看节假日 ${year}\``,
    `- 删除录错的日期：\`删除节假日 ${year}-01-01\`（也可写「至」某日删除一段）`,
    '以上日期仅为示例，请以通知为准。私聊发给我，或在群里 @我 发送均可；只有管理员可以修改。',
  ];
}

export interface CalendarWarningData {
  dataEndsOn: string;
  /** Calendar days from today to `dataEndsOn`; negative once it has passed. */
  daysLeft: number;
  /** The year whose schedule is missing. */
  nextYear: number;
}

/** To admins, 60 days before the holiday data runs out: what to type to add next year's schedule. */
export function calendarWarningCard(d: CalendarWarningData) {
  const passed = d.daysLeft < 0;
  const status = passed
    ? `系统已知的法定节假日和调休安排**已于 ${d.dataEndsOn} 用完**（已过 ${-d.daysLeft} 天）。`
    : `系统已知的法定节假日和调休安排截至 **${d.dataEndsOn}**（还剩 ${d.daysLeft} 天）。`;
  return card({
    title: passed ? '节假日数据已用完，请补充' : '节假日数据即将用完，请补充',
    subtitle: `${d.nextYear} 年法定节假日和调休上班日`,
    template: passed ? 'red' : 'orange',
    summary: `请补充 ${d.nextYear} 年节假日安排`,
    elements: [
      md(
        [
          status,
          `此后的日期只按周六、周日休息计算：元旦、春节等假日和调休上班日都不会被识别，认定期限、纠错期限和提醒日期会因此算错。`,
        ].join('\n'),
      ),
      hr(),
      md(
        [
          `国务院办公厅每年秋季发布下一年的安排。请在${stateCouncilNotice(d.nextYear)}发布后，按通知逐项发给我：`,
          ...holidayCommandLines(d.nextYear),
        ].join('\n'),
      ),
      md(
        `注意：添加任一 ${d.nextYear} 年的日期后，系统即视为已有 ${d.nextYear} 年全年安排，请把 ${FESTIVALS.join('、')} 和全部调休上班日一次录完。`,
      ),
      hr(),
      buttonRow([button(`查看 ${d.nextYear} 年节假日`, { a: 'holidays.list', year: d.nextYear })]),
    ],
  });
}

export interface HolidayListData {
  year: number;
  /** Days admins added in that year. */
  days: HolidayDay[];
  /** The built-in library already has this year's schedule. */
  builtIn: boolean;
  dataEndsOn: string;
}

/** 查看节假日 <年份>: what admins added for a year and what may still be missing. */
export function holidayListCard(d: HolidayListData) {
  const missing = missingFestivals(d.days);
  const holidays = d.days.filter((x) => x.kind === 'holiday').length;
  const workdays = d.days.length - holidays;
  const source = d.builtIn
    ? `系统内置数据已包含 ${d.year} 年的安排；下列为管理员补充或更正的日期。`
    : `系统内置数据不含 ${d.year} 年的安排，以下为管理员按${stateCouncilNotice(d.year)}添加的日期。`;
  const body =
    d.days.length === 0
      ? [`${d.year} 年还没有管理员添加的日期。`]
      : [`放假 ${holidays} 天，调休上班 ${workdays} 天：`, ...rangeLines(d.days)];
  const gaps =
    !d.builtIn && missing.length > 0
      ? [`<font color='red'>尚未看到以下节日：${missing.join('、')}</font>，请核对通知后补充。`]
      : [];
  return card({
    title: `${d.year} 年节假日安排`,
    subtitle: `节假日数据截至 ${d.dataEndsOn}`,
    template: gaps.length ? 'orange' : 'turquoise',
    summary: `${d.year} 年节假日安排`,
    elements: [
      md(source),
      md([...body, ...gaps].join('\n')),
      hr(),
      md(holidayCommandLines(d.year).join('\n')),
    ],
  });
}

export interface HolidayChangeData {
  action: 'added' | 'removed';
  /** The days written or deleted. */
  days: HolidayDay[];
  /** Days that were there before with another kind or name (added) or were not there (removed, by date). */
  replaced: HolidayDay[];
  notFound: string[];
  dataEndsOn: string;
  year: number;
  /** Festivals still missing from that year's added days; empty when the library covers the year. */
  missing: string[];
  /** Every day was already there as typed: nothing was written. */
  unchanged?: boolean;
}

/** The admin's answer after adding or deleting days: what changed and what may still be missing. */
export function holidayChangedCard(d: HolidayChangeData) {
  const added = d.action === 'added';
  const lines = [
    d.unchanged
      ? `这些日期已按相同设置添加过，没有做任何更改：`
      : added
        ? `已添加 ${d.days.length} 天：`
        : `已删除 ${d.days.length} 天：`,
    ...rangeLines(d.days),
    ...(d.replaced.length
      ? [
          `以下日期原先另有设置，已更正：${d.replaced.map((x) => `${x.date}（原为${x.kind === 'holiday' ? '放假' : '调休上班'}）`).join('、')}`,
        ]
      : []),
    ...(d.notFound.length ? [`以下日期不是管理员添加的，未做更改：${d.notFound.join('、')}`] : []),
    d.unchanged
      ? `节假日数据截至 **${d.dataEndsOn}**。`
      : `节假日数据现截至 **${d.dataEndsOn}**。此后计算的期限和提醒按新的安排执行，修改已记入审计日志。`,
  ];
  const gaps = d.missing.length
    ? [`${d.year} 年尚未看到：${d.missing.join('、')}。请按${stateCouncilNotice(d.year)}继续添加。`]
    : [];
  return card({
    title: d.unchanged ? '无需更改' : added ? '节假日安排已添加' : '节假日安排已删除',
    template: 'green',
    summary: d.unchanged ? '节假日安排无需更改' : added ? '节假日安排已添加' : '节假日安排已删除',
    elements: [
      md([...lines, ...gaps].join('\n')),
      hr(),
      buttonRow([button(`查看 ${d.year} 年节假日`, { a: 'holidays.list', year: d.year })]),
    ],
  });
}

/** A holiday command that was not carried out: why, and (for admins) what to type instead. */
export function holidayRefusalCard(title: string, reasons: string[], usageYear?: number) {
  const usage = usageYear === undefined ? [] : [hr(), md(holidayCommandLines(usageYear).join('\n'))];
  return card({
    title: `未执行：${title}`,
    template: 'orange',
    summary: `未执行：${title}`,
    elements: [
      md([...reasons, '本次没有做任何更改。'].join('\n')),
      ...usage,
      hr(),
      buttonRow([button('帮助', { a: 'cmd', cmd: 'help' })]),
    ],
  });
}
