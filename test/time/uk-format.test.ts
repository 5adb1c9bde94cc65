import { describe, expect, it } from 'vitest';
import { echoForReply, formatRelative, formatUkDate, formatUkDay } from '../../src/core/time/uk-format.js';
import { LONDON, london } from './helpers.js';

describe('formatUkDate and formatUkDay', () => {
  it('writes a winter date in GMT', () => {
    const date = new Date('2027-01-15T17:00:00Z');
    expect(formatUkDate(date, LONDON)).toBe('Fri 15 Jan 2027, 17:00');
    expect(formatUkDay(date, LONDON)).toBe('Fri 15 Jan 2027');
  });

  it('writes a summer date in BST', () => {
    expect(formatUkDate(new Date('2027-07-15T16:00:00Z'), LONDON)).toBe('Thu 15 Jul 2027, 17:00');
  });

  it('writes September as Sep on every machine', () => {
    expect(formatUkDay(new Date('2027-09-06T12:00:00Z'), LONDON)).toBe('Mon 6 Sep 2027');
  });

  it('writes the hour after the October clock change', () => {
    expect(formatUkDate(new Date('2026-10-25T01:30:00Z'), LONDON)).toBe('Sun 25 Oct 2026, 01:30');
    expect(formatUkDate(new Date('2026-10-25T00:30:00Z'), LONDON)).toBe('Sun 25 Oct 2026, 01:30');
  });

  it('writes in the zone it is given', () => {
    expect(formatUkDate(new Date('2027-01-15T17:00:00Z'), 'Asia/Tokyo')).toBe('Sat 16 Jan 2027, 02:00');
  });

  it('falls back to London for an unknown zone and survives an invalid date', () => {
    expect(formatUkDate(new Date('2027-07-15T16:00:00Z'), 'Nowhere/Special')).toBe('Thu 15 Jul 2027, 17:00');
    expect(formatUkDate(new Date(NaN), LONDON)).toBe('unknown date');
  });
});

describe('formatRelative', () => {
  const now = london('2027-01-11 10:00');
  it.each([
    ['2027-01-11 23:59', 'today'],
    ['2027-01-11 00:01', 'today'],
    ['2027-01-12 09:00', 'tomorrow'],
    ['2027-01-10 18:00', 'yesterday'],
    ['2027-01-14 17:00', 'in 3 days'],
    ['2027-01-09 10:00', '2 days ago'],
    ['2027-02-10 10:00', 'in 30 days'],
  ])('calls %s %s', (wallClock, expected) => {
    expect(formatRelative(london(wallClock), now, LONDON)).toBe(expected);
  });

  it('counts calendar days in the zone, not UTC', () => {
    // 22:30 and 23:30 UTC on 14 July are 23:30 on the 14th and 00:30 on the 15th in London.
    expect(formatRelative(new Date('2027-07-14T23:30:00Z'), new Date('2027-07-14T22:30:00Z'), LONDON)).toBe('tomorrow');
  });
});

describe('echoForReply', () => {
  it('keeps short text, flattens line breaks and shortens long text', () => {
    expect(echoForReply('15/13/2027')).toBe('15/13/2027');
    expect(echoForReply('a\nb\u0000c')).toBe('a b c');
    expect(echoForReply('y'.repeat(500))).toBe(`${'y'.repeat(40)}…`);
    expect(echoForReply(undefined)).toBe('');
  });
});
