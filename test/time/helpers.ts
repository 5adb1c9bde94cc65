import { DateTime } from 'luxon';
import { WorkingCalendar, type WorkingCalendarOptions } from '../../src/core/time/working-days.js';

export const LONDON = 'Europe/London';

/** The instant of a London wall-clock time, e.g. `london('2026-12-24 15:00')`. */
export function london(wallClock: string, zone = LONDON): Date {
  const dt = DateTime.fromFormat(wallClock, 'yyyy-MM-dd HH:mm', { zone });
  if (!dt.isValid) throw new Error(`bad test time ${wallClock}`);
  return dt.toJSDate();
}

/** An instant written as London wall-clock time, `2026-12-24 15:00`, for readable assertions. */
export function wall(date: Date, zone = LONDON): string {
  return DateTime.fromJSDate(date, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

export function calendar(overrides: Partial<WorkingCalendarOptions> = {}): WorkingCalendar {
  return new WorkingCalendar({
    timezone: LONDON,
    region: 'england-and-wales',
    hoursStart: '09:00',
    hoursEnd: '17:00',
    ...overrides,
  });
}
