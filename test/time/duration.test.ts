import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyDuration, parseDuration } from '../../src/core/time/duration.js';
import { calendar, london, wall } from './helpers.js';

const cal = calendar();

describe('parseDuration', () => {
  it.each([
    ['2d', 'days', 2],
    ['3 days', 'days', 3],
    ['a day', 'days', 1],
    ['1 working day', 'workingDays', 1],
    ['2 working days', 'workingDays', 2],
    ['2wd', 'workingDays', 2],
    ['3 business days', 'workingDays', 3],
    ['4h', 'hours', 4],
    ['2 hours', 'hours', 2],
    ['an hour', 'hours', 1],
    ['1w', 'days', 7],
    ['2 weeks', 'days', 14],
    ['  3  DAYS ', 'days', 3],
  ])('reads %j', (text, kind, amount) => {
    expect(parseDuration(text)).toEqual({ ok: true, kind, amount });
  });

  it.each(['', '0d', '-1d', '1.5h', 'd', 'days', '2 fortnights', '3 dayz', '2d3h', '100000h', '9999 weeks', 'tomorrow'])(
    'refuses %j with the accepted forms',
    (text) => {
      const result = parseDuration(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^I couldn't read ".*" as a length of time\. Try 2d/);
    },
  );

  it('never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => typeof parseDuration(text).ok === 'boolean'),
      { numRuns: 500 },
    );
  });
});

describe('applyDuration', () => {
  it('adds exact hours across the March clock change', () => {
    const saturdayNoon = london('2026-03-28 12:00');
    expect(wall(applyDuration(saturdayNoon, { kind: 'hours', amount: 24 }, cal))).toBe('2026-03-29 13:00');
  });

  it('adds calendar days at the same wall-clock time across the clock change', () => {
    const saturdayNoon = london('2026-03-28 12:00');
    expect(wall(applyDuration(saturdayNoon, { kind: 'days', amount: 1 }, cal))).toBe('2026-03-29 12:00');
    expect(wall(applyDuration(london('2026-10-24 12:00'), { kind: 'days', amount: 7 }, cal))).toBe('2026-10-31 12:00');
  });

  it('skips weekends and bank holidays for working days', () => {
    expect(wall(applyDuration(london('2026-12-24 11:00'), { kind: 'workingDays', amount: 1 }, cal))).toBe('2026-12-29 11:00');
  });

  it('composes with parseDuration for a snooze', () => {
    const parsed = parseDuration('2 working days');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(wall(applyDuration(london('2027-01-08 15:00'), parsed, cal))).toBe('2027-01-12 15:00');
  });
});
