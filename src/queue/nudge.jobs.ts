/**
 * What the nudge queues hold and how their jobs are named. Shared by the scheduler (which
 * adds jobs) and the workers (which run them), so both agree on ids and payloads.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { JobsOptions } from 'bullmq';

/** Delayed nudge deliveries: a job per instant a workspace's nudges fall due, or per nudge. */
export const NUDGE_QUEUE = 'nudges';
/** The sweeper and the weekly digests: few jobs, run on job schedulers. */
export const MAINTENANCE_QUEUE = 'nudge-maintenance';

/** One nudge to deliver: the worker recomputes everything else from MongoDB. */
export interface SingleNudgeData {
  /** Workspace id. */
  ws: string;
  /** The nudge key, `<kind>:<subject>:<version>:<slot>`. */
  key: string;
  /** When the nudge is due (ISO), to notice a schedule that has moved (working hours changed). */
  dueAt: string;
}

/**
 * Every nudge of a workspace due at one instant (its working morning, say): the worker
 * works out which they are from MongoDB when the instant comes, so the job names none, and
 * a task added, re-dated or finished meanwhile changes what it delivers without touching it.
 */
export interface SlotNudgeData {
  /** Workspace id. */
  ws: string;
  /** The instant (ISO). */
  at: string;
  /**
   * When the instant falls in real time (epoch ms), as the scheduler worked it out: the job
   * starts a little before (slotLeadMs) to read what it needs, and waits until then.
   */
  runAt?: number;
}

export type NudgeJobData = SingleNudgeData | SlotNudgeData;

/**
 * How long before its instant a slot job starts, by default: the scheduler queues it that
 * much early and the worker sends a slot that starts much earlier back to wait.
 */
export const SLOT_LEAD_MS = 10_000;

export function isSlotJob(data: NudgeJobData): data is SlotNudgeData {
  return 'at' in data;
}

export type MaintenanceJobData = { kind: 'sweep' } | { kind: 'digest'; ws: string };

/** BullMQ reserves `:` in job ids; workspace ids and keys may contain it. */
function escapeId(text: string): string {
  return text.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/\//g, '%2F');
}

/** The deterministic job id of a nudge: the same nudge can never be queued twice. */
export function nudgeJobId(workspaceId: string, key: string): string {
  return `n/${escapeId(workspaceId)}/${escapeId(key)}`;
}

/** The deterministic job id of an instant's nudges in a workspace. */
export function nudgeSlotJobId(workspaceId: string, at: Date): string {
  return `s/${escapeId(workspaceId)}/${at.getTime()}`;
}

export function digestSchedulerId(workspaceId: string): string {
  return `digest/${escapeId(workspaceId)}`;
}

export function digestJobId(workspaceId: string, week: string, why: 'late' | 'catch-up'): string {
  return `digest-${why}/${escapeId(workspaceId)}/${week}`;
}

export const SWEEP_SCHEDULER_ID = 'sweeper';

/**
 * Retries with backoff for a failed delivery (a chat API down). A job that exhausts them
 * is dropped from Redis; its nudge is still unsettled in the ledger, so the sweeper
 * queues it again.
 */
export const NUDGE_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/**
 * A connection for producers that must never wait on Redis: with no offline queue and a
 * command timeout, a command fails within `timeoutMs` when Redis is down, and the caller
 * carries on (MongoDB holds the truth; the sweeper restores the schedule).
 */
export function producerRedis(url: string, timeoutMs: number): Redis {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    // Keep trying in the background, never faster than every 2 s.
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  };
  return new Redis(url, options);
}

/** A connection for BullMQ workers: blocking commands must be allowed to wait. */
export function workerRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(200 * times, 2_000), ...extra });
}
