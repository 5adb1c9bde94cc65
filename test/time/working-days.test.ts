import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WorkingCalendar } from '../../src/core/time/working-days.js';
import { calendar, london, wall } from './helpers.js';

const englandAndWales = calendar();
const scotland = calendar({ region: 'scotland' });
const northernIreland = calendar({ region: 'northern-ireland' });

describe('bank holidays per region', () => {
  it.each([
    ['2026-12-25', 'Christmas Day'],
    ['2026-12-28', 'Boxing Day (substitute day)'],
    ['2027-01-01', "New Year's Day"],
    ['2027-03-26', 'Good Friday'],
    ['2027-03-29', 'Easter Monday'],
    ['2026-08-31', 'Summer bank holiday'],
  ])('England and Wales take %s off (%s)', (day, name) => {
    const noon = london(`${day} 12:00`);
    expect(englandAndWales.isWorkingDay(noon)).toBe(false);
    expect(englandAndWales.holidayName(noon)).toBe(name);
  });

  it('Scotland takes the 2 January substitute and St Andrew’s Day, which England works', () => {
    for (const day of ['2027-01-04', '2026-11-30']) {
      expect(scotland.isWorkingDay(london(`${day} 12:00`))).toBe(false);
      expect(englandAndWales.isWorkingDay(london(`${day} 12:00`))).toBe(true);
    }
    expect(scotland.holidayName(london('2027-01-04 12:00'))).toBe('January 2nd (substitute day)');
  });

  it('Scotland works Easter Monday and has its summer holiday at the start of August', () => {
    expect(scotland.isWorkingDay(london('2027-03-29 12:00'))).toBe(true);
    expect(scotland.isWorkingDay(london('2026-08-03 12:00'))).toBe(false);
    expect(englandAndWales.isWorkingDay(london('2026-08-03 12:00'))).toBe(true);
  });

  it('Northern Ireland takes St Patrick’s Day and the Twelfth, which the others work', () => {
    for (const day of ['2027-03-17', '2027-07-12']) {
      expect(northernIreland.isWorkingDay(london(`${day} 12:00`))).toBe(false);
      expect(englandAndWales.isWorkingDay(london(`${day} 12:00`))).toBe(true);
      expect(scotland.isWorkingDay(london(`${day} 12:00`))).toBe(true);
    }
  });

  it('does not count observances such as Mother’s Day as holidays', () => {
    expect(englandAndWales.holidayName(london('2026-03-15 12:00'))).toBeNull();
  });

  it('works weekdays that are not holidays and rests at weekends', () => {
    expect(englandAndWales.isWorkingDay(london('2027-01-05 12:00'))).toBe(true);
    expect(englandAndWales.isWorkingDay(london('2027-01-09 12:00'))).toBe(false);
    expect(englandAndWales.isWorkingDay(london('2027-01-10 12:00'))).toBe(false);
  });

  it('decides the day in the workspace zone, not in UTC', () => {
    // 23:30 UTC on Sunday 30 Aug 2026 is 00:30 BST on the Monday bank holiday.
    const instant = new Date('2026-08-30T23:30:00Z');
    expect(englandAndWales.isWorkingDay(instant)).toBe(false);
    expect(englandAndWales.holidayName(instant)).toBe('Summer bank holiday');
    // 23:30 UTC on Thursday 24 Dec 2026 is still Thursday in London (GMT) but Friday in Sydney.
    const christmasEve = new Date('2026-12-24T23:30:00Z');
    expect(englandAndWales.isWorkingDay(christmasEve)).toBe(true);
    expect(calendar({ timezone: 'Australia/Sydney' }).isWorkingDay(christmasEve)).toBe(false);
  });
});

describe('addWorkingDays', () => {
  it('moves forward over a weekend', () => {
    expect(wall(englandAndWales.addWorkingDays(london('2027-01-08 14:00'), 1))).toBe('2027-01-11 14:00');
  });

  it('counts back over Christmas, Boxing Day substitute and the weekend', () => {
    expect(wall(englandAndWales.addWorkingDays(london('2026-12-29 10:00'), -1))).toBe('2026-12-24 10:00');
  });

  it('finds "3 working days before" the first Monday of 2027 across New Year', () => {
    expect(wall(englandAndWales.addWorkingDays(london('2027-01-04 12:00'), -3))).toBe('2026-12-29 12:00');
    // In Scotland 4 January is itself a holiday, and 1 January is skipped as well.
    expect(wall(scotland.addWorkingDays(london('2027-01-05 12:00'), -1))).toBe('2026-12-31 12:00');
    expect(wall(englandAndWales.addWorkingDays(london('2027-01-05 12:00'), -1))).toBe('2027-01-04 12:00');
  });

  it('starts from a non-working day without counting it', () => {
    expect(wall(englandAndWales.addWorkingDays(london('2027-01-09 12:00'), 1))).toBe('2027-01-11 12:00');
    expect(wall(englandAndWales.addWorkingDays(london('2027-01-09 12:00'), -1))).toBe('2027-01-08 12:00');
  });

  it('returns the same moment for zero', () => {
    const saturday = london('2027-01-09 12:00');
    expect(englandAndWales.addWorkingDays(saturday, 0).getTime()).toBe(saturday.getTime());
  });

  it('keeps the wall-clock time across the October clock change', () => {
    const friday = london('2026-10-23 14:00');
    expect(friday.toISOString()).toBe('2026-10-23T13:00:00.000Z');
    expect(englandAndWales.addWorkingDays(friday, 1).toISOString()).toBe('2026-10-26T14:00:00.000Z');
  });

  it('keeps the wall-clock time across Easter 2027 and the March clock change', () => {
    const thursday = london('2027-03-25 09:00');
    expect(thursday.toISOString()).toBe('2027-03-25T09:00:00.000Z');
    // England: Good Friday, weekend (clocks go forward), Easter Monday → Tuesday.
    expect(englandAndWales.addWorkingDays(thursday, 1).toISOString()).toBe('2027-03-30T08:00:00.000Z');
    // Scotland works Easter Monday.
    expect(scotland.addWorkingDays(thursday, 1).toISOString()).toBe('2027-03-29T08:00:00.000Z');
    expect(englandAndWales.addWorkingDays(london('2027-03-30 09:00'), -1).toISOString()).toBe('2027-03-25T09:00:00.000Z');
  });

  it('refuses fractional or enormous offsets', () => {
    expect(() => englandAndWales.addWorkingDays(new Date(), 1.5)).toThrow(RangeError);
    expect(() => englandAndWales.addWorkingDays(new Date(), 1e9)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts the working days over Christmas per region, negative backwards', () => {
    const christmasEve = london('2026-12-24 16:00');
    const fifthJanuary = london('2027-01-05 09:00');
    expect(englandAndWales.workingDaysBetween(christmasEve, fifthJanuary)).toBe(5);
    expect(scotland.workingDaysBetween(christmasEve, fifthJanuary)).toBe(4);
    expect(englandAndWales.workingDaysBetween(fifthJanuary, christmasEve)).toBe(-5);
    expect(englandAndWales.workingDaysBetween(christmasEve, christmasEve)).toBe(0);
  });

  it('finds 253 working days in England and Wales in 2026 (261 weekdays, 8 bank holidays)', () => {
    expect(englandAndWales.workingDaysBetween(london('2025-12-31 12:00'), london('2026-12-31 12:00'))).toBe(253);
  });

  it('agrees with walking the calendar day by day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * 365 }),
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom(englandAndWales, scotland, northernIreland),
        (offset, span, cal) => {
          const from = new Date(Date.UTC(2025, 11, 1, 12) + offset * 86_400_000);
          let walked = 0;
          for (let i = 1; i <= span; i += 1) {
            if (cal.isWorkingDay(new Date(from.getTime() + i * 86_400_000))) walked += 1;
          }
          const to = new Date(from.getTime() + span * 86_400_000);
          return cal.workingDaysBetween(from, to) === walked && cal.workingDaysBetween(to, from) === -walked;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('undoes addWorkingDays from any working day, forwards and backwards', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 * 365 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: -300, max: 300 }),
        fc.constantFrom(englandAndWales, scotland, northernIreland),
        (offset, hour, n, cal) => {
          const start = cal.nextWorkingMorning(new Date(Date.UTC(2025, 0, 1) + offset * 86_400_000 + hour * 3_600_000));
          const moved = cal.addWorkingDays(start, n);
          return cal.isWorkingDay(moved) && cal.workingDaysBetween(start, moved) === n && wall(moved).endsWith('09:00');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('working hours', () => {
  it('finds the next working morning after Christmas Eve and over the clock changes', () => {
    expect(wall(englandAndWales.nextWorkingMorning(london('2026-12-24 15:00')))).toBe('2026-12-29 09:00');
    expect(englandAndWales.nextWorkingMorning(london('2026-10-23 18:00')).toISOString()).toBe('2026-10-26T09:00:00.000Z');
    expect(englandAndWales.nextWorkingMorning(london('2026-03-28 10:00')).toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('looks strictly past the day, even early on a working morning', () => {
    expect(wall(englandAndWales.nextWorkingMorning(london('2027-01-05 07:00')))).toBe('2027-01-06 09:00');
  });

  it('starts and ends the working day in local time on the clock-change Sundays', () => {
    expect(englandAndWales.startOfWorkingDay(london('2026-03-29 12:00')).toISOString()).toBe('2026-03-29T08:00:00.000Z');
    expect(englandAndWales.startOfWorkingDay(london('2026-10-25 12:00')).toISOString()).toBe('2026-10-25T09:00:00.000Z');
    expect(englandAndWales.endOfWorkingDay(london('2026-03-29 00:30')).toISOString()).toBe('2026-03-29T16:00:00.000Z');
  });

  it('uses the configured hours', () => {
    const late = calendar({ hoursStart: '10:30', hoursEnd: '18:45' });
    expect(wall(late.startOfWorkingDay(london('2027-01-05 12:00')))).toBe('2027-01-05 10:30');
    expect(wall(late.endOfWorkingDay(london('2027-01-05 12:00')))).toBe('2027-01-05 18:45');
  });

  describe('clampToWorkingHours', () => {
    it.each([
      ['inside hours on a working day', '2027-01-05 11:17', '2027-01-05 11:17'],
      ['at the opening time', '2027-01-05 09:00', '2027-01-05 09:00'],
      ['before opening', '2027-01-05 06:45', '2027-01-05 09:00'],
      ['at closing time', '2027-01-05 17:00', '2027-01-06 09:00'],
      ['after closing', '2027-01-05 22:00', '2027-01-06 09:00'],
      ['on Friday evening', '2027-01-08 17:30', '2027-01-11 09:00'],
      ['on a Saturday morning', '2027-01-09 08:00', '2027-01-11 09:00'],
      ['on Christmas Day', '2026-12-25 11:00', '2026-12-29 09:00'],
      ['before dawn on the Boxing Day substitute', '2026-12-28 07:00', '2026-12-29 09:00'],
      ['on the Saturday before the clocks go forward', '2026-03-28 12:00', '2026-03-30 09:00'],
    ])('%s', (_label, input, expected) => {
      expect(wall(englandAndWales.clampToWorkingHours(london(input)))).toBe(expected);
    });

    it('returns the very same instant, to the millisecond, when inside hours', () => {
      const inside = new Date(london('2027-01-05 11:17').getTime() + 12_345);
      expect(englandAndWales.clampToWorkingHours(inside).getTime()).toBe(inside.getTime());
    });
  });
});

describe('construction', () => {
  it.each([
    [{ timezone: 'Mars/Olympus' }],
    [{ hoursStart: '9am' }],
    [{ hoursStart: '17:00', hoursEnd: '09:00' }],
    [{ hoursEnd: '24:00' }],
  ])('refuses %j', (override) => {
    expect(
      () => new WorkingCalendar({ timezone: 'Europe/London', region: 'scotland', hoursStart: '09:00', hoursEnd: '17:00', ...override }),
    ).toThrow(RangeError);
  });

  it('reasons in any zone it is given', () => {
    const newYork = calendar({ timezone: 'America/New_York' });
    // 03:00 UTC on Tuesday 5 Jan 2027 is 22:00 on Monday in New York: after hours.
    expect(wall(newYork.clampToWorkingHours(new Date('2027-01-05T03:00:00Z')), 'America/New_York')).toBe('2027-01-05 09:00');
  });
});
