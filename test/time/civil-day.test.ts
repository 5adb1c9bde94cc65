import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { civilFromDay, dayFromCivil, dayOf, instantAt, isRealDate, isValidTimeZone, parseClock, parseHHMM, wallClockOf, weekdayOf } from '../../src/core/time/civil-day.js';

describe('parseClock', () => {
  it.each([
    ['17:30', 17, 30],
    ['9:05', 9, 5],
    ['5pm', 17, 0],
    ['5 PM', 17, 0],
    ['5:30pm', 17, 30],
    ['5.30pm', 17, 30],
    ['12am', 0, 0],
    ['12pm', 12, 0],
    ['12:15 a.m.', 0, 15],
    ['noon', 12, 0],
    ['midday', 12, 0],
    ['midnight', 0, 0],
    ['00:00', 0, 0],
  ])('reads %s as %d:%d', (text, hour, minute) => {
    expect(parseClock(text)).toEqual({ hour, minute });
  });

  it.each(['24:00', '17:60', '13pm', '0am', '5', 'five', '', '5:3pm', '1730'])('refuses %j', (text) => {
    expect(parseClock(text)).toBeNull();
  });
});

describe('parseHHMM', () => {
  it('accepts only the stored two-digit form', () => {
    expect(parseHHMM('09:00')).toEqual({ hour: 9, minute: 0 });
    expect(parseHHMM('9:00')).toBeNull();
    expect(parseHHMM('23:59')).toEqual({ hour: 23, minute: 59 });
    expect(parseHHMM('24:00')).toBeNull();
  });
});

describe('day numbers', () => {
  it('round-trips dates and knows the weekday', () => {
    const day = dayFromCivil({ year: 2027, month: 1, day: 15 });
    expect(civilFromDay(day)).toEqual({ year: 2027, month: 1, day: 15 });
    expect(weekdayOf(day)).toBe(5);
    expect(weekdayOf(dayFromCivil({ year: 1969, month: 12, day: 28 }))).toBe(0);
  });

  it('knows which dates exist', () => {
    expect(isRealDate({ year: 2028, month: 2, day: 29 })).toBe(true);
    expect(isRealDate({ year: 2027, month: 2, day: 29 })).toBe(false);
    expect(isRealDate({ year: 2027, month: 4, day: 31 })).toBe(false);
    expect(isRealDate({ year: 2027, month: 0, day: 1 })).toBe(false);
  });

  it('knows real time zones', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('Europe/Londres')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('placing instants in zones, from remembered offsets', () => {
  // Zones with clock changes at different times of day, half- and quarter-hour offsets,
  // and one that moves across the date line.
  const zones = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Apia', 'UTC'];
  const DAY = 86_400_000;
  const luxonDay = (ms: number, zone: string) => { const dt = DateTime.fromMillis(ms, { zone }); return dayFromCivil({ year: dt.year, month: dt.month, day: dt.day }); };

  it('agrees with the time-zone database on the day and the wall clock, clock changes included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), (zone, ms) => {
        const dt = DateTime.fromMillis(ms, { zone });
        expect(dayOf(new Date(ms), zone)).toBe(luxonDay(ms, zone));
        expect(wallClockOf(new Date(ms), zone)).toEqual({ hour: dt.hour, minute: dt.minute, second: dt.second, millisecond: dt.millisecond });
      }),
      { numRuns: 3000 },
    );
  });

  it('is exact on both sides of every clock change in London in 2027, to the millisecond', () => {
    for (const change of [Date.UTC(2027, 2, 28, 1), Date.UTC(2027, 9, 31, 1)]) {
      for (const ms of [change - 1, change, change + 1, change - 15 * 60_000, change + DAY]) {
        const dt = DateTime.fromMillis(ms, { zone: 'Europe/London' });
        expect(wallClockOf(new Date(ms), 'Europe/London')).toEqual({ hour: dt.hour, minute: dt.minute, second: dt.second, millisecond: dt.millisecond });
        expect(dayOf(new Date(ms), 'Europe/London')).toBe(luxonDay(ms, 'Europe/London'));
      }
    }
  });

  it('builds the same instant from a day and a time, asked once or many times', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: dayFromCivil({ year: 2020, month: 1, day: 1 }), max: dayFromCivil({ year: 2035, month: 1, day: 1 }) }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (zone, day, hour, minute) => {
        const c = civilFromDay(day);
        const expected = DateTime.fromObject({ ...c, hour, minute }, { zone }).toMillis();
        expect(instantAt(day, { hour, minute }, zone).getTime()).toBe(expected);
        expect(instantAt(day, { hour, minute }, zone).getTime()).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
