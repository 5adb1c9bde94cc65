import { describe, expect, it } from 'vitest';
import { civilFromDay, dayFromCivil, isRealDate, isValidTimeZone, parseClock, parseHHMM, weekdayOf } from '../../src/core/time/civil-day.js';

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
