import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atBusinessTime,
  type BusinessCalendar,
  businessDate,
  businessMinuteOfDay,
  createCalendar,
  type ExtraDay,
  nextWeekly,
  reminderInstants,
  weekdayOf,
} from '../../src/calendar';
import { fromDayNumber, toDayNumber } from '../../src/calendar/dates';

// 2025-06-01 … 2028-12-31: inside the library's data, across its end, and beyond it.
const FIRST = toDayNumber('2025-06-01');
const LAST = toDayNumber('2028-12-31');
const date = fc.integer({ min: FIRST, max: LAST }).map(fromDayNumber);
const extraDays = fc.uniqueArray(
  fc.record({ date, kind: fc.constantFrom<ExtraDay['kind']>('holiday', 'workday') }),
  { selector: (d) => d.date, maxLength: 40 },
);
// Either the plain library calendar or one an office has amended with arbitrary extra days.
const calendar: fc.Arbitrary<BusinessCalendar> = fc
  .option(extraDays, { nil: undefined })
  .map((extra) => createCalendar(extra));
const kind = fc.constantFrom('calendar' as const, 'working' as const);

describe('business calendar properties', () => {
  it('n > 0 working days later is always a working day, and strictly later', () => {
    fc.assert(
      fc.property(calendar, date, fc.integer({ min: 1, max: 60 }), (cal, d, n) => {
        const r = cal.addDays(d, n, 'working');
        expect(cal.isWorkingDay(r)).toBe(true);
        expect(r > d).toBe(true);
      }),
    );
  });

  it('n > 0 working days earlier is always a working day, and strictly earlier', () => {
    fc.assert(
      fc.property(calendar, date, fc.integer({ min: 1, max: 60 }), (cal, d, n) => {
        const r = cal.addDays(d, -n, 'working');
        expect(cal.isWorkingDay(r)).toBe(true);
        expect(r < d).toBe(true);
      }),
    );
  });

  it('addDays is strictly increasing in n', () => {
    fc.assert(
      fc.property(
        calendar,
        date,
        kind,
        fc.integer({ min: -40, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (cal, d, k, n, m) => {
          expect(cal.addDays(d, n, k) < cal.addDays(d, n + m, k)).toBe(true);
        },
      ),
    );
  });

  it('daysBetween is the inverse of addDays going forward', () => {
    fc.assert(
      fc.property(calendar, date, kind, fc.integer({ min: 0, max: 60 }), (cal, d, k, n) => {
        expect(cal.daysBetween(d, cal.addDays(d, n, k), k)).toBe(n);
      }),
    );
  });

  it('daysBetween is the inverse of addDays going back, in calendar days or from a working day', () => {
    fc.assert(
      fc.property(calendar, date, kind, fc.integer({ min: -60, max: -1 }), (cal, d, k, n) => {
        fc.pre(k === 'calendar' || cal.isWorkingDay(d));
        expect(cal.daysBetween(d, cal.addDays(d, n, k), k)).toBe(n);
      }),
    );
  });

  it('daysBetween is antisymmetric and additive', () => {
    fc.assert(
      fc.property(calendar, date, date, date, kind, (cal, a, b, c, k) => {
        expect(cal.daysBetween(a, b, k) + cal.daysBetween(b, a, k)).toBe(0);
        expect(Object.is(cal.daysBetween(a, a, k), 0)).toBe(true);
        expect(cal.daysBetween(a, b, k) + cal.daysBetween(b, c, k)).toBe(cal.daysBetween(a, c, k));
      }),
      { numRuns: 50 },
    );
  });

  it('deadline is addDays of the period', () => {
    fc.assert(
      fc.property(calendar, date, kind, fc.integer({ min: 1, max: 30 }), (cal, d, k, n) => {
        expect(cal.deadline(d, { days: n, kind: k })).toBe(cal.addDays(d, n, k));
      }),
    );
  });

  it('extra days always decide', () => {
    fc.assert(
      fc.property(extraDays, (extra) => {
        const cal = createCalendar(extra);
        for (const e of extra) expect(cal.isWorkingDay(e.date)).toBe(e.kind === 'workday');
        const latest = extra
          .map((e) => e.date)
          .sort()
          .at(-1);
        const expectedEnd =
          latest && latest.slice(0, 4) > '2026' ? `${latest.slice(0, 4)}-12-31` : '2026-12-31';
        expect(cal.dataEndsOn()).toBe(expectedEnd);
      }),
    );
  });

  it('reminders are at or before the deadline, at 09:00 Shanghai, on working days, k working days ahead', () => {
    const offsets = fc.uniqueArray(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(calendar, date, offsets, (cal, deadline, offs) => {
        const rs = reminderInstants(deadline, offs, 9, cal);
        expect(rs.length).toBeGreaterThan(0);
        expect(rs.length).toBeLessThanOrEqual(offs.length);
        for (let i = 0; i < rs.length; i++) {
          const r = rs[i]!;
          const day = businessDate(r);
          expect(day <= deadline).toBe(true);
          expect(businessMinuteOfDay(r)).toBe(9 * 60);
          expect(cal.isWorkingDay(day)).toBe(true);
          if (i > 0) expect(r.getTime()).toBeGreaterThan(rs[i - 1]!.getTime());
        }
        for (const k of offs.filter((k) => k > 0)) {
          const day = cal.addDays(deadline, -k, 'working');
          expect(rs.map(businessDate)).toContain(day);
          // k working days lie from the reminder up to, not including, the deadline.
          expect(cal.daysBetween(day, deadline, 'working')).toBe(cal.isWorkingDay(deadline) ? k : k - 1);
        }
      }),
    );
  });

  it('businessDate and atBusinessTime agree at every hour and minute', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (d, h, m) => {
        const at = atBusinessTime(d, h, m);
        expect(businessDate(at)).toBe(d);
        expect(businessMinuteOfDay(at)).toBe(h * 60 + m);
      }),
    );
  });

  it('businessDate changes exactly at 16:00 UTC', () => {
    fc.assert(
      fc.property(date, (d) => {
        const midnight = atBusinessTime(d, 0).getTime();
        expect(new Date(midnight).toISOString().slice(11)).toBe('16:00:00.000Z');
        expect(businessDate(new Date(midnight - 1))).toBe(fromDayNumber(toDayNumber(d) - 1));
        expect(businessDate(new Date(midnight))).toBe(d);
      }),
    );
  });

  it('nextWeekly is the first matching slot strictly after the given instant', () => {
    const instant = fc
      .integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2029, 0, 1) })
      .map((ms) => new Date(ms));
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 23 }),
        (after, wd, h) => {
          const next = nextWeekly(after, wd, h);
          expect(next.getTime()).toBeGreaterThan(after.getTime());
          expect(next.getTime() - after.getTime()).toBeLessThanOrEqual(7 * 86_400_000);
          expect(weekdayOf(businessDate(next))).toBe(wd % 7);
          expect(businessMinuteOfDay(next)).toBe(h * 60);
          // Nothing earlier qualifies: one week before is not after `after`.
          expect(next.getTime() - 7 * 86_400_000).toBeLessThanOrEqual(after.getTime());
        },
      ),
    );
  });
});
