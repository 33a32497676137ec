// Plain civil-date arithmetic on 'YYYY-MM-DD' strings; no time zone is involved anywhere here.

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day numbers of the dates met so far: a job asks for the same few dates over thousands of cases. */
const dayNumbers = new Map<string, number>();
const KEPT_DAY_NUMBERS = 4096;

/** Days since 1970-01-01 for a civil date; throws on anything that is not a real 'YYYY-MM-DD' date. */
export function toDayNumber(date: string): number {
  const kept = dayNumbers.get(date);
  if (kept !== undefined) return kept;
  const day = parseDayNumber(date);
  if (dayNumbers.size >= KEPT_DAY_NUMBERS) dayNumbers.clear();
  dayNumbers.set(date, day);
  return day;
}

function parseDayNumber(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  // Date.UTC silently rolls 2026-02-30 into March; the round trip catches it.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new Error(`not a real calendar date: ${date}`);
  }
  return Math.round(ms / DAY_MS);
}

export function fromDayNumber(day: number): string {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  return `${String(y).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

export function isIsoDate(value: string): boolean {
  try {
    toDayNumber(value);
    return true;
  } catch {
    return false;
  }
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  // 1970-01-01 was a Thursday.
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

export function addCalendarDays(date: string, n: number): string {
  return fromDayNumber(toDayNumber(date) + n);
}

export function calendarDaysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
