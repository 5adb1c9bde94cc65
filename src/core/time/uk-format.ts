/**
 * Dates as the bot writes them: `Fri 15 Jan 2027, 17:00`, in the workspace's zone.
 *
 * Names are spelt out here rather than taken from `Intl`, whose British short month
 * for September ("Sept") varies between ICU versions; replies must read the same on
 * every machine.
 */
import { DateTime } from 'luxon';
import { dayOf, isValidTimeZone } from './civil-day.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Zone used when a stored zone is unknown: the product's default, so a reply still renders. */
const FALLBACK_ZONE = 'Europe/London';

function inZone(date: Date, timezone: string): DateTime | null {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return null;
  const dt = DateTime.fromJSDate(date, { zone: isValidTimeZone(timezone) ? timezone : FALLBACK_ZONE });
  return dt.isValid ? dt : null;
}

/** `Fri 15 Jan 2027`. An invalid date renders as `unknown date`. */
export function formatUkDay(date: Date, timezone: string): string {
  const dt = inZone(date, timezone);
  if (!dt) return 'unknown date';
  return `${WEEKDAYS[dt.weekday - 1] ?? ''} ${dt.day} ${MONTHS[dt.month - 1] ?? ''} ${dt.year}`;
}

/** `Fri 15 Jan 2027, 17:00` (24-hour clock). An invalid date renders as `unknown date`. */
export function formatUkDate(date: Date, timezone: string): string {
  const dt = inZone(date, timezone);
  if (!dt) return 'unknown date';
  return `${formatUkDay(date, timezone)}, ${dt.toFormat('HH:mm')}`;
}

/**
 * How far `date` is from `now` in whole calendar days of the zone: `today`, `tomorrow`,
 * `yesterday`, `in 3 days`, `2 days ago`. Times of day are ignored, so 23:00 tonight
 * is "today" and 09:00 tomorrow is "tomorrow", however few hours away.
 */
export function formatRelative(date: Date, now: Date, timezone: string): string {
  if (!inZone(date, timezone) || !inZone(now, timezone)) return 'unknown date';
  const zone = isValidTimeZone(timezone) ? timezone : FALLBACK_ZONE;
  const days = dayOf(date, zone) - dayOf(now, zone);
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}

/** Most characters of a user's text echoed back in an error reply. */
const ECHO_LIMIT = 40;

/**
 * A user's text made safe to quote in a one-line reply: control characters and line
 * breaks become spaces, and anything past 40 characters is cut with an ellipsis.
 */
export function echoForReply(text: unknown): string {
  const raw = typeof text === 'string' ? text.slice(0, ECHO_LIMIT * 4) : '';
  const clean = raw.replace(/[\p{Cc}\s]+/gu, ' ').trim();
  const chars = Array.from(clean);
  return chars.length > ECHO_LIMIT ? `${chars.slice(0, ECHO_LIMIT).join('')}…` : clean;
}
