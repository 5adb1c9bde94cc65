/**
 * How long to put something off: the `task snooze <task> <duration>` form.
 */
import { dayOf, instantAt, wallClockOf } from './civil-day.js';
import { echoForReply } from './uk-format.js';
import type { WorkingCalendar } from './working-days.js';

/**
 * A span of time. Hours are exact elapsed time; days are calendar days at the same
 * wall-clock time (so a clock change does not shift the hour); working days skip
 * weekends and the calendar's bank holidays. Weeks are read as seven days.
 */
export interface SnoozeDuration {
  kind: 'hours' | 'days' | 'workingDays';
  /** A positive whole number. */
  amount: number;
}

/** A parsed duration, or a reply-ready explanation. */
export type ParseDurationResult = ({ ok: true } & SnoozeDuration) | { ok: false; error: string };

/** Caps: a year of hours, ten years of days. Longer snoozes are typos. */
const MAX_HOURS = 24 * 366;
const MAX_DAYS = 3660;

const UNITS: ReadonlyArray<{ pattern: RegExp; kind: SnoozeDuration['kind']; factor: number }> = [
  { pattern: /^(?:wd|working ?days?|business ?days?)$/, kind: 'workingDays', factor: 1 },
  { pattern: /^(?:h|hrs?|hours?)$/, kind: 'hours', factor: 1 },
  { pattern: /^(?:d|days?)$/, kind: 'days', factor: 1 },
  { pattern: /^(?:w|wks?|weeks?)$/, kind: 'days', factor: 7 },
];

/**
 * Reads `2d`, `3 days`, `1 working day`, `2wd`, `4h`, `2 hours`, `1w`, `2 weeks`,
 * `a day`. Never throws.
 */
export function parseDuration(text: string): ParseDurationResult {
  if (typeof text !== 'string' || text.length > 40) return durationFailure(text);
  const match = /^(\d{1,5}|an?|one) ?([a-z][a-z ]*)$/.exec(text.toLowerCase().replace(/\s+/g, ' ').trim());
  if (!match) return durationFailure(text);
  const count = /^\d/.test(match[1] ?? '') ? Number(match[1]) : 1;
  const unit = UNITS.find((u) => u.pattern.test((match[2] ?? '').trim()));
  if (!unit || count < 1) return durationFailure(text);
  const amount = count * unit.factor;
  const max = unit.kind === 'hours' ? MAX_HOURS : MAX_DAYS;
  if (amount > max) return durationFailure(text);
  return { ok: true, kind: unit.kind, amount };
}

/** The instant `duration` after `date`, in the calendar's zone. */
export function applyDuration(date: Date, duration: SnoozeDuration, calendar: WorkingCalendar): Date {
  switch (duration.kind) {
    case 'hours':
      return new Date(date.getTime() + duration.amount * 3_600_000);
    case 'days':
      return instantAt(dayOf(date, calendar.timezone) + duration.amount, wallClockOf(date, calendar.timezone), calendar.timezone);
    case 'workingDays':
      return calendar.addWorkingDays(date, duration.amount);
  }
}

function durationFailure(text: unknown): { ok: false; error: string } {
  return { ok: false, error: `I couldn't read "${echoForReply(text)}" as a length of time. Try 2d, 3 days, 1 working day, 4h or 1w.` };
}
