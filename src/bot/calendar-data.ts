import { and, eq } from 'drizzle-orm';
import { kv } from '../../db/schema';
import { type BusinessCalendar, createCalendar, type ExtraDay } from '../calendar';
import type { DayKind, Period } from '../policy';
import { type Db, guard, type Write } from '../store';

/** Holidays and make-up working days an admin added after release (next year's State Council schedule). */
export const EXTRA_DAYS_KEY = 'policy:calendar.extraDays';

export interface StoredExtraDays {
  days: ExtraDay[];
  version: number;
}

export async function readExtraDays(db: Db): Promise<StoredExtraDays> {
  const [row] = await db.select().from(kv).where(eq(kv.key, EXTRA_DAYS_KEY));
  return storedExtraDays(row);
}

export function storedExtraDays(row: { value: string; version: number } | undefined): StoredExtraDays {
  return row ? { days: JSON.parse(row.value) as ExtraDay[], version: row.version } : { days: [], version: 0 };
}

/** Replaces the stored extra days, from the version they were read at (a lost race is a conflict). */
export function writeExtraDays(db: Db, before: StoredExtraDays, days: ExtraDay[], now: Date): Write[] {
  const value = JSON.stringify([...days].sort((a, b) => a.date.localeCompare(b.date)));
  if (before.version === 0) {
    return [
      db
        .insert(kv)
        .values({ key: EXTRA_DAYS_KEY, value, version: 1, updatedAt: now.getTime() })
        .onConflictDoNothing(),
      guard,
    ];
  }
  return [
    db
      .update(kv)
      .set({ value, version: before.version + 1, updatedAt: now.getTime() })
      .where(and(eq(kv.key, EXTRA_DAYS_KEY), eq(kv.version, before.version))),
    guard,
  ];
}

/**
 * The business calendar the bot uses: the policy's own extra days plus those stored by admins, reloaded
 * when they change. Everything that decides keeps seeing a plain BusinessCalendar.
 */
export class LiveCalendar implements BusinessCalendar {
  private inner: BusinessCalendar;
  private version = 0;

  constructor(private readonly base: readonly ExtraDay[]) {
    this.inner = createCalendar(base);
  }

  /** Picks up days added since the last look; one small read. */
  async sync(db: Db): Promise<void> {
    this.apply(await readExtraDays(db));
  }

  /** Takes the stored days as read elsewhere (in one batch with other reads). */
  apply(stored: StoredExtraDays): void {
    if (stored.version === this.version) return;
    const merged = new Map(this.base.map((d) => [d.date, d]));
    for (const d of stored.days) merged.set(d.date, d);
    this.inner = createCalendar([...merged.values()]);
    this.version = stored.version;
  }

  isWorkingDay(date: string): boolean {
    return this.inner.isWorkingDay(date);
  }
  addDays(date: string, n: number, kind: DayKind): string {
    return this.inner.addDays(date, n, kind);
  }
  deadline(from: string, period: Period): string {
    return this.inner.deadline(from, period);
  }
  daysBetween(from: string, to: string, kind: DayKind): number {
    return this.inner.daysBetween(from, to, kind);
  }
  dataEndsOn(): string {
    return this.inner.dataEndsOn();
  }
  dayName(date: string): string | undefined {
    return this.inner.dayName(date);
  }
}
