// The sandbox's business clock: one clock for the bot and the emulator, moved forward from the page so
// reminders, overdue notices, escalations and digests can be seen without waiting for the calendar.
import {
  addCalendarDays,
  atBusinessTime,
  type BusinessCalendar,
  businessDate,
  reminderInstants,
  weekdayOf,
} from '../calendar';

/** Business time that runs with the wall clock from wherever it was last set. */
export class BusinessClock {
  constructor(
    private readonly wall: () => number = Date.now,
    /** How far business time is ahead of the wall clock. */
    private offset = 0,
  ) {}

  now(): number {
    return this.wall() + this.offset;
  }

  get offsetMs(): number {
    return this.offset;
  }

  /** Moves business time to `ms`; never backwards, as nothing in the bot can be undone by time. */
  set(ms: number): boolean {
    if (ms < this.now()) return false;
    this.offset = ms - this.wall();
    return true;
  }

  /** Back to the wall clock (a sandbox reset). */
  reset(): void {
    this.offset = 0;
  }
}

export interface ClockJump {
  id: string;
  label: string;
  at: number;
}

/** A deadline the page offers to jump to: a correction deadline or a decision deadline of an open case. */
export interface SandboxDeadline {
  caseNumber: string;
  kind: 'correction' | 'decision';
  dueOn: string;
}

const HOUR = 9;

/** Where the page's clock buttons go from `now`: the next 09:00, one day on, next Monday 09:00, and around each deadline. */
export function clockJumps(
  now: Date,
  deadlines: SandboxDeadline[],
  reminderOffsetsDays: readonly number[],
  cal: BusinessCalendar,
): ClockJump[] {
  const today = businessDate(now);
  const nineToday = atBusinessTime(today, HOUR);
  const next9 = nineToday > now ? nineToday : atBusinessTime(addCalendarDays(today, 1), HOUR);
  const weekday = weekdayOf(today);
  const monday =
    weekday === 1 && nineToday > now
      ? nineToday
      : atBusinessTime(addCalendarDays(today, (8 - weekday) % 7 || 7), HOUR);
  const jumps: ClockJump[] = [
    { id: 'next-9', label: '到下一个 09:00', at: next9.getTime() },
    { id: 'plus-1d', label: '+1 天', at: now.getTime() + 86_400_000 },
    { id: 'monday-9', label: '到周一 09:00', at: monday.getTime() },
  ];
  for (const d of deadlines) {
    const what = d.kind === 'correction' ? '整改期限' : '认定期限';
    for (const k of [...reminderOffsetsDays].sort((a, b) => b - a)) {
      const [at] = reminderInstants(d.dueOn, [k], HOUR, cal);
      if (!at) continue;
      jumps.push({
        id: `${d.kind}:${d.caseNumber}:before-${k}`,
        label: `${d.caseNumber} ${what} ${d.dueOn} ${k === 0 ? '当天' : `前 ${k} 个工作日`} 09:00`,
        at: at.getTime(),
      });
    }
    const after = cal.addDays(d.dueOn, 1, 'working');
    jumps.push({
      id: `${d.kind}:${d.caseNumber}:overdue`,
      label: `${d.caseNumber} ${what} ${d.dueOn} 已过（${after} 09:00）`,
      at: atBusinessTime(after, HOUR).getTime(),
    });
  }
  return jumps.filter((j) => j.at > now.getTime());
}
