/**
 * Calendar days and wall-clock times in a workspace's time zone.
 *
 * Day arithmetic is done on whole civil days (a day number, not an instant) so that a
 * clock change can never make "one day later" land on the same date or skip one; only
 * the final step turns a day plus a wall-clock time back into an instant, in the zone.
 */
import { DateTime, IANAZone } from 'luxon';

/** A wall-clock time of day, 24-hour. */
export interface ClockTime {
  hour: number;
  minute: number;
}

/** A wall-clock time to the millisecond, kept when moving a moment to another day. */
export interface WallClock extends ClockTime {
  second: number;
  millisecond: number;
}

/** A calendar date: year, month 1–12, day 1–31. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

const MS_PER_DAY = 86_400_000;

/** Zones already checked: the check builds an Intl formatter, and dates are formatted by the hundred. */
const knownZones = new Map<string, boolean>();

/** True when `zone` is an IANA time-zone name this runtime knows, e.g. `Europe/London`. */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length >= 64) return false;
  let valid = knownZones.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (knownZones.size < 1_000) knownZones.set(zone, valid);
  }
  return valid;
}

/** Reads a strict 24-hour `HH:MM` (the form settings store), e.g. `09:00`, `17:30`. */
export function parseHHMM(text: string): ClockTime | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) return null;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/**
 * Reads a time of day as people type it: `17:30`, `9:05`, `5pm`, `5:30pm`, `5.30pm`,
 * `12am`, `noon`, `midday`, `midnight`. Case and inner spaces (`5 pm`) do not matter.
 */
export function parseClock(text: string): ClockTime | null {
  const t = text.trim().toLowerCase();
  if (t === 'noon' || t === 'midday') return { hour: 12, minute: 0 };
  if (t === 'midnight') return { hour: 0, minute: 0 };
  const h24 = /^(\d{1,2})[:.](\d{2})$/.exec(t);
  if (h24) {
    const hour = Number(h24[1]);
    const minute = Number(h24[2]);
    return hour <= 23 && minute <= 59 ? { hour, minute } : null;
  }
  const h12 = /^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?$/.exec(t);
  if (h12) {
    const hour = Number(h12[1]);
    const minute = h12[2] === undefined ? 0 : Number(h12[2]);
    if (hour < 1 || hour > 12 || minute > 59) return null;
    return { hour: (hour % 12) + (h12[3] === 'p' ? 12 : 0), minute };
  }
  return null;
}

/** Day number (days since 1970-01-01) of the calendar date `instant` falls on in `zone`. */
export function dayOf(instant: Date, zone: string): number {
  const ms = instant.getTime();
  const offset = offsetAt(ms, zone);
  if (offset === null) throw new RangeError(`Cannot place ${String(instant)} in time zone ${zone}`);
  return Math.floor((ms + offset) / MS_PER_DAY);
}

/**
 * A zone's UTC offsets, by quarter hour of UTC time. Zones change their offset only on a
 * quarter hour, so an offset that is the same at both ends of a quarter holds all through
 * it; a quarter with a change in it is worked out instant by instant. Dates are placed in
 * zones by the thousand when nudges are planned, and Intl's answer is slow.
 */
const QUARTER_MS = 900_000;
const offsets = new Map<string, number | null>();
const OFFSETS_MAX = 50_000;

function zoneOffsetMs(ms: number, zone: string): number | null {
  const dt = DateTime.fromMillis(ms, { zone });
  return dt.isValid ? dt.offset * 60_000 : null;
}

function offsetAt(ms: number, zone: string): number | null {
  if (!Number.isFinite(ms)) return null;
  const quarter = Math.floor(ms / QUARTER_MS);
  const key = `${zone}|${quarter}`;
  let known = offsets.get(key);
  if (known === undefined) {
    const start = zoneOffsetMs(quarter * QUARTER_MS, zone);
    const end = zoneOffsetMs((quarter + 1) * QUARTER_MS - 1, zone);
    // NaN marks a quarter with a change in it.
    known = start === null || end === null ? null : start === end ? start : Number.NaN;
    if (offsets.size >= OFFSETS_MAX) offsets.clear();
    offsets.set(key, known);
  }
  return known !== null && Number.isNaN(known) ? zoneOffsetMs(ms, zone) : known;
}

/** Day number of a calendar date. */
export function dayFromCivil(date: CivilDate): number {
  return Math.round(Date.UTC(date.year, date.month - 1, date.day) / MS_PER_DAY);
}

/** Calendar date of a day number. */
export function civilFromDay(dayNumber: number): CivilDate {
  const d = new Date(dayNumber * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day of the week of a day number: 0 Sunday … 6 Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** True when the calendar date exists (rejects 31/02, 32/01, month 13). */
export function isRealDate(date: CivilDate): boolean {
  if (!Number.isInteger(date.year) || !Number.isInteger(date.month) || !Number.isInteger(date.day)) return false;
  if (date.month < 1 || date.month > 12 || date.day < 1) return false;
  const daysInMonth = new Date(Date.UTC(date.year, date.month, 0)).getUTCDate();
  return date.day <= daysInMonth;
}

/**
 * The instant at wall-clock `time` on day `dayNumber` in `zone`. A time inside a
 * spring-forward gap moves forward by the gap (01:30 becomes 02:30), as clocks do.
 */
export function instantAt(dayNumber: number, time: ClockTime | WallClock, zone: string): Date {
  const second = 'second' in time ? time.second : 0;
  const millisecond = 'millisecond' in time ? time.millisecond : 0;
  const key = `${zone}|${dayNumber}|${time.hour}|${time.minute}|${second}|${millisecond}`;
  let ms = instants.get(key);
  if (ms === undefined) {
    const dt = DateTime.fromObject({ ...civilFromDay(dayNumber), hour: time.hour, minute: time.minute, second, millisecond }, { zone });
    if (!dt.isValid) throw new RangeError(`Cannot build a time on day ${dayNumber} in time zone ${zone}`);
    ms = dt.toMillis();
    if (instants.size >= OFFSETS_MAX) instants.clear();
    instants.set(key, ms);
  }
  return new Date(ms);
}

/** Instants already built from a day, a time and a zone (the same few recur for every task). */
const instants = new Map<string, number>();

/** Wall-clock time (to the millisecond) of `instant` in `zone`. */
export function wallClockOf(instant: Date, zone: string): WallClock {
  const ms = instant.getTime();
  const offset = offsetAt(ms, zone);
  if (offset === null) {
    const dt = DateTime.fromJSDate(instant, { zone });
    return { hour: dt.hour, minute: dt.minute, second: dt.second, millisecond: dt.millisecond };
  }
  const inDay = (((ms + offset) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  return { hour: Math.floor(inDay / 3_600_000), minute: Math.floor(inDay / 60_000) % 60, second: Math.floor(inDay / 1000) % 60, millisecond: inDay % 1000 };
}

/** Minutes since midnight, for comparing times of day. */
export function minutesOf(time: ClockTime): number {
  return time.hour * 60 + time.minute;
}
