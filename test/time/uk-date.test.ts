import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseUkDate } from '../../src/core/time/uk-date.js';
import { calendar, london, wall } from './helpers.js';

// Closing at 17:30 so that "no time given" visibly means the end of the working day.
const cal = calendar({ hoursEnd: '17:30' });
const mondayMorning = london('2027-01-11 10:00');

function read(text: string, now = mondayMorning, defaultTime?: string): string {
  const result = parseUkDate(text, { now, calendar: cal, ...(defaultTime ? { defaultTime } : {}) });
  if (!result.ok) throw new Error(result.error);
  return wall(result.date);
}

function refused(text: string, now = mondayMorning): string {
  const result = parseUkDate(text, { now, calendar: cal });
  if (result.ok) throw new Error(`read ${JSON.stringify(text)} as ${wall(result.date)}`);
  return result.error;
}

describe('parseUkDate: numeric and ISO dates', () => {
  it.each([
    ['15/01/2027', '2027-01-15 17:30'],
    ['15/1/27', '2027-01-15 17:30'],
    ['15-01-2027', '2027-01-15 17:30'],
    ['15.01.2027', '2027-01-15 17:30'],
    ['2027-01-15', '2027-01-15 17:30'],
    ['2027-01-15T09:15', '2027-01-15 09:15'],
    ['2027/01/15', '2027-01-15 17:30'],
    ['15/01/2027 17:30', '2027-01-15 17:30'],
    ['15/01/2027 9am', '2027-01-15 09:00'],
    ['15/01/2027, at 12:45', '2027-01-15 12:45'],
    ['by 15/01/2027', '2027-01-15 17:30'],
    ['29/02/2028', '2028-02-29 17:30'],
  ])('reads %s', (text, expected) => {
    expect(read(text)).toBe(expected);
  });

  it('reads day first, always', () => {
    expect(read('03/04/2027')).toBe('2027-04-03 17:30');
    expect(read('12/11/2027')).toBe('2027-11-12 17:30');
  });

  it('places a summer date in BST', () => {
    const result = parseUkDate('03/07/2027 12:00', { now: mondayMorning, calendar: cal });
    expect(result.ok && result.date.toISOString()).toBe('2027-07-03T11:00:00.000Z');
  });

  it('takes the next such date when the year is left out', () => {
    expect(read('15/01')).toBe('2027-01-15 17:30');
    expect(read('01/01')).toBe('2028-01-01 17:30');
  });

  it('uses the given default time for a date without one', () => {
    expect(read('15/01/2027', mondayMorning, '09:00')).toBe('2027-01-15 09:00');
  });

  it.each(['31/02/2027', '32/01/2027', '29/02/2027', '15/13/2027', '00/01/2027', '15/01/2027 25:00', '15/01-2027', '15/01/202', '2027-13-01'])(
    'refuses %s',
    (text) => {
      expect(refused(text)).toContain(text);
    },
  );
});

describe('parseUkDate: words', () => {
  it.each([
    ['today', '2027-01-11 17:30'],
    ['tomorrow', '2027-01-12 17:30'],
    ['tomorrow 9am', '2027-01-12 09:00'],
    ['Tomorrow at noon', '2027-01-12 12:00'],
    ['15 Jan 2027', '2027-01-15 17:30'],
    ['15 January 2027 12:00', '2027-01-15 12:00'],
    ['15th Sept 2027', '2027-09-15 17:30'],
    ['Friday', '2027-01-15 17:30'],
    ['friday 5pm', '2027-01-15 17:00'],
    ['next Friday 5pm', '2027-01-22 17:00'],
    ['next tuesday at 9.30am', '2027-01-19 09:30'],
    ['in 3 days', '2027-01-14 17:30'],
    ['in 2 weeks', '2027-01-25 17:30'],
    ['in a week', '2027-01-18 17:30'],
    ['in 3 working days', '2027-01-14 17:30'],
    ['in 3 working days 10am', '2027-01-14 10:00'],
    ['in 4 hours', '2027-01-11 14:00'],
    ['in 2 months', '2027-03-11 17:30'],
    ['tomorrow morning', '2027-01-12 09:00'],
    ['Friday morning', '2027-01-15 09:00'],
    ['noon', '2027-01-11 12:00'],
    ['5pm', '2027-01-11 17:00'],
    ['17:00', '2027-01-11 17:00'],
    ['5.30pm', '2027-01-11 17:30'],
  ])('reads %s on Monday 11 Jan 2027 at 10:00', (text, expected) => {
    expect(read(text)).toBe(expected);
  });

  it('moves a time that has passed today to tomorrow', () => {
    const afternoon = london('2027-01-11 13:00');
    expect(read('noon', afternoon)).toBe('2027-01-12 12:00');
    expect(read('9am', afternoon)).toBe('2027-01-12 09:00');
    expect(read('17:00', afternoon)).toBe('2027-01-11 17:00');
  });

  it('reads a bare weekday late on that weekday as next week’s', () => {
    const fridayEvening = london('2027-01-15 18:00');
    expect(read('Friday', fridayEvening)).toBe('2027-01-22 17:30');
    expect(read('Friday', london('2027-01-15 08:00'))).toBe('2027-01-15 17:30');
  });

  it('reads a weekday or day-month that has passed as the next one', () => {
    const saturday = london('2027-01-16 10:00');
    expect(read('Friday', saturday)).toBe('2027-01-22 17:30');
    expect(read('Monday', london('2027-01-13 10:00'))).toBe('2027-01-18 17:30');
    expect(read('15 Jan', london('2027-02-01 10:00'))).toBe('2028-01-15 17:30');
    expect(read('last Friday', saturday)).toBe('2027-01-15 17:30');
  });

  it('counts working days over bank holidays', () => {
    // From Christmas Eve 2026: 25th, weekend and the 28th are skipped.
    expect(read('in 3 working days', london('2026-12-24 10:00'))).toBe('2026-12-31 17:30');
    expect(read('in 1 working day', london('2026-12-24 10:00'))).toBe('2026-12-29 17:30');
  });

  it('keeps wall-clock times across the March clock change', () => {
    const fridayBefore = london('2026-03-27 10:00');
    const inThreeDays = parseUkDate('in 3 days', { now: fridayBefore, calendar: cal });
    expect(inThreeDays.ok && inThreeDays.date.toISOString()).toBe('2026-03-30T16:30:00.000Z');
    const monday = parseUkDate('Monday 9am', { now: fridayBefore, calendar: cal });
    expect(monday.ok && monday.date.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('keeps wall-clock times across the October clock change', () => {
    const saturday = london('2026-10-24 10:00');
    expect(saturday.toISOString()).toBe('2026-10-24T09:00:00.000Z');
    const tomorrow = parseUkDate('tomorrow 10am', { now: saturday, calendar: cal });
    expect(tomorrow.ok && tomorrow.date.toISOString()).toBe('2026-10-25T10:00:00.000Z');
  });

  it('uses the workspace zone for "today"', () => {
    // 23:30 UTC on 11 Jul 2027 is already 12 July in London.
    const lateUtc = new Date('2027-07-11T23:30:00Z');
    expect(read('today', lateUtc)).toBe('2027-07-12 17:30');
  });
});

describe('parseUkDate: refusals', () => {
  it('explains itself with examples', () => {
    expect(refused('banana')).toBe(
      'I couldn\'t read "banana" as a date. Try 15/01/2027, 15 Jan 2027 12:00, next Friday 5pm or in 3 working days.',
    );
  });

  it.each(['', '   ', 'garbage', 'garbage 15 Jan', '15 Jan 2027 25:00', 'January 2027', 'in 99999 days', 'in -3 days', 'in 3 fortnights', 'soon', '{"$gt": ""}'])(
    'refuses %j',
    (text) => {
      expect(refused(text)).toMatch(/^I couldn't read ".*" as a date\./);
    },
  );

  it('shortens a very long text in the echo and stays on one line', () => {
    const error = refused(`${'x'.repeat(10_000)}\n15/01/2027`);
    expect(error).toContain(`"${'x'.repeat(40)}…"`);
    expect(error.length).toBeLessThan(200);
    expect(refused('15/01\n/2027')).not.toContain('\n');
  });

  it('refuses an invalid reference time instead of throwing', () => {
    expect(parseUkDate('today', { now: new Date(NaN), calendar: cal }).ok).toBe(false);
  });

  it('never throws and only ever returns real dates, whatever the text', () => {
    const pieces = fc.constantFrom(
      '15', '/', '-', '.', '01', '2027', '27', ' ', 'jan', 'friday', 'next', 'in', '3', 'working', 'days', 'weeks',
      'at', '5pm', '17:30', 'noon', 'today', 'tomorrow', 'last', 'ago', ',', '99', '0', '31', '02', 'T', ':',
    );
    const textArb = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.array(pieces, { maxLength: 8 }).map((parts) => parts.join('')),
      fc.array(pieces, { maxLength: 8 }).map((parts) => parts.join(' ')),
    );
    const nowArb = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });
    fc.assert(
      fc.property(textArb, nowArb, (text, now) => {
        const result = parseUkDate(text, { now, calendar: cal });
        if (result.ok) return !Number.isNaN(result.date.getTime());
        return result.error.startsWith("I couldn't read \"");
      }),
      { numRuns: 1500 },
    );
  });
});
