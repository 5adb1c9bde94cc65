/**
 * Delivers one nudge job. The job carries only the workspace and the key; everything
 * else is read again from MongoDB, so a job queued for an old date, a finished task or a
 * snoozed reminder finds its nudge gone and ends without a word. The ledger (see
 * src/queue/nudge.ledger.ts) turns retries, stalled-job recovery and duplicate jobs into
 * a single delivery.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { silentLog, type CoreLog } from '../src/core/context.js';
import type { Task, Workspace } from '../src/core/domain.js';
import { countdownMessage, taskNudgeMessage } from '../src/core/nudges/nudge.message.js';
import { parseNudgeKey, type Nudge } from '../src/core/nudges/nudge.policy.js';
import { recipientId, recipientsFor, type NudgePeople } from '../src/core/nudges/nudge.recipients.js';
import type { Notifier, Recipient } from '../src/core/ports.js';
import type { Reply } from '../src/core/reply.js';
import type { NudgeJobData } from '../src/queue/nudge.jobs.js';
import type { NudgeLedger } from '../src/queue/nudge.ledger.js';
import { nudgesOfConsortium, nudgesOfSharedTask } from '../src/queue/nudge.source.js';
import type { NudgeLookups } from './nudge.lookups.js';

export type NudgeOutcome = 'delivered' | 'stale' | 'settled' | 'nobody' | 'gone';

export interface NudgeWorkerDeps {
  notifier: Notifier;
  ledger: NudgeLedger;
  lookups: NudgeLookups;
  log?: CoreLog;
}

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

/** Recomputes the nudge from the records; null when it is no longer owed. */
async function current(deps: NudgeWorkerDeps, ws: Workspace, key: string): Promise<Current | null> {
  const parts = parseNudgeKey(key);
  if (!parts) throw new UnrecoverableError(`not a nudge key: ${key}`);
  if (parts.kind === 'countdown') {
    const c = await deps.lookups.consortium(ws.id, parts.subject);
    const tender = c ? await deps.lookups.tender(ws.id, c.tenderRef) : null;
    const nudge = c ? nudgesOfConsortium(ws, c, tender).find((n) => n.key === key) : undefined;
    if (!c || !tender || !nudge) return null;
    const members = c.conversationId ? [] : (await Promise.all(c.memberSlugs.map((s) => deps.lookups.orgContacts(ws.id, s)))).flat();
    const tasks = await deps.lookups.consortiumTasks(ws.id, c.ref);
    const now = Date.now();
    const progress = { total: tasks.length, done: tasks.filter((t) => t.status === 'done').length, overdue: tasks.filter((t) => t.status === 'open' && t.due.getTime() < now).length };
    const people: NudgePeople = { owner: [], lead: [], members, ...(c.conversationId ? { conversationId: c.conversationId } : {}) };
    return { nudge, message: countdownMessage(nudge, c, tender, ws.settings.timezone, progress), recipients: recipientsFor(nudge.audience, people, ws.settings) };
  }
  if (parts.kind === 'digest') throw new UnrecoverableError(`digests run on the maintenance queue: ${key}`);
  const task = await deps.lookups.task(ws.id, parts.subject);
  const nudge = task ? nudgesOfSharedTask(ws, task).find((n) => n.key === key) : undefined;
  if (!task || !nudge) return null;
  const withLead = nudge.kind !== 'remind';
  const { people, leadSlug } = await peopleForTask(deps, ws, task, withLead);
  return { nudge, message: taskNudgeMessage(nudge, task, ws.settings.timezone, leadSlug), recipients: recipientsFor(nudge.audience, people, ws.settings) };
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

export function nudgeProcessor(deps: NudgeWorkerDeps): (job: Job<NudgeJobData>, token?: string) => Promise<NudgeOutcome> {
  const log = deps.log ?? silentLog;
  return async (job, token) => {
    const { ws: workspaceId, key } = job.data;
    const ws = await deps.lookups.workspace(workspaceId);
    if (!ws) return 'gone';
    const now = await current(deps, ws, key);
    if (!now) return 'stale';
    if (now.recipients.length === 0) {
      // Nudges off (for the workspace, or for everyone it was for): settled, so turning
      // them back on later does not bring back old reminders.
      await deps.ledger.settle(ws.id, [now.nudge], new Date());
      return 'nobody';
    }
    const claim = await deps.ledger.claim(ws.id, now.nudge, new Date());
    if (claim.kind === 'settled') return 'settled';
    if (claim.kind === 'busy') {
      // Another worker holds a fresh claim; come back when it would have gone stale.
      await job.moveToDelayed(claim.retryAt.getTime() + 50, token);
      throw new DelayedError();
    }
    const skip = claim.attempts > 1 ? await deps.ledger.alreadySent(ws.id, now.nudge, now.recipients.map(recipientId)) : new Set<string>();
    const sent = await sendAll(deps, ws, now, skip);
    if (sent.error !== undefined) {
      if (sent.reached.length) await deps.ledger.sentTo(ws.id, now.nudge, sent.reached, new Date());
      await deps.ledger.release(ws.id, now.nudge, claim);
      throw sent.error;
    }
    const first = await deps.ledger.delivered(ws.id, now.nudge, new Date(), claim.attempts);
    if (!first) log.warn({ workspaceId, key }, 'nudge delivered by two workers (a claim was taken over while its holder was still alive)');
    return 'delivered';
  };
}
