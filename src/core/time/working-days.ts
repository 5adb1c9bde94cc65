/**
 * Working days and working hours of a workspace: Monday to Friday, less the UK bank
 * holidays of its region, between its opening and closing times, in its time zone.
 */
import Holidays from 'date-holidays';
import type { HolidayRegion } from '../domain.js';
import {
  dayFromCivil,
  dayOf,
  instantAt,
  isValidTimeZone,
  minutesOf,
  parseHHMM,
  wallClockOf,
  weekdayOf,
  type ClockTime,
} from './civil-day.js';

/** How a workspace works; mirrors the time fields of `WorkspaceSettings`. */
export interface WorkingCalendarOptions {
  /** IANA time zone all dates are reasoned in, e.g. `Europe/London`. */
  timezone: string;
  /** Whose bank holidays are days off. England and Wales share theirs. */
  region: HolidayRegion;
  /** Start of working hours, 24-hour `HH:MM`, e.g. `09:00`. */
  hoursStart: string;
  /** End of working hours, 24-hour `HH:MM`, later than `hoursStart`, e.g. `17:30`. */
  hoursEnd: string;
}

/** Largest working-day offset accepted: about forty years, far beyond any bid timetable. */
export const MAX_WORKING_DAY_OFFSET = 10_000;

// date-holidays names the UK nations by ISO 3166-2 subdivision; England and Wales have
// identical bank holidays, so England's list serves both.
const REGION_STATE: Readonly<Record<HolidayRegion, string>> = {
  'england-and-wales': 'ENG',
  scotland: 'SCT',
  'northern-ireland': 'NIR',
};

// Holiday lists are pure functions of region and year, so they are shared by every
// calendar in the process. Observances (Mother's Day, Easter Sunday) are not days off.
const holidaySources = new Map<HolidayRegion, Holidays>();
const holidayCache = new Map<string, ReadonlyMap<number, string>>();

function holidaysIn(region: HolidayRegion, year: number): ReadonlyMap<number, string> {
  const key = `${region}:${year}`;
  const cached = holidayCache.get(key);
  if (cached) return cached;
  let source = holidaySources.get(region);
  if (!source) {
    source = new Holidays('GB', REGION_STATE[region], { types: ['public', 'bank'] });
    holidaySources.set(region, source);
  }
  const days = new Map<number, string>();
  for (const holiday of source.getHolidays(year)) {
    if (holiday.type !== 'public' && holiday.type !== 'bank') continue;
    // The date string is the local calendar date ("2026-12-28 00:00:00"), independent
    // of the workspace's zone, which is what a day off is.
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(holiday.date);
    if (!match) continue;
    days.set(dayFromCivil({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }), holiday.name);
  }
  holidayCache.set(key, days);
  return days;
}

/**
 * Working-day arithmetic for one workspace. Every `Date` in and out is an instant; which
 * calendar day it falls on, and what time it is there, is decided in the workspace's
 * zone, so clock changes (last Sunday of March and October in the UK) are handled.
 *
 * The constructor throws a `RangeError` for an unknown zone or malformed hours: settings
 * are validated before they are stored, so that is a programming error.
 */
export class WorkingCalendar {
  readonly timezone: string;
  readonly region: HolidayRegion;
  readonly hoursStart: string;
  readonly hoursEnd: string;
  private readonly start: ClockTime;
  private readonly end: ClockTime;

  constructor(options: WorkingCalendarOptions) {
    if (!isValidTimeZone(options.timezone)) throw new RangeError(`Unknown time zone: ${options.timezone}`);
    if (!(options.region in REGION_STATE)) throw new RangeError(`Unknown holiday region: ${String(options.region)}`);
    const start = parseHHMM(options.hoursStart);
    const end = parseHHMM(options.hoursEnd);
    if (!start || !end || minutesOf(end) <= minutesOf(start)) {
      throw new RangeError(`Working hours must be HH:MM-HH:MM, start before end: ${options.hoursStart}-${options.hoursEnd}`);
    }
    this.timezone = options.timezone;
    this.region = options.region;
    this.hoursStart = options.hoursStart;
    this.hoursEnd = options.hoursEnd;
    this.start = start;
    this.end = end;
  }

  /** True when `date` falls on a weekday that is not a bank holiday, in the workspace zone. */
  isWorkingDay(date: Date): boolean {
    return this.isWorkingDayNumber(dayOf(date, this.timezone));
  }

  /** Name of the bank holiday `date` falls on in the workspace zone (e.g. `Boxing Day (substitute day)`), or `null`. */
  holidayName(date: Date): string | null {
    const day = dayOf(date, this.timezone);
    return holidaysIn(this.region, yearOfDay(day)).get(day) ?? null;
  }

  /**
   * Moves `n` working days from `date`, keeping its wall-clock time: `n = 1` from a Friday
   * is Monday; `n = -3` is "3 working days before", skipping weekends and bank holidays.
   * The starting day itself need not be a working day. `n = 0` returns `date` unchanged.
   *
   * @throws RangeError when `n` is not an integer or exceeds {@link MAX_WORKING_DAY_OFFSET}.
   */
  addWorkingDays(date: Date, n: number): Date {
    if (!Number.isInteger(n) || Math.abs(n) > MAX_WORKING_DAY_OFFSET) {
      throw new RangeError(`Working-day offset must be an integer within ±${MAX_WORKING_DAY_OFFSET}: ${n}`);
    }
    if (n === 0) return new Date(date.getTime());
    const step = n > 0 ? 1 : -1;
    let day = dayOf(date, this.timezone);
    let remaining = Math.abs(n);
    while (remaining > 0) {
      day += step;
      if (this.isWorkingDayNumber(day)) remaining -= 1;
    }
    return instantAt(day, wallClockOf(date, this.timezone), this.timezone);
  }

  /**
   * Working days from `a`'s calendar day to `b`'s: those after `a`'s day up to and
   * including `b`'s, negative when `b` is earlier. So for a working day `a`,
   * `addWorkingDays(a, workingDaysBetween(a, b))` falls on `b`'s day whenever `b` is a
   * working day. Times of day are ignored.
   */
  workingDaysBetween(a: Date, b: Date): number {
    const from = dayOf(a, this.timezone);
    const to = dayOf(b, this.timezone);
    if (to < from) return -this.countWorkingDays(to, from);
    return this.countWorkingDays(from, to);
  }

  /** Start of working hours on `date`'s calendar day in the zone, working day or not. */
  startOfWorkingDay(date: Date): Date {
    return instantAt(dayOf(date, this.timezone), this.start, this.timezone);
  }

  /** End of working hours on `date`'s calendar day in the zone, working day or not. */
  endOfWorkingDay(date: Date): Date {
    return instantAt(dayOf(date, this.timezone), this.end, this.timezone);
  }

  /** Start of working hours on the first working day strictly after `date`'s calendar day. */
  nextWorkingMorning(date: Date): Date {
    let day = dayOf(date, this.timezone) + 1;
    while (!this.isWorkingDayNumber(day)) day += 1;
    return instantAt(day, this.start, this.timezone);
  }

  /**
   * The earliest moment at or after `date` inside working hours: `date` itself when it
   * is within hours (start inclusive, end exclusive) on a working day, that day's start
   * when it is earlier that morning, otherwise the next working morning.
   */
  clampToWorkingHours(date: Date): Date {
    const day = dayOf(date, this.timezone);
    if (this.isWorkingDayNumber(day)) {
      const now = wallClockOf(date, this.timezone);
      const minutes = minutesOf(now);
      if (minutes < minutesOf(this.start)) return instantAt(day, this.start, this.timezone);
      if (minutes < minutesOf(this.end)) return new Date(date.getTime());
    }
    return this.nextWorkingMorning(date);
  }

  private isWorkingDayNumber(day: number): boolean {
    const weekday = weekdayOf(day);
    if (weekday === 0 || weekday === 6) return false;
    return !holidaysIn(this.region, yearOfDay(day)).has(day);
  }

  /** Working days in the half-open range (from, to]. */
  private countWorkingDays(from: number, to: number): number {
    // Whole weeks hold five weekdays each, so only the remainder is walked; bank
    // holidays are then subtracted year by year, keeping long spans cheap.
    const span = to - from;
    const weeks = Math.floor(span / 7);
    let weekdays = weeks * 5;
    for (let day = from + weeks * 7 + 1; day <= to; day += 1) {
      const weekday = weekdayOf(day);
      if (weekday !== 0 && weekday !== 6) weekdays += 1;
    }
    let holidays = 0;
    for (let year = yearOfDay(from + 1); year <= yearOfDay(to); year += 1) {
      for (const day of holidaysIn(this.region, year).keys()) {
        const weekday = weekdayOf(day);
        if (day > from && day <= to && weekday !== 0 && weekday !== 6) holidays += 1;
      }
    }
    return weekdays - holidays;
  }
}

function yearOfDay(day: number): number {
  return new Date(day * 86_400_000).getUTCFullYear();
}
