/**
 * The weekly digest of a consortium's bid plan: what is due this week, what is overdue,
 * what was done last week. Sent on Monday at the start of working hours in the
 * workspace's zone (the next working morning when Monday is a bank holiday).
 */
import { DateTime } from 'luxon';
import type { Consortium, Task, TaskOwner, Tender, WorkspaceSettings } from '../domain.js';
import { reply, type Block, type Reply } from '../reply.js';
import { dayOf, instantAt, parseHHMM } from '../time/civil-day.js';
import { formatUkDate } from '../time/uk-date.js';
import type { WorkingCalendar } from '../time/working-days.js';
import { nudgeKey } from './nudge.policy.js';

export interface DigestWeek {
  /** ISO week, `2027-W03`: the version part of each digest's key. */
  version: string;
  /** Monday 00:00 of this week, in the workspace's zone. */
  start: Date;
  /** Monday 00:00 of next week. */
  end: Date;
  /** Monday 00:00 of last week. */
  lastStart: Date;
  /** When this week's digest is due: Monday at the start of working hours, or the next working morning. */
  sendAt: Date;
}

export function digestWeek(now: Date, cal: WorkingCalendar): DigestWeek {
  const local = DateTime.fromJSDate(now, { zone: cal.timezone });
  const monday = dayOf(now, cal.timezone) - (local.weekday - 1);
  const midnight = { hour: 0, minute: 0 };
  const start = instantAt(monday, midnight, cal.timezone);
  const version = `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
  const opening = parseHHMM(cal.hoursStart) ?? { hour: 9, minute: 0 };
  return {
    version,
    start,
    end: instantAt(monday + 7, midnight, cal.timezone),
    lastStart: instantAt(monday - 7, midnight, cal.timezone),
    sendAt: cal.clampToWorkingHours(instantAt(monday, opening, cal.timezone)),
  };
}

/** The ledger key of a consortium's digest for a week. */
export function digestKey(consortiumRef: string, week: DigestWeek): string {
  return nudgeKey('digest', consortiumRef, week.version, 'mon');
}

/** The repeat rule for a workspace's digest job: Mondays at the start of working hours, in its zone. */
export function digestSchedule(settings: Pick<WorkspaceSettings, 'hoursStart' | 'timezone'>): { pattern: string; tz: string } {
  const t = parseHHMM(settings.hoursStart) ?? { hour: 9, minute: 0 };
  return { pattern: `${t.minute} ${t.hour} * * 1`, tz: settings.timezone };
}

function owner(o: TaskOwner): string {
  return o.kind === 'user' ? `<@${o.id}>` : `@${o.slug}`;
}

export interface DigestContent {
  dueThisWeek: Task[];
  overdue: Task[];
  doneLastWeek: Task[];
}

export function digestContent(tasks: readonly Task[], now: Date, week: DigestWeek): DigestContent {
  const t = (d: Date | undefined) => (d ? d.getTime() : NaN);
  const open = tasks.filter((k) => k.status === 'open');
  const byDue = (a: Task, b: Task) => t(a.due) - t(b.due);
  return {
    overdue: open.filter((k) => t(k.due) < now.getTime()).sort(byDue),
    dueThisWeek: open.filter((k) => t(k.due) >= now.getTime() && t(k.due) < week.end.getTime()).sort(byDue),
    doneLastWeek: tasks.filter((k) => k.status === 'done' && t(k.doneAt) >= week.lastStart.getTime() && t(k.doneAt) < week.start.getTime()),
  };
}

/** The digest message, or null when there is nothing to say. */
export function digestMessage(c: Consortium, tender: Tender | null, content: DigestContent, timezone: string): Reply | null {
  const { dueThisWeek, overdue, doneLastWeek } = content;
  if (dueThisWeek.length + overdue.length + doneLastWeek.length === 0) return null;
  const line = (k: Task) => `${k.ref} ${k.title} — ${owner(k.owner)}, due ${formatUkDate(k.due, timezone)}`;
  const blocks: Block[] = [{ kind: 'heading', text: `Weekly digest — ${c.ref}${tender ? ` (${tender.ref} "${tender.title}")` : ''}` }];
  if (tender) blocks.push({ kind: 'text', text: `Submission deadline: ${formatUkDate(tender.dates.submission, timezone)}.` });
  blocks.push({ kind: 'list', title: `Due this week (${dueThisWeek.length})`, items: dueThisWeek.length ? dueThisWeek.slice(0, 30).map(line) : ['nothing'] });
  blocks.push({ kind: 'list', title: `Overdue (${overdue.length})`, items: overdue.length ? overdue.slice(0, 30).map(line) : ['nothing 🎉'] });
  blocks.push({ kind: 'list', title: `Done last week (${doneLastWeek.length})`, items: doneLastWeek.length ? doneLastWeek.slice(0, 30).map((k) => `${k.ref} ${k.title}`) : ['nothing'] });
  blocks.push({ kind: 'buttons', buttons: [{ label: 'All tasks', command: `tasks ${c.ref}` }] });
  return reply.ok(...blocks);
}
