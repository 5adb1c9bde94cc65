/**
 * Dates as the bot writes them: `Fri 15 Jan 2027, 17:00`, in the workspace's zone.
 *
 * Names are spelt out here rather than taken from `Intl`, whose British short month
 * for September ("Sept") varies between ICU versions; replies must read the same on
 * every machine.
 */
import { civilFromDay, dayOf, isValidTimeZone, wallClockOf, weekdayOf } from './civil-day.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Zone used when a stored zone is unknown: the product's default, so a reply still renders. */
const FALLBACK_ZONE = 'Europe/London';

function zoneOf(timezone: string): string {
  return isValidTimeZone(timezone) ? timezone : FALLBACK_ZONE;
}

/** The day number of `date` in the zone, or null for a date that cannot be placed. */
function placed(date: Date, zone: string): number | null {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return null;
  try {
    return dayOf(date, zone);
  } catch {
    return null;
  }
}

/** `Fri 15 Jan 2027` for a day number. */
function dayText(day: number): string {
  const c = civilFromDay(day);
  return `${WEEKDAYS[(weekdayOf(day) + 6) % 7] ?? ''} ${c.day} ${MONTHS[c.month - 1] ?? ''} ${c.year}`;
}

/** `Fri 15 Jan 2027`. An invalid date renders as `unknown date`. */
export function formatUkDay(date: Date, timezone: string): string {
  const day = placed(date, zoneOf(timezone));
  return day === null ? 'unknown date' : dayText(day);
}

/** `Fri 15 Jan 2027, 17:00` (24-hour clock). An invalid date renders as `unknown date`. */
export function formatUkDate(date: Date, timezone: string): string {
  const zone = zoneOf(timezone);
  const day = placed(date, zone);
  if (day === null) return 'unknown date';
  const t = wallClockOf(date, zone);
  return `${dayText(day)}, ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

/**
 * How far `date` is from `now` in whole calendar days of the zone: `today`, `tomorrow`,
 * `yesterday`, `in 3 days`, `2 days ago`. Times of day are ignored, so 23:00 tonight
 * is "today" and 09:00 tomorrow is "tomorrow", however few hours away.
 */
export function formatRelative(date: Date, now: Date, timezone: string): string {
  const zone = zoneOf(timezone);
  const a = placed(date, zone);
  const b = placed(now, zone);
  if (a === null || b === null) return 'unknown date';
  const days = a - b;
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
