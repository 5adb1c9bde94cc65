import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_MONEY, formatMoney, formatMoneyExact, parseMoney } from '../src/core/money.js';

describe('parseMoney', () => {
  it.each([
    ['£1.2m', 1_200_000],
    ['1.2m', 1_200_000],
    ['250k', 250_000],
    ['£250K', 250_000],
    ['75000', 75_000],
    ['75,000', 75_000],
    ['£75,000.50', 75_001],
    ['£75,000.49', 75_000],
    ['1.5 million', 1_500_000],
    ['2bn', 2_000_000_000],
    ['£1.25M', 1_250_000],
    ['3 thousand', 3_000],
    ['£ 40,000', 40_000],
    ['  12k  ', 12_000],
    ['0', 0],
    ['1,234,567', 1_234_567],
    ['1,000,000,000,000', 1e12],
  ])('reads %s as %d pounds', (text, pounds) => {
    expect(parseMoney(text)).toBe(pounds);
  });

  it.each([
    '',
    '   ',
    '£',
    '-5',
    '-£5',
    '£-5',
    'NaN',
    'Infinity',
    'abc',
    '12 apples',
    '1.2.3',
    '7,5000',
    '1,00',
    '£1.2mm',
    '1.2 m/yr',
    '$100',
    '1e6',
    '1001bn',
    '2000000000000',
    '1'.repeat(500),
  ])('refuses %j', (text) => {
    expect(parseMoney(text)).toBeNull();
  });

  it('accepts exactly the ceiling and nothing above it', () => {
    expect(parseMoney('1000bn')).toBe(MAX_MONEY);
    expect(parseMoney('1000.01bn')).toBeNull();
  });

  it('reads back every exact form it writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MONEY }), (n) => parseMoney(formatMoneyExact(n)) === n),
      { numRuns: 500 },
    );
  });

  it('reads back every short form it writes to within half a percent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_MONEY }), (n) => {
        const back = parseMoney(formatMoney(n));
        return back !== null && Math.abs(back - n) <= n * 0.005;
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatMoney', () => {
  it.each([
    [1_200_000, '£1.2m'],
    [1_250_000, '£1.25m'],
    [1_000_000, '£1m'],
    [250_000, '£250k'],
    [100_000, '£100k'],
    [123_456, '£123k'],
    [75_000, '£75,000'],
    [99_999, '£99,999'],
    [999, '£999'],
    [0, '£0'],
    [999_999, '£1m'],
    [999_999_999, '£1bn'],
    [2_000_000_000, '£2bn'],
    [12_345_678_901, '£12.35bn'],
    [-250_000, '-£250k'],
    [NaN, '£?'],
  ])('writes %d as %s', (n, text) => {
    expect(formatMoney(n)).toBe(text);
  });
});

describe('formatMoneyExact', () => {
  it.each([
    [1_200_000, '£1,200,000'],
    [75_000.5, '£75,001'],
    [999, '£999'],
    [0, '£0'],
    [-1234, '-£1,234'],
    [Infinity, '£?'],
  ])('writes %d as %s', (n, text) => {
    expect(formatMoneyExact(n)).toBe(text);
  });
});
