/**
 * Reading dates as people in the UK type them in chat. Day-first always: `03/04/2027` is
 * 3 April. Every time is wall-clock time in the workspace's zone.
 *
 * A date typed without a time means the end of that working day (the calendar's
 * `hoursEnd`, e.g. 17:00), because a due date with no time is read as "by close of
 * business", not "by midnight" or "first thing".
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import {
  dayFromCivil,
  dayOf,
  instantAt,
  isRealDate,
  parseClock,
  parseHHMM,
  type CivilDate,
  type ClockTime,
} from './civil-day.js';
import { echoForReply } from './uk-format.js';
import type { WorkingCalendar } from './working-days.js';

export { applyDuration, parseDuration, type ParseDurationResult, type SnoozeDuration } from './duration.js';
export { formatRelative, formatUkDate, formatUkDay } from './uk-format.js';

/** What {@link parseUkDate} needs besides the text. */
export interface ParseUkDateOptions {
  /** The moment "today", "tomorrow" and "in 3 days" are counted from. */
  now: Date;
  /** The workspace's calendar: its zone places every time; its holidays shape "working days". */
  calendar: WorkingCalendar;
  /**
   * Time given to a date typed without one, `HH:MM`.
   * @defaultValue the calendar's `hoursEnd` (end of the working day)
   */
  defaultTime?: string;
}

/** A parsed instant, or a reply-ready explanation of why the text was not a date. */
export type ParseUkDateResult = { ok: true; date: Date } | { ok: false; error: string };

/** Longest text worth reading as a date; anything longer is rejected before any parsing. */
const MAX_DATE_TEXT = 100;
const MIN_YEAR = 1900;
const MAX_YEAR = 2199;
/** "in N days" beyond ten years is a typo, not a plan. */
const MAX_RELATIVE_DAYS = 3660;

const NUMBER_WORDS: Readonly<Record<string, number>> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5 };

/**
 * Reads a date, with optional time, in the forms the commands document: `15/01/2027`,
 * `15/1/27`, `15-01-2027`, `2027-01-15`, `15 Jan 2027`, `15 January 2027 12:00`,
 * `15/01/2027 17:30`, `today`, `tomorrow`, `Friday` (the coming one), `next Friday 5pm`
 * (Friday of next week), `in 3 days`, `in 2 weeks`, `in 3 working days`, `in 4 hours`,
 * `in 2 months`, `tomorrow morning` (start of working hours), and a bare time (`noon`,
 * `5pm`, `17:00`: today, or tomorrow once it has passed). Years outside 1900–2199,
 * relative spans over ten years and month-only forms ("January 2027") are refused.
 *
 * Never throws, whatever the input: failures are returned with a message that echoes
 * (a shortened copy of) the text and shows the accepted forms.
 */
export function parseUkDate(text: string, options: ParseUkDateOptions): ParseUkDateResult {
  try {
    if (typeof text !== 'string' || text.length > MAX_DATE_TEXT) return failure(text);
    if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) return failure(text);
    const defaultTime = parseHHMM(options.defaultTime ?? options.calendar.hoursEnd);
    const startTime = parseHHMM(options.calendar.hoursStart);
    if (!defaultTime || !startTime) return failure(text);
    const normalised = normalise(text);
    if (normalised === '') return failure(text);
    const context: Context = { now: options.now, calendar: options.calendar, zone: options.calendar.timezone, defaultTime, startTime };
    for (const reader of READERS) {
      const date = reader(normalised, context);
      if (date === undefined) continue;
      return date && !Number.isNaN(date.getTime()) ? { ok: true, date } : failure(text);
    }
    return failure(text);
  } catch {
    // Every reader validates its input; this only keeps a library surprise from
    // becoming a crash, as the contract promises.
    return failure(text);
  }
}

interface Context {
  now: Date;
  calendar: WorkingCalendar;
  zone: string;
  defaultTime: ClockTime;
  /** Start of working hours: what "morning" means for a deadline. */
  startTime: ClockTime;
}

/**
 * A reader either claims the text (returning the date, or `null` when the text is its
 * form but wrong, e.g. 31/02/2027) or passes (`undefined`) to the next. A claimed but
 * wrong text is refused outright, never handed to a looser reader to guess at.
 */
type Reader = (s: string, context: Context) => Date | null | undefined;

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.,!]+$/, '')
    .replace(/^(?:due|by|on) /, '')
    .trim();
}

/**
 * Reads the time after a date: "…, 17:30", "… at 5pm", "… 5.30pm", or "… morning"
 * (the start of working hours). Nothing typed means the default time.
 */
function readTimePart(rest: string | undefined, context: Context): ClockTime | null {
  if (rest === undefined || rest === '') return context.defaultTime;
  const time = rest.replace(/^,?\s*(?:at\s+|in the\s+)?/, '');
  return time === 'morning' ? context.startTime : parseClock(time);
}

function onDay(date: CivilDate, time: ClockTime | null, context: Context): Date | null {
  if (!time || !isRealDate(date) || date.year < MIN_YEAR || date.year > MAX_YEAR) return null;
  return instantAt(dayFromCivil(date), time, context.zone);
}

/**
 * `15/01/2027`, `15/1/27`, `15-01-2027`, `15.01.2027`, `15/01` (the next such date), each
 * with an optional time. Digits-and-slashes text is never handed on to chrono, so a
 * malformed one is refused here rather than guessed at.
 */
function readNumericDate(s: string, context: Context): Date | null | undefined {
  // "17.30" is a time of day, so a dotted form only counts as a date with a year.
  if (!/^\d{1,2}(?:[/-]\d|\.\d{1,2}\.\d)/.test(s)) return undefined;
  const match = /^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?=$|[ ,])(.*)$/.exec(s);
  if (!match) return null;
  const [, dayText, , monthText, yearText, rest] = match;
  const time = readTimePart(rest?.trim(), context);
  const day = Number(dayText);
  const month = Number(monthText);
  if (yearText !== undefined) {
    const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
    return onDay({ year, month, day }, time, context);
  }
  // Without a year, the next such date: this year's, or next year's once it has passed.
  const today = DateTime.fromJSDate(context.now, { zone: context.zone });
  const thisYear = onDay({ year: today.year, month, day }, time, context);
  if (thisYear && thisYear.getTime() >= context.now.getTime()) return thisYear;
  return onDay({ year: today.year + 1, month, day }, time, context);
}

/** `2027-01-15` or `2027/01/15`, optionally with `T17:30`, ` 17:30` or seconds. */
function readIsoDate(s: string, context: Context): Date | null | undefined {
  if (!/^\d{3,}[/.-]/.test(s)) return undefined;
  const match = /^(\d{4})([-/])(\d{2})\2(\d{2})(?:[t ](\d{2}:\d{2})(?::\d{2})?)?$/.exec(s);
  if (!match) return null;
  const time = match[5] === undefined ? context.defaultTime : parseHHMM(match[5]);
  return onDay({ year: Number(match[1]), month: Number(match[3]), day: Number(match[4]) }, time, context);
}

/**
 * `in 3 days`, `in 2 weeks`, `in 3 working days`, `in 2 months` (with an optional time),
 * `in 4 hours`, `in 30 minutes` (from now).
 */
function readRelative(s: string, context: Context): Date | null | undefined {
  const match =
    /^in (\d{1,5}|a|an|one|two|three|four|five) (working days?|business days?|days?|weeks?|wks?|months?|hours?|hrs?|minutes?|mins?)(?=$|[ ,])(.*)$/.exec(s);
  if (!match) return undefined;
  const amount = NUMBER_WORDS[match[1] ?? ''] ?? Number(match[1]);
  const unit = match[2] ?? '';
  const rest = match[3]?.trim();
  if (/^(?:hours?|hrs?|minutes?|mins?)$/.test(unit)) {
    if (rest) return null;
    const minutes = unit.startsWith('h') ? amount * 60 : amount;
    if (minutes > MAX_RELATIVE_DAYS * 24 * 60) return null;
    return new Date(context.now.getTime() + minutes * 60_000);
  }
  const time = readTimePart(rest, context);
  if (!time) return null;
  const today = dayOf(context.now, context.zone);
  if (unit.startsWith('working') || unit.startsWith('business')) {
    if (amount > MAX_RELATIVE_DAYS) return null;
    return context.calendar.addWorkingDays(instantAt(today, time, context.zone), amount);
  }
  if (unit.startsWith('month')) {
    if (amount > MAX_RELATIVE_DAYS / 30) return null;
    // Luxon ends a month early rather than overflowing: 31 Jan + 1 month is 28 Feb.
    const later = DateTime.fromJSDate(context.now, { zone: context.zone }).plus({ months: amount });
    return onDay({ year: later.year, month: later.month, day: later.day }, time, context);
  }
  const days = unit.startsWith('w') ? amount * 7 : amount;
  if (days > MAX_RELATIVE_DAYS) return null;
  return instantAt(today + days, time, context.zone);
}

/** `today`, `tomorrow`, each with an optional time: `tomorrow 9am`, `today at 17:00`. */
function readTodayTomorrow(s: string, context: Context): Date | null | undefined {
  const match = /^(today|tomorrow)(?=$|[ ,])(.*)$/.exec(s);
  if (!match) return undefined;
  const time = readTimePart(match[2]?.trim(), context);
  if (!time) return null;
  const today = dayOf(context.now, context.zone);
  return instantAt(match[1] === 'tomorrow' ? today + 1 : today, time, context.zone);
}

/** A bare time, `noon`, `5pm`, `17:00`: today, or tomorrow once it has passed. */
function readBareTime(s: string, context: Context): Date | undefined {
  const time = parseClock(s.replace(/^at /, ''));
  if (!time) return undefined;
  const today = dayOf(context.now, context.zone);
  const todayAt = instantAt(today, time, context.zone);
  return todayAt.getTime() > context.now.getTime() ? todayAt : instantAt(today + 1, time, context.zone);
}

const BACKWARD_WORDS = /\b(?:last|ago|yesterday|previous|past)\b/;
const PART_OF_DAY_WORDS = /\b(?:tonight|afternoon|evening|night)\b/;

/**
 * Natural forms via chrono's British English parser: month names, weekdays, "next week".
 *
 * chrono is asked for the plain reading and the "next one, not the last one" step is
 * done here: its own forward-date option compares instants shifted by the process's
 * time zone, so it misreads "Friday" on servers outside the workspace zone.
 */
function readNatural(s: string, context: Context): Date | null {
  const offset = DateTime.fromJSDate(context.now, { zone: context.zone }).offset;
  const results = chrono.en.GB.parse(s, { instant: context.now, timezone: offset });
  const result = results[0];
  // The whole text must be the date: "garbage 15 Jan" or "15 Jan 2027 25:00" are refused
  // rather than read as the part chrono recognised.
  if (results.length !== 1 || !result || result.index !== 0 || result.text.length !== s.length || result.end) return null;
  const c = result.start;
  const hasDay = c.isCertain('day') || c.isCertain('weekday');
  const timeOnly = c.isCertain('hour') && !c.isCertain('month');
  // "January 2027" or "jan 15" (read as January 2015) name no day; guessing the 1st would mislead.
  if (!hasDay && !timeOnly) return null;
  const date: CivilDate = { year: c.get('year') ?? NaN, month: c.get('month') ?? NaN, day: c.get('day') ?? NaN };
  let time: ClockTime;
  if (c.isCertain('hour') || PART_OF_DAY_WORDS.test(s)) {
    time = { hour: c.get('hour') ?? NaN, minute: c.get('minute') ?? 0 };
  } else if (/\bmorning\b/.test(s)) {
    time = context.startTime;
  } else {
    time = context.defaultTime;
  }
  if (!Number.isInteger(time.hour) || time.hour < 0 || time.hour > 23 || time.minute < 0 || time.minute > 59) return null;
  const instant = onDay(date, time, context);
  if (!instant || instant.getTime() >= context.now.getTime() || BACKWARD_WORDS.test(s)) return instant;
  // Something that has already passed, unless the words say so, means the next one:
  // "Friday" late on a Friday (or on a Saturday) is the coming Friday, "9am" at noon is
  // tomorrow's, "15 Jan" in February is next year's.
  if (!c.isCertain('day')) {
    const step = c.isCertain('weekday') ? 7 : 1;
    return instantAt(dayFromCivil(date) + step, time, context.zone);
  }
  if (!c.isCertain('year')) return onDay({ ...date, year: date.year + 1 }, time, context);
  return instant;
}

const READERS: readonly Reader[] = [readNumericDate, readIsoDate, readRelative, readTodayTomorrow, readBareTime, readNatural];

function failure(text: unknown): { ok: false; error: string } {
  return {
    ok: false,
    error: `I couldn't read "${echoForReply(text)}" as a date. Try 15/01/2027, 15 Jan 2027 12:00, next Friday 5pm or in 3 working days.`,
  };
}
