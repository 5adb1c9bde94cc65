/**
 * Money as people type it in chat, in whole pounds sterling.
 *
 * Amounts are plain numbers of pounds. Pence never matter for tender values, incomes or
 * capacities, so parsing rounds to whole pounds and formatting never shows pence.
 */

/** Largest amount accepted: far above any public-service contract, so larger input is a typo. */
export const MAX_MONEY = 1e12;

const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
};

// Thousands separators must group in threes ("75,000", not "7,5000"), so a mistyped
// comma is rejected rather than silently read as a different number.
const MONEY_PATTERN = /^£?\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*([a-z]*)$/;

/**
 * Reads an amount of money: `£1.2m`, `1.2m`, `250k`, `£250K`, `75000`, `75,000`,
 * `£75,000.50`, `1.5 million`, `2bn`.
 *
 * @returns whole pounds (rounded), or `null` when the text is empty, negative, above
 * {@link MAX_MONEY}, or holds anything other than an optional `£`, a number and a
 * k/m/bn/thousand/million/billion suffix.
 */
export function parseMoney(text: string): number | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const match = MONEY_PATTERN.exec(text.trim().toLowerCase());
  if (!match) return null;
  const digits = (match[1] ?? '').replace(/,/g, '');
  const multiplier = MULTIPLIERS[match[2] ?? ''];
  if (multiplier === undefined) return null;
  const value = Math.round(Number(digits) * multiplier);
  if (!Number.isFinite(value) || value < 0 || value > MAX_MONEY) return null;
  return value;
}

/**
 * Short form for chat: `£2bn`, `£1.2m`, `£1.25m`, `£250k`, `£75,000`.
 *
 * Amounts from £100k upwards are abbreviated (k to whole thousands, m and bn to at most
 * two decimals); smaller amounts are shown exactly, since there the pounds matter.
 * Negative amounts get a leading minus; a non-finite number shows as `£?`.
 */
export function formatMoney(n: number): string {
  if (!Number.isFinite(n)) return '£?';
  if (n < 0) return `-${formatMoney(-n)}`;
  const pounds = Math.round(n);
  if (pounds < 100_000) return formatMoneyExact(pounds);
  // Rounding can carry into the next unit (999,999 → "1000k"), so each unit is tried
  // in turn and the first whose rounded figure stays below 1,000 wins.
  const thousands = Math.round(pounds / 1e3);
  if (thousands < 1000) return `£${thousands}k`;
  const millions = roundTo2(pounds / 1e6);
  if (millions < 1000) return `£${trimDecimals(millions)}m`;
  return `£${trimDecimals(roundTo2(pounds / 1e9))}bn`;
}

/** Exact form with thousands separators, whole pounds: `£1,200,000`. A non-finite number shows as `£?`. */
export function formatMoneyExact(n: number): string {
  if (!Number.isFinite(n)) return '£?';
  const pounds = Math.round(Math.abs(n));
  const grouped = String(pounds).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 && pounds !== 0 ? `-£${grouped}` : `£${grouped}`;
}

function roundTo2(x: number): number {
  return Math.round(x * 100) / 100;
}

function trimDecimals(x: number): string {
  return x.toFixed(2).replace(/\.?0+$/, '');
}
