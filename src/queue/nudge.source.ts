/**
 * Nudges recomputed from MongoDB: the single place that turns stored records into the
 * policy's inputs, used by the scheduler, the sweeper and the worker alike.
 */
import { calendarFor } from '../core/app.js';
import type { Consortium, Task, Tender, Workspace } from '../core/domain.js';
import { countdownNudges, taskNudges, type Nudge } from '../core/nudges/nudge.policy.js';
import type { WorkspaceData } from '../core/ports.js';
import type { WorkingCalendar } from '../core/time/working-days.js';

/** The workspace's working calendar (built once per settings, see calendarFor). */
export function workspaceCalendar(ws: Workspace): WorkingCalendar {
  return calendarFor(ws.settings);
}

export function nudgesOfTask(ws: Workspace, task: Task): Nudge[] {
  return taskNudges(task, ws.settings, workspaceCalendar(ws));
}

/** What of a workspace's settings its nudges depend on, worked out once per settings record. */
const settingsKeys = new WeakMap<object, string>();

function settingsKey(s: Workspace['settings']): string {
  let key = settingsKeys.get(s);
  if (key === undefined) {
    key = JSON.stringify([s.timezone, s.holidays, s.hoursStart, s.hoursEnd, s.reminderDays]);
    settingsKeys.set(s, key);
  }
  return key;
}

/**
 * Nudges worked out by what of a task they depend on (see taskNudges) and the settings: a
 * list read again (past its maximum age) holds new objects for the same tasks, and working
 * out a big workspace's nudges afresh takes tens of milliseconds, at the instant a slot is
 * due. Nudges name only the task's reference, so equal tasks share them across workspaces.
 */
const byContent = new Map<string, readonly Nudge[]>();
const MAX_BY_CONTENT = 100_000;

function taskContentKey(settings: string, task: Readonly<Task>): string {
  const time = (d: Date | undefined) => (d instanceof Date ? d.getTime() : String(d));
  return `${settings}\u0000${task.ref}\u0000${task.version}\u0000${task.status}\u0000${time(task.due)}\u0000${task.snoozedUntil === undefined ? '' : time(task.snoozedUntil)}`;
}

/**
 * The nudges of a task the read cache shares between callers: a task owes eight or so
 * nudges, each its own job, and all of them need the whole list; they are worked out once
 * per task content and workspace settings. The result is shared too: read it only.
 */
export function nudgesOfSharedTask(ws: Workspace, task: Readonly<Task>): readonly Nudge[] {
  const key = taskContentKey(settingsKey(ws.settings), task);
  let nudges = byContent.get(key);
  if (!nudges) {
    nudges = nudgesOfTask(ws, task);
    if (byContent.size >= MAX_BY_CONTENT) byContent.clear();
    byContent.set(key, nudges);
  }
  return nudges;
}

/** A nudge a slot job delivers, with the record it is about, as the shared lists hold it. */
export type DueNudge =
  | { nudge: Nudge; task: Readonly<Task> }
  | { nudge: Nudge; consortium: Readonly<Consortium>; tender: Readonly<Tender> };

/** Nudges by due instant, worked out once per shared list (and settings, and tenders). */
interface DueIndex {
  settings: string;
  tenders?: readonly Readonly<Tender>[];
  byDue: Map<number, DueNudge[]>;
}
const taskIndexes = new WeakMap<readonly Readonly<Task>[], DueIndex>();
const countdownIndexes = new WeakMap<readonly Readonly<Consortium>[], DueIndex>();

function indexByDue(entries: Iterable<DueNudge>): Map<number, DueNudge[]> {
  const byDue = new Map<number, DueNudge[]>();
  for (const e of entries) {
    const t = e.nudge.dueAt.getTime();
    const list = byDue.get(t);
    if (list) list.push(e);
    else byDue.set(t, [e]);
  }
  return byDue;
}

function* taskEntries(ws: Workspace, tasks: readonly Readonly<Task>[]): Iterable<DueNudge> {
  for (const task of tasks) for (const nudge of nudgesOfSharedTask(ws, task)) yield { nudge, task };
}

function* countdownEntries(ws: Workspace, consortia: readonly Readonly<Consortium>[], tenders: readonly Readonly<Tender>[]): Iterable<DueNudge> {
  const byRef = new Map(tenders.map((t) => [t.ref, t]));
  for (const consortium of consortia) {
    const tender = byRef.get(consortium.tenderRef);
    if (!tender) continue;
    for (const nudge of nudgesOfConsortium(ws, consortium, tender)) yield { nudge, consortium, tender };
  }
}

/**
 * Every nudge a workspace owes at instant `at`, from the lists the read cache shares (all
 * its tasks, consortia and tenders): what a slot job delivers. Indexed once per list, so an
 * instant with hundreds of nudges, and the next instant, cost a lookup until a record
 * changes. Shared: read it only.
 */
export function nudgesDueAt(
  ws: Workspace,
  lists: { tasks: readonly Readonly<Task>[]; consortia: readonly Readonly<Consortium>[]; tenders: readonly Readonly<Tender>[] },
  at: Date,
): readonly DueNudge[] {
  const settings = settingsKey(ws.settings);
  let tasks = taskIndexes.get(lists.tasks);
  if (!tasks || tasks.settings !== settings) {
    tasks = { settings, byDue: indexByDue(taskEntries(ws, lists.tasks)) };
    taskIndexes.set(lists.tasks, tasks);
  }
  let countdowns = countdownIndexes.get(lists.consortia);
  if (!countdowns || countdowns.settings !== settings || countdowns.tenders !== lists.tenders) {
    countdowns = { settings, tenders: lists.tenders, byDue: indexByDue(countdownEntries(ws, lists.consortia, lists.tenders)) };
    countdownIndexes.set(lists.consortia, countdowns);
  }
  const t = at.getTime();
  const fromTasks = tasks.byDue.get(t) ?? [];
  const fromCountdowns = countdowns.byDue.get(t);
  return fromCountdowns ? [...fromTasks, ...fromCountdowns] : fromTasks;
}

export function nudgesOfConsortium(ws: Workspace, c: Consortium, tender: Tender | null): Nudge[] {
  return countdownNudges(c, tender, workspaceCalendar(ws));
}

export async function loadTaskNudges(ws: Workspace, data: WorkspaceData, ref: string): Promise<{ task: Task | null; nudges: Nudge[] }> {
  const task = await data.tasks.findOne({ ref });
  return { task, nudges: task ? nudgesOfTask(ws, task) : [] };
}

export async function loadConsortiumNudges(ws: Workspace, data: WorkspaceData, ref: string): Promise<{ consortium: Consortium | null; tender: Tender | null; nudges: Nudge[] }> {
  const consortium = await data.consortia.findOne({ ref });
  if (!consortium) return { consortium, tender: null, nudges: [] };
  const tender = await data.tenders.findOne({ ref: consortium.tenderRef });
  return { consortium, tender, nudges: nudgesOfConsortium(ws, consortium, tender) };
}

/**
 * Every nudge a workspace could still owe, grouped by subject: open tasks and formed
 * consortia. Read from the whole lists the read cache shares, as a slot job reads them: a
 * sweep of many workspaces at once then costs one query per collection for all of them
 * (a filtered read costs a scan of the whole collection each on FerretDB), and a task's
 * nudges are worked out once per record. Shared: read it only.
 */
export async function loadWorkspaceNudges(ws: Workspace, data: WorkspaceData): Promise<Map<string, readonly Nudge[]>> {
  const [tasks, consortia, tenders] = await Promise.all([data.tasks.findShared({}), data.consortia.findShared({}), data.tenders.findShared({})]);
  const byRef = new Map(tenders.map((t) => [t.ref, t]));
  const out = new Map<string, readonly Nudge[]>();
  for (const t of tasks) if (t.status === 'open') out.set(t.ref, nudgesOfSharedTask(ws, t));
  for (const c of consortia) if (c.state === 'formed') out.set(c.ref, nudgesOfConsortium(ws, c, byRef.get(c.tenderRef) ?? null));
  return out;
}
