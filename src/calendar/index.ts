// The business calendar: Chinese statutory holidays and make-up working days, all in Asia/Shanghai.
//
// Sources, in order of precedence:
//   1. policy `calendar.extraDays` (an office types in next year's State Council schedule as data);
//   2. the `chinese-days` package's data, for the years it covers (2004 … its last year);
//   3. beyond any data: Saturday and Sunday are non-working, Monday–Friday are working.
// Rule 3 is a guess about the future, which is why `dataEndsOn()` exists and admins are warned before it.

import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import type { DayKind, Period } from '../policy/types';
import {
  addCalendarDays,
  calendarDaysBetween,
  fromDayNumber,
  isIsoDate,
  toDayNumber,
  weekdayOf,
  yearOf,
} from './dates';

export { addCalendarDays, calendarDaysBetween, isIsoDate, weekdayOf } from './dates';

export interface ExtraDay {
  date: string;
  kind: 'holiday' | 'workday';
  name?: string;
}

export interface BusinessCalendar {
  isWorkingDay(date: string): boolean;
  /** n working days after `date` (before it when n < 0), or n calendar days; n = 0 returns `date`. */
  addDays(date: string, n: number, kind: DayKind): string;
  /** The last day of a period that starts the day after `from`. */
  deadline(from: string, period: Period): string;
  /**
   * Calendar: to − from. Working: the working days in (from, to], negated when to < from, so it is
   * antisymmetric and additive, and the inverse of addDays for n ≥ 0 (and for n < 0 from a working day).
   */
  daysBetween(from: string, to: string, kind: DayKind): number;
  /** Last date the holiday data (library + extra days) knows; after it only the weekend rule applies. */
  dataEndsOn(): string;
  /** The holiday or make-up working day name when the date is a listed one. */
  dayName(date: string): string | undefined;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

// The library's published data file, not its functions: those read dates in the process's local zone and
// shift every holiday by a day west of UTC (seen in America/Los_Angeles); the data file has no zone at all.
type DayTable = Record<string, string>;
const library = holidayData as { holidays: DayTable; workdays: DayTable };

interface LibraryDay {
  work: boolean;
  /** Chinese name of a listed holiday or make-up working day. */
  name?: string;
}

function libraryDay(date: string): LibraryDay {
  // Entries read "English,中文,n".
  const listedWork = library.workdays[date];
  if (listedWork !== undefined) return { work: true, name: listedWork.split(',')[1] ?? listedWork };
  const listedRest = library.holidays[date];
  if (listedRest !== undefined) return { work: false, name: listedRest.split(',')[1] ?? listedRest };
  const wd = weekdayOf(date);
  return { work: wd !== 0 && wd !== 6 };
}

let libraryYears: { first: number; last: number } | undefined;

/** The span of years the library has schedules for. */
export function libraryDataYears(): { first: number; last: number } {
  if (libraryYears) return libraryYears;
  const years = Object.keys(library.holidays).map(yearOf);
  if (years.length === 0) throw new Error('chinese-days has no holiday data');
  libraryYears = { first: Math.min(...years), last: Math.max(...years) };
  return libraryYears;
}

export function createCalendar(extraDays: readonly ExtraDay[] = []): BusinessCalendar {
  const extra = new Map<string, ExtraDay>();
  for (const day of extraDays) {
    if (!isIsoDate(day.date))
      throw new Error(`calendar extra day has a bad date: ${JSON.stringify(day.date)}`);
    extra.set(day.date, day);
  }
  const years = libraryDataYears();
  const cache = new Map<string, boolean>();

  function isWorkingDay(date: string): boolean {
    const hit = cache.get(date);
    if (hit !== undefined) return hit;
    let working: boolean;
    const override = extra.get(date);
    if (override) {
      working = override.kind === 'workday';
    } else {
      toDayNumber(date); // malformed input is a bug, not a weekday
      working = libraryDay(date).work;
    }
    cache.set(date, working);
    return working;
  }

  function addDays(date: string, n: number, kind: DayKind): string {
    if (!Number.isInteger(n)) throw new Error(`day count must be an integer: ${n}`);
    if (kind === 'calendar') return addCalendarDays(date, n);
    const step = n > 0 ? 1 : -1;
    let day = toDayNumber(date);
    let left = Math.abs(n);
    while (left > 0) {
      day += step;
      if (isWorkingDay(fromDayNumber(day))) left--;
    }
    return fromDayNumber(day);
  }

  function daysBetween(from: string, to: string, kind: DayKind): number {
    const a = toDayNumber(from);
    const b = toDayNumber(to);
    if (kind === 'calendar') return b - a;
    let count = 0;
    if (b >= a) {
      for (let d = a + 1; d <= b; d++) if (isWorkingDay(fromDayNumber(d))) count++;
      return count;
    }
    for (let d = b + 1; d <= a; d++) if (isWorkingDay(fromDayNumber(d))) count++;
    return count === 0 ? 0 : -count; // never -0
  }

  function dataEndsOn(): string {
    const libraryEnd = `${years.last}-12-31`;
    let end = libraryEnd;
    // An office enters a whole year's schedule at once, so its data runs to the end of that year.
    for (const date of extra.keys()) {
      const yearEnd = `${yearOf(date)}-12-31`;
      if (yearEnd > end) end = yearEnd;
    }
    return end;
  }

  function dayName(date: string): string | undefined {
    const override = extra.get(date);
    if (override) return override.name ?? (override.kind === 'holiday' ? '节假日' : '调休上班');
    return libraryDay(date).name;
  }

  return {
    isWorkingDay,
    addDays,
    deadline: (from, period) => addDays(from, period.days, period.kind),
    daysBetween,
    dataEndsOn,
    dayName,
  };
}

/** The Asia/Shanghai calendar date of an instant, whatever the process time zone is. */
export function businessDate(instant: Date): string {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new Error('businessDate: invalid Date');
  return fromDayNumber(Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS));
}

/** The instant at which Asia/Shanghai wall clocks show `hour:minute` on `date` (UTC+8 all year, no DST). */
export function atBusinessTime(date: string, hour: number, minute = 0): Date {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`hour out of range: ${hour}`);
  if (!Number.isInteger(minute) || minute < 0 || minute > 59)
    throw new Error(`minute out of range: ${minute}`);
  return new Date(toDayNumber(date) * DAY_MS + hour * 3_600_000 + minute * 60_000 - SHANGHAI_OFFSET_MS);
}

/** Minutes past midnight on the Asia/Shanghai wall clock. */
export function businessMinuteOfDay(instant: Date): number {
  const ms = instant.getTime() + SHANGHAI_OFFSET_MS;
  return Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
}

/**
 * Reminder instants before a deadline, ascending and without duplicates.
 * Offset k > 0 is k working days before the deadline; offset 0 is the deadline itself, or the
 * working day before it when the deadline falls on a rest day, so no reminder lands on a rest day.
 */
export function reminderInstants(
  deadline: string,
  offsetsDays: readonly number[],
  hour: number,
  cal: BusinessCalendar,
): Date[] {
  const dates = new Set<string>();
  for (const k of offsetsDays) {
    if (!Number.isInteger(k) || k < 0)
      throw new Error(`reminder offset must be a non-negative integer: ${k}`);
    if (k === 0) dates.add(cal.isWorkingDay(deadline) ? deadline : cal.addDays(deadline, -1, 'working'));
    else dates.add(cal.addDays(deadline, -k, 'working'));
  }
  return [...dates].sort().map((d) => atBusinessTime(d, hour));
}

/** The first instant strictly after `after` that is `weekday` (0 or 7 = Sunday, 1 = Monday …) at `hour`:00 Shanghai. */
export function nextWeekly(after: Date, weekday: number, hour: number): Date {
  if (!Number.isInteger(weekday) || weekday < 0 || weekday > 7)
    throw new Error(`weekday out of range: ${weekday}`);
  const target = weekday % 7;
  const today = businessDate(after);
  for (let d = 0; d <= 7; d++) {
    const date = addCalendarDays(today, d);
    if (weekdayOf(date) !== target) continue;
    const at = atBusinessTime(date, hour);
    if (at.getTime() > after.getTime()) return at;
  }
  // Unreachable: within eight consecutive days the weekday occurs once after `after`.
  throw new Error('nextWeekly: no slot found');
}

/** When the holiday data runs out within `warnDays` of `today`, how many calendar days are left; otherwise null. */
export function calendarDataWarning(
  cal: BusinessCalendar,
  today: string,
  warnDays: number,
): { dataEndsOn: string; daysLeft: number } | null {
  const end = cal.dataEndsOn();
  const daysLeft = calendarDaysBetween(today, end);
  return daysLeft <= warnDays ? { dataEndsOn: end, daysLeft } : null;
}
