import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  atBusinessTime,
  businessDate,
  businessMinuteOfDay,
  calendarDataWarning,
  createCalendar,
  libraryDataYears,
  nextWeekly,
  reminderInstants,
  weekdayOf,
} from '../../src/calendar';
import { fromDayNumber, toDayNumber } from '../../src/calendar/dates';

const cal = createCalendar();

function workingDays(from: string, to: string, c = cal): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = c.addDays(d, 1, 'calendar')) if (c.isWorkingDay(d)) out.push(d);
  return out;
}

describe('Spring Festival 2026 (15–23 Feb off; Sat 14 Feb and Sat 28 Feb make-up working days)', () => {
  it('knows which days are working', () => {
    expect(workingDays('2026-02-12', '2026-03-02')).toEqual([
      '2026-02-12',
      '2026-02-13',
      '2026-02-14',
      '2026-02-24',
      '2026-02-25',
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
      '2026-03-02',
    ]);
    expect(cal.dayName('2026-02-17')).toBe('春节');
    expect(cal.dayName('2026-02-14')).toBe('春节');
    expect(cal.dayName('2026-02-11')).toBeUndefined();
  });

  it('adds working days across the holiday', () => {
    expect(cal.addDays('2026-02-13', 1, 'working')).toBe('2026-02-14');
    expect(cal.addDays('2026-02-14', 1, 'working')).toBe('2026-02-24');
    expect(cal.addDays('2026-02-24', -1, 'working')).toBe('2026-02-14');
    expect(cal.addDays('2026-02-18', 0, 'working')).toBe('2026-02-18');
    // A decision due 15 working days after acceptance on Tue 10 Feb.
    expect(cal.deadline('2026-02-10', { days: 15, kind: 'working' })).toBe('2026-03-09');
    expect(cal.deadline('2026-02-10', { days: 15, kind: 'calendar' })).toBe('2026-02-25');
  });

  it('counts working days across the holiday', () => {
    expect(cal.daysBetween('2026-02-13', '2026-02-24', 'working')).toBe(2);
    expect(cal.daysBetween('2026-02-24', '2026-02-13', 'working')).toBe(-2);
    expect(cal.daysBetween('2026-02-13', '2026-02-24', 'calendar')).toBe(11);
    expect(cal.daysBetween('2026-02-15', '2026-02-23', 'working')).toBe(0);
    expect(cal.daysBetween('2026-02-10', '2026-03-09', 'working')).toBe(15);
  });

  it('counts overdue working days after a deadline that fell in the holiday', () => {
    expect(cal.daysBetween('2026-02-17', '2026-02-26', 'working')).toBe(3);
    expect(cal.daysBetween('2026-02-26', '2026-02-17', 'working')).toBe(-3);
    expect(cal.daysBetween('2026-02-17', '2026-02-17', 'working')).toBe(0);
  });
});

describe('National Day 2026 (1–7 Oct off; Sun 20 Sep and Sat 10 Oct make-up; Mid-Autumn 25–27 Sep off)', () => {
  it('knows which days are working', () => {
    expect(cal.isWorkingDay('2026-09-20')).toBe(true);
    expect(cal.isWorkingDay('2026-09-25')).toBe(false);
    expect(workingDays('2026-09-28', '2026-10-11')).toEqual([
      '2026-09-28',
      '2026-09-29',
      '2026-09-30',
      '2026-10-08',
      '2026-10-09',
      '2026-10-10',
    ]);
  });

  it('adds and counts days across it', () => {
    expect(cal.addDays('2026-09-30', 1, 'working')).toBe('2026-10-08');
    expect(cal.daysBetween('2026-09-24', '2026-10-10', 'working')).toBe(6);
    // The 7-day notice rule counts calendar days: holidays do not stretch it.
    expect(cal.deadline('2026-09-30', { days: 7, kind: 'calendar' })).toBe('2026-10-07');
  });

  it('puts the reminders on working days before a deadline right after the holiday', () => {
    const r = reminderInstants('2026-10-08', [3, 1, 0], 9, cal);
    expect(r.map((d) => d.toISOString())).toEqual([
      '2026-09-28T01:00:00.000Z',
      '2026-09-30T01:00:00.000Z',
      '2026-10-08T01:00:00.000Z',
    ]);
  });

  it('moves the on-the-day reminder of a deadline that falls in the holiday to the working day before', () => {
    const r = reminderInstants('2026-10-05', [3, 1, 0], 9, cal);
    expect(r.map(businessDate)).toEqual(['2026-09-28', '2026-09-30']);
  });
});

describe('the limits of the holiday data', () => {
  it('the library knows 2004–2026', () => {
    expect(libraryDataYears()).toEqual({ first: 2004, last: 2026 });
    expect(cal.dataEndsOn()).toBe('2026-12-31');
  });

  it('beyond the data, weekdays work and weekends rest, even on a date that will surely be a holiday', () => {
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // a Friday; New Year's Day in fact
    expect(cal.isWorkingDay('2027-01-02')).toBe(false);
    expect(cal.isWorkingDay('2030-10-01')).toBe(true);
    expect(cal.dayName('2027-01-01')).toBeUndefined();
  });

  it('warns within the configured days before the data runs out', () => {
    expect(calendarDataWarning(cal, '2026-10-31', 60)).toBeNull();
    expect(calendarDataWarning(cal, '2026-11-01', 60)).toEqual({ dataEndsOn: '2026-12-31', daysLeft: 60 });
    expect(calendarDataWarning(cal, '2027-01-05', 60)).toEqual({ dataEndsOn: '2026-12-31', daysLeft: -5 });
  });
});

describe('policy extra days (an office adds 2027 as data)', () => {
  const extra = createCalendar([
    { date: '2027-01-01', kind: 'holiday', name: '元旦' },
    { date: '2027-02-08', kind: 'holiday', name: '春节' },
    { date: '2027-02-09', kind: 'holiday', name: '春节' },
    { date: '2027-02-20', kind: 'workday', name: '春节调休' },
    // Overrides of the library's own 2026 data.
    { date: '2026-02-14', kind: 'holiday' },
    { date: '2026-10-05', kind: 'workday' },
  ]);

  it('extra days decide over the library and the weekend rule', () => {
    expect(extra.isWorkingDay('2027-01-01')).toBe(false);
    expect(extra.isWorkingDay('2027-02-08')).toBe(false);
    expect(extra.isWorkingDay('2027-02-20')).toBe(true);
    expect(extra.isWorkingDay('2026-02-14')).toBe(false);
    expect(extra.isWorkingDay('2026-10-05')).toBe(true);
    expect(extra.dayName('2027-02-20')).toBe('春节调休');
    expect(extra.dayName('2026-02-14')).toBe('节假日');
    // Everything else is unchanged.
    expect(extra.isWorkingDay('2026-02-16')).toBe(false);
    expect(extra.isWorkingDay('2026-02-28')).toBe(true);
  });

  it('day arithmetic follows the extra days', () => {
    expect(extra.addDays('2027-02-05', 1, 'working')).toBe('2027-02-10');
    expect(extra.addDays('2027-02-19', 1, 'working')).toBe('2027-02-20');
    expect(extra.addDays('2026-02-13', 1, 'working')).toBe('2026-02-24');
    expect(extra.daysBetween('2026-12-31', '2027-01-05', 'working')).toBe(2);
  });

  it('the data now runs to the end of 2027', () => {
    expect(extra.dataEndsOn()).toBe('2027-12-31');
    expect(calendarDataWarning(extra, '2026-11-01', 60)).toBeNull();
    expect(createCalendar([{ date: '2026-05-06', kind: 'holiday' }]).dataEndsOn()).toBe('2026-12-31');
  });

  it('a malformed extra day is a bug and throws', () => {
    expect(() => createCalendar([{ date: '2027-13-01', kind: 'holiday' }])).toThrow();
  });
});

describe('Asia/Shanghai business time, independent of the process time zone', () => {
  it.each([
    ['2026-02-14T15:59:59.999Z', '2026-02-14'],
    ['2026-02-14T16:00:00.000Z', '2026-02-15'],
    ['2026-12-31T15:59:59.999Z', '2026-12-31'],
    ['2026-12-31T16:00:00.000Z', '2027-01-01'],
    ['2028-02-28T16:00:00.000Z', '2028-02-29'],
    ['2026-03-01T00:00:00.000+08:00', '2026-03-01'],
  ])('businessDate(%s) = %s', (iso, date) => {
    expect(businessDate(new Date(iso))).toBe(date);
  });

  it('atBusinessTime is UTC+8 wall-clock time', () => {
    expect(atBusinessTime('2026-03-02', 9).toISOString()).toBe('2026-03-02T01:00:00.000Z');
    expect(atBusinessTime('2026-03-02', 0).toISOString()).toBe('2026-03-01T16:00:00.000Z');
    expect(atBusinessTime('2026-03-02', 23, 59).toISOString()).toBe('2026-03-02T15:59:00.000Z');
    expect(businessMinuteOfDay(atBusinessTime('2026-03-02', 9, 30))).toBe(570);
    expect(() => atBusinessTime('2026-03-02', 24)).toThrow();
    expect(() => atBusinessTime('2026-02-30', 9)).toThrow();
  });

  it('day numbers are the same however often a date is asked for, and a date that is not real always throws', () => {
    const first = toDayNumber('2026-03-02');
    for (let i = 0; i < 3; i++) expect(toDayNumber('2026-03-02')).toBe(first);
    expect(fromDayNumber(first)).toBe('2026-03-02');
    // Past the kept dates the numbers are computed again, and still the same.
    for (let d = 0; d < 5_000; d++) toDayNumber(fromDayNumber(first + d));
    expect(toDayNumber('2026-03-02')).toBe(first);
    for (let i = 0; i < 2; i++) {
      expect(() => toDayNumber('2026-02-30')).toThrow(/not a real calendar date/);
      expect(() => toDayNumber('2026-3-2')).toThrow(/not a YYYY-MM-DD date/);
    }
  });

  it('weekday of a civil date', () => {
    expect(weekdayOf('2026-02-14')).toBe(6);
    expect(weekdayOf('2026-10-01')).toBe(4);
    expect(weekdayOf('1969-12-31')).toBe(3);
  });

  it('nextWeekly finds the next Monday 09:00 Shanghai', () => {
    // Sunday 2026-03-01 23:00 Shanghai
    expect(nextWeekly(new Date('2026-03-01T15:00:00Z'), 1, 9).toISOString()).toBe('2026-03-02T01:00:00.000Z');
    // Exactly at the slot: the next week's slot.
    expect(nextWeekly(new Date('2026-03-02T01:00:00Z'), 1, 9).toISOString()).toBe('2026-03-09T01:00:00.000Z');
    // One millisecond before the slot.
    expect(nextWeekly(new Date('2026-03-02T00:59:59.999Z'), 1, 9).toISOString()).toBe(
      '2026-03-02T01:00:00.000Z',
    );
    // Monday 00:30 Shanghai is still Sunday in UTC.
    expect(nextWeekly(new Date('2026-03-01T16:30:00Z'), 1, 9).toISOString()).toBe('2026-03-02T01:00:00.000Z');
    expect(nextWeekly(new Date('2026-03-01T16:30:00Z'), 7, 9).toISOString()).toBe('2026-03-08T01:00:00.000Z');
  });

  // The holiday library reads dates in the process's local zone; only a fresh process shows that we undo it.
  it.each(['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC', 'Asia/Shanghai'])(
    'gives the same answers in a process running in %s',
    (tz) => {
      const script = `
        import { createCalendar, businessDate, atBusinessTime, reminderInstants } from './src/calendar/index.ts';
        const c = createCalendar();
        const out = {
          localOffset: new Date(2026, 0, 15).getTimezoneOffset(),
          working: ['2026-02-14', '2026-02-15', '2026-02-23', '2026-02-24', '2026-10-01', '2026-10-10', '2026-12-31']
            .map((d) => c.isWorkingDay(d)),
          add: c.addDays('2026-09-30', 1, 'working'),
          between: c.daysBetween('2026-02-13', '2026-02-24', 'working'),
          dataEndsOn: c.dataEndsOn(),
          dates: ['2026-02-14T15:59:59Z', '2026-02-14T16:00:00Z'].map((s) => businessDate(new Date(s))),
          at: atBusinessTime('2026-03-02', 9).toISOString(),
          reminders: reminderInstants('2026-10-08', [3, 1, 0], 9, c).map((d) => d.toISOString()),
        };
        console.log(JSON.stringify(out));
      `;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: process.cwd(),
        env: { ...process.env, TZ: tz },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(run.stderr).toBe('');
      const out = JSON.parse(run.stdout);
      if (tz === 'America/Los_Angeles') expect(out.localOffset).toBe(480);
      if (tz === 'Pacific/Kiritimati') expect(out.localOffset).toBe(-840);
      expect(out).toMatchObject({
        working: [true, false, false, true, false, true, true],
        add: '2026-10-08',
        between: 2,
        dataEndsOn: '2026-12-31',
        dates: ['2026-02-14', '2026-02-15'],
        at: '2026-03-02T01:00:00.000Z',
        reminders: ['2026-09-28T01:00:00.000Z', '2026-09-30T01:00:00.000Z', '2026-10-08T01:00:00.000Z'],
      });
    },
  );
});

describe('agreement with the chinese-days functions where they are reliable', () => {
  it('every day 2004–2027 matches isWorkday() in a process running in Asia/Shanghai', () => {
    const script = `
      import chineseDays from 'chinese-days';
      import { createCalendar } from './src/calendar/index.ts';
      const c = createCalendar();
      const mismatches = [];
      let checked = 0;
      for (let t = Date.UTC(2004, 0, 1); t <= Date.UTC(2027, 11, 31); t += 86400000) {
        const d = new Date(t).toISOString().slice(0, 10);
        if (c.isWorkingDay(d) !== chineseDays.isWorkday(d)) mismatches.push(d);
        checked++;
      }
      console.log(JSON.stringify({ checked, mismatches }));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, TZ: 'Asia/Shanghai' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ checked: 8766, mismatches: [] });
  });
});
