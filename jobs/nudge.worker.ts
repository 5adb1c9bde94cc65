/**
 * Delivers nudge jobs. A slot job carries only a workspace and an instant, and delivers
 * every nudge the workspace owes then; a single job carries one nudge's key. Everything
 * else is read again from MongoDB, so a job queued for an old date, a finished task or a
 * snoozed reminder finds its nudge gone and ends without a word. The ledger (see
 * src/queue/nudge.ledger.ts) turns retries, stalled-job recovery and duplicate jobs into
 * a single delivery.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { silentLog, type CoreLog } from '../src/core/context.js';
import type { Consortium, Task, Tender, Workspace } from '../src/core/domain.js';
import { countdownMessage, taskNudgeMessage } from '../src/core/nudges/nudge.message.js';
import { parseNudgeKey, type Nudge } from '../src/core/nudges/nudge.policy.js';
import { recipientId, recipientsFor, type NudgePeople } from '../src/core/nudges/nudge.recipients.js';
import type { Notifier, Recipient } from '../src/core/ports.js';
import type { Reply } from '../src/core/reply.js';
import { SLOT_LEAD_MS, isSlotJob, type NudgeJobData, type SingleNudgeData, type SlotNudgeData } from '../src/queue/nudge.jobs.js';
import type { NudgeLedger } from '../src/queue/nudge.ledger.js';
import { nudgesOfConsortium, nudgesOfSharedTask, type DueNudge } from '../src/queue/nudge.source.js';
import type { NudgeLookups } from './nudge.lookups.js';

export type NudgeOutcome = 'delivered' | 'stale' | 'settled' | 'nobody' | 'gone';

export interface NudgeWorkerDeps {
  notifier: Notifier;
  ledger: NudgeLedger;
  lookups: NudgeLookups;
  log?: CoreLog;
  /** Told what became of each nudge, before its job is acknowledged (for metrics and tests). */
  onNudge?: (outcome: NudgeOutcome, key: string, workspaceId: string) => void | Promise<void>;
  /**
   * How long before its instant a slot job is meant to start (see BullSchedulerOptions.slotLeadMs):
   * one that starts much earlier goes back to wait. @defaultValue 10000
   */
  slotLeadMs?: number;
  /** Aborted when the process starts to close: a slot waiting for its instant goes back to the queue. */
  closing?: AbortSignal;
  /**
   * Slots of this process waiting for their instant, and how many may at once. A waiting
   * slot holds one of the worker's places (its concurrency); past `max`, a slot that has read
   * what it needs goes back to the queue until its instant instead, so jobs that are due are
   * not kept waiting behind slots that are early. Unbounded when not given.
   */
  waiting?: { count: number; max: number };
}

/**
 * Nudges of one slot job delivered at once: a morning's worth in one or two rounds, whose
 * claims go to Redis together (see NudgeClaims); each round waits on the slowest claim and
 * send, so fewer rounds is what keeps a big slot's last nudge near its instant.
 */
const SLOT_PARALLEL = 500;

/** A nudge as it stands now in MongoDB: what to say and to whom. */
interface Current {
  nudge: Nudge;
  message: Reply;
  recipients: Recipient[];
}

async function peopleForTask(deps: NudgeWorkerDeps, ws: Workspace, task: Task, withLead: boolean): Promise<{ people: NudgePeople; leadSlug?: string }> {
  const owner = task.owner.kind === 'user' ? [task.owner.id] : await deps.lookups.orgContacts(ws.id, task.owner.slug);
  if (!withLead) return { people: { owner, lead: [], members: [] } };
  const leadSlug = (await deps.lookups.leadOf(ws.id, task.consortiumRef)) ?? undefined;
  const lead = leadSlug ? await deps.lookups.orgContacts(ws.id, leadSlug) : [];
  return { people: { owner, lead, members: [] }, ...(leadSlug ? { leadSlug } : {}) };
}

/** What a countdown says and to whom, given the consortium's tasks for its progress line. */
async function countdownNow(deps: NudgeWorkerDeps, ws: Workspace, nudge: Nudge, c: Readonly<Consortium>, tender: Readonly<Tender>, allTasks: readonly Readonly<Task>[]): Promise<Current> {
  const members = c.conversationId ? [] : (await Promise.all(c.memberSlugs.map((s) => deps.lookups.orgContacts(ws.id, s)))).flat();
  const tasks = allTasks.filter((t) => t.consortiumRef === c.ref);
  const now = Date.now();
  const progress = { total: tasks.length, done: tasks.filter((t) => t.status === 'done').length, overdue: tasks.filter((t) => t.status === 'open' && t.due.getTime() < now).length };
  const people: NudgePeople = { owner: [], lead: [], members, ...(c.conversationId ? { conversationId: c.conversationId } : {}) };
  return { nudge, message: countdownMessage(nudge, c, tender, ws.settings.timezone, progress), recipients: recipientsFor(nudge.audience, people, ws.settings) };
}

/** What a task's nudge says and to whom. */
async function taskNudgeNow(deps: NudgeWorkerDeps, ws: Workspace, nudge: Nudge, task: Readonly<Task>): Promise<Current> {
  const { people, leadSlug } = await peopleForTask(deps, ws, task, nudge.kind !== 'remind');
  return { nudge, message: taskNudgeMessage(nudge, task, ws.settings.timezone, leadSlug), recipients: recipientsFor(nudge.audience, people, ws.settings) };
}

/** Recomputes the nudge from the records; null when it is no longer owed. */
async function current(deps: NudgeWorkerDeps, ws: Workspace, key: string): Promise<Current | null> {
  const parts = parseNudgeKey(key);
  if (!parts) throw new UnrecoverableError(`not a nudge key: ${key}`);
  if (parts.kind === 'countdown') {
    const c = await deps.lookups.consortium(ws.id, parts.subject);
    const tender = c ? await deps.lookups.tender(ws.id, c.tenderRef) : null;
    const nudge = c ? nudgesOfConsortium(ws, c, tender).find((n) => n.key === key) : undefined;
    if (!c || !tender || !nudge) return null;
    return countdownNow(deps, ws, nudge, c, tender, await deps.lookups.tasksOf(ws.id));
  }
  if (parts.kind === 'digest') throw new UnrecoverableError(`digests run on the maintenance queue: ${key}`);
  const task = await deps.lookups.task(ws.id, parts.subject);
  const nudge = task ? nudgesOfSharedTask(ws, task).find((n) => n.key === key) : undefined;
  if (!task || !nudge) return null;
  return taskNudgeNow(deps, ws, nudge, task);
}

/** Sends to each recipient not yet reached; returns the failure, if any, after trying all. */
async function sendAll(deps: NudgeWorkerDeps, ws: Workspace, now: Current, skip: Set<string>): Promise<{ reached: string[]; error?: unknown }> {
  const reached: string[] = [];
  let error: unknown;
  for (const to of now.recipients) {
    const id = recipientId(to);
    if (skip.has(id)) continue;
    try {
      await deps.notifier.send(ws, to, now.message, { dueAt: now.nudge.dueAt, key: now.nudge.key });
      reached.push(id);
    } catch (err) {
      error ??= err;
    }
  }
  return error === undefined ? { reached } : { reached, error };
}

/**
 * What became of one nudge; `busy` when another worker's claim on it is still live. A
 * delivered nudge's ledger record may still be on its way (`recorded`): its job must not
 * end before it is written.
 */
type Attempt = { kind: 'done'; outcome: NudgeOutcome; recorded?: Promise<void> } | { kind: 'busy'; retryAt: Date };

/**
 * Delivers one nudge of a workspace as it stands now (null: not owed). Throws when a send
 * failed (after recording who did get it), so the job is retried.
 */
async function deliverOne(deps: NudgeWorkerDeps, ws: Workspace, now: Current | null): Promise<Attempt> {
  if (!now) return { kind: 'done', outcome: 'stale' };
  if (now.recipients.length === 0) {
    // Nudges off (for the workspace, or for everyone it was for): settled, so turning
    // them back on later does not bring back old reminders.
    await deps.ledger.settle(ws.id, [now.nudge], new Date());
    return { kind: 'done', outcome: 'nobody' };
  }
  const claim = await deps.ledger.claim(ws.id, now.nudge, new Date());
  if (claim.kind === 'settled') return { kind: 'done', outcome: 'settled' };
  if (claim.kind === 'busy') return { kind: 'busy', retryAt: claim.retryAt };
  const skip = claim.attempts > 1 ? await deps.ledger.alreadySent(ws.id, now.nudge, now.recipients.map(recipientId)) : new Set<string>();
  const sent = await sendAll(deps, ws, now, skip);
  if (sent.error !== undefined) {
    if (sent.reached.length) await deps.ledger.sentTo(ws.id, now.nudge, sent.reached, new Date());
    await deps.ledger.release(ws.id, now.nudge, claim);
    throw sent.error;
  }
  const recorded = deps.ledger.delivered(ws.id, now.nudge, new Date(), claim.attempts).then((first) => {
    if (!first) (deps.log ?? silentLog).warn({ workspaceId: ws.id, key: now.nudge.key }, 'nudge delivered by two workers (a claim was taken over while its holder was still alive)');
  });
  return { kind: 'done', outcome: 'delivered', recorded };
}

/** Puts the job back in the queue until `at` (epoch ms); BullMQ learns of it from the DelayedError. */
async function backInQueue(job: Job<NudgeJobData>, token: string | undefined, at: number): Promise<never> {
  await job.moveToDelayed(at, token);
  throw new DelayedError();
}

/** Another worker holds a fresh claim: the job comes back when that claim would have gone stale. */
function comeBackAt(job: Job<NudgeJobData>, token: string | undefined, retryAt: Date): Promise<never> {
  return backInQueue(job, token, retryAt.getTime() + 50);
}

async function processSingle(deps: NudgeWorkerDeps, job: Job<NudgeJobData>, data: SingleNudgeData, token?: string): Promise<NudgeOutcome> {
  const ws = await deps.lookups.workspace(data.ws);
  const attempt: Attempt = ws ? await deliverOne(deps, ws, await current(deps, ws, data.key)) : { kind: 'done', outcome: 'gone' };
  if (attempt.kind === 'busy') return comeBackAt(job, token, attempt.retryAt);
  await attempt.recorded;
  await deps.onNudge?.(attempt.outcome, data.key, data.ws);
  return attempt.outcome;
}

/**
 * For a slot that started before its instant (`runAt`): reads what it will need, then waits
 * for the instant. Throws DelayedError, having put the job back to wait, when it started far
 * too soon (the scheduler's clock and this one disagree) or its process starts to close.
 */
async function waitForInstant(deps: NudgeWorkerDeps, job: Job<NudgeJobData>, data: SlotNudgeData, runAt: number, token?: string): Promise<void> {
  const lead = deps.slotLeadMs ?? SLOT_LEAD_MS;
  if (runAt - Date.now() > lead + 1_000) return backInQueue(job, token, runAt - lead);
  const ws = await deps.lookups.workspace(data.ws);
  // Copies that would be gone by the instant are read again now, so the instant finds them in memory.
  if (ws) await deps.lookups.dueAt(ws, new Date(data.at), { freshUntil: runAt + 5_000 });
  const left = runAt - Date.now();
  if (left <= 0) return;
  const waiting = deps.waiting;
  // Enough slots hold places already: this one waits in the queue, its records in memory.
  if (waiting && waiting.count >= waiting.max) return backInQueue(job, token, runAt);
  if (waiting) waiting.count += 1;
  let waited: boolean;
  try {
    waited = await delay(left, true, deps.closing ? { signal: deps.closing } : {}).catch(() => false);
  } finally {
    if (waiting) waiting.count -= 1;
  }
  // This process is closing: the slot waits in the queue for its instant, for another worker.
  if (!waited) return backInQueue(job, token, runAt);
}

/**
 * Delivers every nudge the workspace owes at the slot's instant, as its records stand then,
 * several at once. A slot starts a little before its instant (slotLeadMs): it reads the
 * workspace's records meanwhile and waits, then works out what is owed from them again
 * (from memory, unless a record changed). One that fails is retried with the job, after
 * the others are delivered: on the retry those are settled, so only what failed goes again.
 */
async function processSlot(deps: NudgeWorkerDeps, job: Job<NudgeJobData>, data: SlotNudgeData, token?: string): Promise<NudgeOutcome> {
  if (data.runAt !== undefined && data.runAt > Date.now()) await waitForInstant(deps, job, data, data.runAt, token);
  const ws = await deps.lookups.workspace(data.ws);
  if (!ws) return 'gone';
  const { due, tasks } = await deps.lookups.dueAt(ws, new Date(data.at));
  if (due.length === 0) return 'stale';
  let error: unknown;
  let retryAt: Date | undefined;
  const delivered: string[] = [];
  // Ledger records still being written, so the next nudge need not wait for the last one's.
  const writes: Promise<void>[] = [];
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < due.length) {
      const entry = due[next++] as DueNudge;
      const key = entry.nudge.key;
      try {
        const now = 'task' in entry ? await taskNudgeNow(deps, ws, entry.nudge, entry.task) : await countdownNow(deps, ws, entry.nudge, entry.consortium, entry.tender, tasks);
        const attempt = await deliverOne(deps, ws, now);
        if (attempt.kind === 'busy') {
          if (!retryAt || attempt.retryAt > retryAt) retryAt = attempt.retryAt;
          continue;
        }
        const told = async (): Promise<void> => {
          if (attempt.outcome === 'delivered') delivered.push(key);
          await deps.onNudge?.(attempt.outcome, key, ws.id);
        };
        if (attempt.recorded) {
          writes.push(attempt.recorded.then(told).catch((err: unknown) => {
            error ??= err;
          }));
        } else await told();
      } catch (err) {
        error ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SLOT_PARALLEL, due.length) }, run));
  await Promise.all(writes);
  // The slot may run again soon (a retry, a nudge still claimed elsewhere): what it delivered
  // is then finished at once, instead of waiting out its claims.
  await deps.ledger.closeClaims(ws.id, delivered);
  if (error !== undefined) throw error;
  if (retryAt) return comeBackAt(job, token, retryAt);
  return delivered.length > 0 ? 'delivered' : 'settled';
}

export function nudgeProcessor(deps: NudgeWorkerDeps): (job: Job<NudgeJobData>, token?: string) => Promise<NudgeOutcome> {
  return (job, token) => (isSlotJob(job.data) ? processSlot(deps, job, job.data, token) : processSingle(deps, job, job.data, token));
}
