/**
 * VTIMEZONE definitions built from the IANA database (through luxon), so a feed can give
 * times as wall-clock times in the workspace's zone and still mean exact instants.
 *
 * Two shapes: where every daylight-saving change in the span follows one yearly rule
 * ("last Sunday of March at 01:00"), one DAYLIGHT and one STANDARD with an RRULE, which
 * every client, Outlook included, reads; where the rules changed within the span, one
 * observance per actual change, which RFC 5545 allows and is exact.
 */
import { DateTime, IANAZone } from 'luxon';

export interface Transition {
  /** The instant of the change, ms since the epoch. */
  at: number;
  /** UTC offsets in minutes before and after. */
  from: number;
  to: number;
  dst: boolean;
  name?: string;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

function offsetName(zone: string, at: number): string | undefined {
  const name = DateTime.fromMillis(at, { zone }).setLocale('en-GB').offsetNameShort ?? undefined;
  // Intl falls back to "GMT+2" where there is no abbreviation; TZNAME is optional, so omit it.
  return name && !/^(GMT|UTC)[+\-\u2212]/.test(name) ? name : undefined;
}

/** Every offset change in [fromMs, toMs), found by daily sampling then bisection to the minute. */
export function findTransitions(zone: string, fromMs: number, toMs: number): Transition[] {
  const tz = IANAZone.create(zone);
  const out: Transition[] = [];
  let prevAt = fromMs;
  let prevOffset = tz.offset(prevAt);
  for (let at = fromMs + DAY; at < toMs + DAY; at += DAY) {
    const offset = tz.offset(at);
    if (offset !== prevOffset) {
      let lo = Math.floor(prevAt / MINUTE);
      let hi = Math.floor(at / MINUTE);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (tz.offset(mid * MINUTE) === prevOffset) lo = mid;
        else hi = mid;
      }
      const changeAt = hi * MINUTE;
      const to = tz.offset(changeAt);
      const dst = DateTime.fromMillis(changeAt, { zone }).isInDST;
      const name = offsetName(zone, changeAt);
      out.push({ at: changeAt, from: prevOffset, to, dst, ...(name ? { name } : {}) });
    }
    prevAt = at;
    prevOffset = offset;
  }
  return out.filter((t) => t.at >= fromMs && t.at < toMs);
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(minutes));
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** Wall-clock time in the offset that applied just before the change, as VTIMEZONE wants. */
function localBefore(t: Transition): string {
  return DateTime.fromMillis(t.at + t.from * MINUTE, { zone: 'UTC' }).toFormat("yyyyMMdd'T'HHmmss");
}

interface YearlyRule {
  month: number;
  /** 1–4 for "nth weekday of the month", -1 for "last". */
  nth: number;
  weekday: string;
}

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** The single yearly rule all these changes follow, if there is one and no year lacks it. */
function fitRule(changes: Transition[], years: number[]): YearlyRule | undefined {
  const first = changes[0];
  if (!first || changes.length !== years.length) return undefined;
  const shape = (t: Transition): { key: string; nth: number; last: boolean; year: number } => {
    const local = DateTime.fromMillis(t.at + t.from * MINUTE, { zone: 'UTC' });
    const last = local.day + 7 > (local.daysInMonth ?? 31);
    const key = [local.month, local.weekday, local.toFormat('HHmmss'), t.from, t.to, t.name ?? ''].join('|');
    return { key, nth: Math.ceil(local.day / 7), last, year: local.year };
  };
  const shapes = changes.map(shape);
  const ref = shapes[0];
  if (!ref) return undefined;
  if (shapes.some((s, i) => s.key !== ref.key || s.year !== years[i])) return undefined;
  let nth: number | undefined;
  if (shapes.every((s) => s.last)) nth = -1;
  else if (ref.nth <= 4 && shapes.every((s) => s.nth === ref.nth)) nth = ref.nth;
  if (nth === undefined) return undefined;
  const local = DateTime.fromMillis(first.at + first.from * MINUTE, { zone: 'UTC' });
  return { month: local.month, nth, weekday: WEEKDAYS[local.weekday - 1] ?? 'SU' };
}

function observance(t: Transition, rule?: YearlyRule): string[] {
  const kind = t.dst ? 'DAYLIGHT' : 'STANDARD';
  return [
    `BEGIN:${kind}`,
    `TZOFFSETFROM:${formatOffset(t.from)}`,
    `TZOFFSETTO:${formatOffset(t.to)}`,
    ...(t.name ? [`TZNAME:${t.name}`] : []),
    `DTSTART:${localBefore(t)}`,
    ...(rule ? [`RRULE:FREQ=YEARLY;BYMONTH=${rule.month};BYDAY=${rule.nth}${rule.weekday}`] : []),
    `END:${kind}`,
  ];
}

/**
 * The VTIMEZONE lines (unfolded, no line endings) for `zone`, exact for every instant in
 * the calendar years `fromYear` to `toYear`.
 */
export function vtimezoneLines(zone: string, fromYear: number, toYear: number): string[] {
  const fromMs = Date.UTC(fromYear, 0, 1);
  const toMs = Date.UTC(toYear + 1, 0, 1);
  const changes = findTransitions(zone, fromMs, toMs);
  const header = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  const footer = ['END:VTIMEZONE'];
  const years = Array.from({ length: toYear - fromYear + 1 }, (_, i) => fromYear + i);

  if (changes.length === 0) {
    const offset = IANAZone.create(zone).offset(fromMs);
    const name = offsetName(zone, fromMs);
    const steady: Transition = { at: Date.UTC(1970, 0, 1) - offset * MINUTE, from: offset, to: offset, dst: false, ...(name ? { name } : {}) };
    return [...header, ...observance(steady), ...footer];
  }

  const toDst = changes.filter((t) => t.dst);
  const toStd = changes.filter((t) => !t.dst);
  const dstRule = fitRule(toDst, years);
  const stdRule = fitRule(toStd, years);
  const firstDst = toDst[0];
  const firstStd = toStd[0];
  if (dstRule && stdRule && firstDst && firstStd) {
    return [...header, ...observance(firstDst, dstRule), ...observance(firstStd, stdRule), ...footer];
  }

  // Rules changed inside the span: list each change, after an observance for the offset in
  // force at the start so instants before the first change are defined too.
  const opening = changes[0];
  const lines = [...header];
  if (opening) {
    const startOffset = opening.from;
    const name = offsetName(zone, fromMs);
    const dst = DateTime.fromMillis(fromMs, { zone }).isInDST;
    lines.push(...observance({ at: fromMs - startOffset * MINUTE, from: startOffset, to: startOffset, dst, ...(name ? { name } : {}) }));
  }
  for (const t of changes) lines.push(...observance(t));
  return [...lines, ...footer];
}
