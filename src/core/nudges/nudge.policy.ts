/**
 * When nudges are due, as a pure function of the records and the workspace's calendar.
 *
 * Every nudge has a deterministic key `<kind>:<subject>:<version>:<slot>`. The version
 * changes whenever the thing it is about changes in a way that makes an old nudge wrong
 * (a task's `version`, a tender's submission instant), so a nudge computed for an old
 * date can never match the current one; the queue, the worker and the ledger all agree
 * on a nudge by this key alone.
 */
import type { Consortium, Task, Tender, WorkspaceSettings } from '../domain.js';
import { dayOf, instantAt, wallClockOf } from '../time/civil-day.js';
import type { WorkingCalendar } from '../time/working-days.js';

export type NudgeKind = 'remind' | 'overdue' | 'escalate' | 'countdown' | 'digest';

/** Who a nudge is for, resolved to people at delivery (membership can change meanwhile). */
export type Audience = 'owner' | 'owner-and-lead' | 'coordinators' | 'consortium';

export interface Nudge {
  key: string;
  kind: NudgeKind;
  /** Task ref (`K-31`) or consortium ref (`C-4`). */
  subject: string;
  version: string;
  /** Which nudge of its kind: `d7`, `d0`, `od`, `esc`, `h4`…; a snoozed one ends `~<instant>`. */
  slot: string;
  dueAt: Date;
  audience: Audience;
  /** Postponed by `task snooze`. */
  snoozed?: boolean;
}

/** Days before a submission deadline the consortium hears a countdown (plus 4 hours before). */
export const COUNTDOWN_DAYS: readonly number[] = [14, 7, 3, 1];
/** The last countdown, deliberately outside working hours if that is when it falls. */
export const FINAL_COUNTDOWN_MS = 4 * 3_600_000;
/** Working days after the overdue nudge before the coordinators hear of it. */
export const ESCALATE_AFTER_WORKING_DAYS = 3;

/** Tender states whose deadline still matters. */
const LIVE_TENDER: ReadonlySet<Tender['status']> = new Set(['open', 'draft']);

export function nudgeKey(kind: NudgeKind, subject: string, version: string, slot: string): string {
  return `${kind}:${subject}:${version}:${slot}`;
}

const KINDS: ReadonlySet<string> = new Set<NudgeKind>(['remind', 'overdue', 'escalate', 'countdown', 'digest']);

export interface NudgeKeyParts {
  kind: NudgeKind;
  subject: string;
  version: string;
  slot: string;
}

/** The parts of a key, or null when it is not one (keys arrive from the queue). */
export function parseNudgeKey(key: string): NudgeKeyParts | null {
  const m = /^([a-z]+):([A-Z]-\d{1,9}):([A-Za-z0-9-]{1,40}):([A-Za-z0-9~-]{1,40})$/.exec(key);
  if (!m || !KINDS.has(m[1] as string)) return null;
  return { kind: m[1] as NudgeKind, subject: m[2] as string, version: m[3] as string, slot: m[4] as string };
}

/** Version of a countdown: the submission instant, so a moved deadline gets new keys. */
export function deadlineVersion(submission: Date): string {
  return submission.getTime().toString(36);
}

function make(kind: NudgeKind, subject: string, version: string, slot: string, dueAt: Date, audience: Audience): Nudge {
  return { key: nudgeKey(kind, subject, version, slot), kind, subject, version, slot, dueAt, audience };
}

/** Reminder offsets from settings: whole working days, largest first, no repeats. */
function reminderOffsets(settings: Pick<WorkspaceSettings, 'reminderDays'>): number[] {
  const days = (settings.reminderDays ?? []).filter((d) => Number.isInteger(d) && d >= 1 && d <= 60);
  return [...new Set(days)].sort((a, b) => b - a);
}

/**
 * The nudges of an open task: reminders N working days before it is due and the morning
 * it is due (each at the start of working hours), an overdue nudge to the owner and the
 * lead the next working morning, and an escalation to the coordinators three working days
 * after that. A done task has none. A snooze postpones the latest reminder or overdue
 * nudge due before `snoozedUntil` to then, and drops the earlier ones it passes over;
 * escalation is the coordinators' and is never snoozed.
 */
export function taskNudges(task: Task, settings: Pick<WorkspaceSettings, 'reminderDays'>, cal: WorkingCalendar): Nudge[] {
  if (task.status !== 'open') return [];
  const due = task.due;
  const version = String(task.version);
  const out: Nudge[] = [];
  for (const n of reminderOffsets(settings)) {
    const at = cal.clampToWorkingHours(cal.startOfWorkingDay(cal.addWorkingDays(due, -n)));
    if (at.getTime() < due.getTime()) out.push(make('remind', task.ref, version, `d${n}`, at, 'owner'));
  }
  // "The morning it is due": only when that morning comes before the deadline itself.
  const morning = cal.clampToWorkingHours(cal.startOfWorkingDay(due));
  if (morning.getTime() < due.getTime() && !out.some((n) => n.dueAt.getTime() === morning.getTime())) {
    out.push(make('remind', task.ref, version, 'd0', morning, 'owner'));
  }
  const overdueAt = cal.nextWorkingMorning(due);
  out.push(make('overdue', task.ref, version, 'od', overdueAt, 'owner-and-lead'));
  out.push(make('escalate', task.ref, version, 'esc', cal.addWorkingDays(overdueAt, ESCALATE_AFTER_WORKING_DAYS), 'coordinators'));
  return sortByDue(applySnooze(out, task.snoozedUntil, cal));
}

function applySnooze(nudges: Nudge[], until: Date | undefined, cal: WorkingCalendar): Nudge[] {
  if (!until || Number.isNaN(until.getTime())) return nudges;
  const held = nudges.filter((n) => n.kind !== 'escalate' && n.dueAt.getTime() < until.getTime());
  if (held.length === 0) return nudges;
  const latest = held.reduce((a, b) => (b.dueAt.getTime() > a.dueAt.getTime() ? b : a));
  const slot = `${latest.slot}~${until.getTime().toString(36)}`;
  const postponed: Nudge = { ...make(latest.kind, latest.subject, latest.version, slot, cal.clampToWorkingHours(until), latest.audience), snoozed: true };
  return [...nudges.filter((n) => !held.includes(n)), postponed];
}

/**
 * The countdown of a formed consortium to its tender's submission deadline: 14, 7, 3 and
 * 1 days before (at the deadline's time of day, moved into working hours), and 4 hours
 * before, which is not moved: the last hours before a hard deadline are when it matters.
 * A day countdown that working hours would push past the 4-hour one is dropped.
 */
export function countdownNudges(c: Consortium, tender: Tender | null, cal: WorkingCalendar): Nudge[] {
  if (c.state !== 'formed' || !tender || !LIVE_TENDER.has(tender.status)) return [];
  const deadline = tender.dates.submission;
  if (!(deadline instanceof Date) || Number.isNaN(deadline.getTime())) return [];
  const version = deadlineVersion(deadline);
  const final = new Date(deadline.getTime() - FINAL_COUNTDOWN_MS);
  const out: Nudge[] = [];
  const zone = cal.timezone;
  const clock = wallClockOf(deadline, zone);
  const day = dayOf(deadline, zone);
  for (const d of COUNTDOWN_DAYS) {
    const at = cal.clampToWorkingHours(instantAt(day - d, clock, zone));
    if (at.getTime() >= final.getTime()) continue;
    if (out.some((n) => n.dueAt.getTime() === at.getTime())) continue;
    out.push(make('countdown', c.ref, version, `d${d}`, at, 'consortium'));
  }
  out.push(make('countdown', c.ref, version, 'h4', final, 'consortium'));
  return sortByDue(out);
}

function sortByDue(nudges: Nudge[]): Nudge[] {
  return nudges.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.key.localeCompare(b.key));
}

export interface PendingSelection {
  /** Not yet due: to be scheduled. */
  upcoming: Nudge[];
  /** Due already but never delivered, the latest of each kind: to deliver now (late). */
  catchUp: Nudge[];
  /** Due already and not to be sent: record them as settled so nobody sends them later. */
  settle: Nudge[];
}

/**
 * How late a missed nudge may still be sent. Anything due longer ago is left alone: news
 * that old helps nobody, and the ledger keeps its records only a while longer than this
 * (LEDGER_KEEP_DAYS in src/queue/nudge.ledger.ts), so no purged record can make a nudge
 * look unsent.
 */
export const CATCH_UP_DAYS = 14;

/** The oldest due time a nudge may have and still be sent late at `now`. */
export function catchUpHorizon(now: Date): Date {
  return new Date(now.getTime() - CATCH_UP_DAYS * 86_400_000);
}

/**
 * Which nudges still need doing at `now`, given the keys the ledger holds as settled.
 * Nudges due more than CATCH_UP_DAYS ago are in none of the lists.
 *
 * `fresh` is for the moment a record changes (a task added, re-dated, snoozed): what is
 * already past then was never going to be sent, so it is settled, not sent. `sweep` is for
 * reconciling after a failure (Redis flushed or down, a lost enqueue): a nudge that came
 * due meanwhile is delivered late, but only the latest of its kind, since "due in 1 day"
 * replaces "due in 3 days".
 */
export function selectPending(all: readonly Nudge[], now: Date, settled: ReadonlySet<string>, mode: 'fresh' | 'sweep'): PendingSelection {
  const upcoming: Nudge[] = [];
  const past: Nudge[] = [];
  const horizon = catchUpHorizon(now).getTime();
  for (const n of all) {
    const due = n.dueAt.getTime();
    if (due > now.getTime()) upcoming.push(n);
    else if (due >= horizon) past.push(n);
  }
  const open = (n: Nudge) => !settled.has(n.key);
  if (mode === 'fresh') return { upcoming: upcoming.filter(open), catchUp: [], settle: past.filter(open) };
  // The latest past nudge of each kind, settled or not: once it is settled, the older
  // ones it supersedes are not owed either.
  const latest = new Map<NudgeKind, Nudge>();
  for (const n of past) {
    const seen = latest.get(n.kind);
    if (!seen || n.dueAt.getTime() > seen.dueAt.getTime()) latest.set(n.kind, n);
  }
  return { upcoming: upcoming.filter(open), catchUp: [...latest.values()].filter(open), settle: [] };
}
