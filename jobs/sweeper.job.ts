/**
 * The sweeper: reconciles Redis with MongoDB for every workspace. Whatever Redis lost —
 * a failed enqueue, a FLUSHALL, an outage while tasks changed — is queued again from the
 * records, late nudges to go at once; and each workspace's weekly digest scheduler is
 * made to match its settings. Runs on a job scheduler every few minutes, at worker start,
 * and on demand.
 */
import type { Queue } from 'bullmq';
import { silentLog, type CoreLog } from '../src/core/context.js';
import { digestSchedule } from '../src/core/nudges/digest.policy.js';
import type { Workspace } from '../src/core/domain.js';
import type { Clock, Store } from '../src/core/ports.js';
import type { BullScheduler } from '../src/queue/bull.scheduler.js';
import { SWEEP_SCHEDULER_ID, digestJobId, digestSchedulerId, type MaintenanceJobData } from '../src/queue/nudge.jobs.js';
import { settledSince, type NudgeLedger } from '../src/queue/nudge.ledger.js';
import { digestOwed } from './digest.job.js';

export interface SweepDeps {
  store: Store;
  scheduler: BullScheduler;
  ledger: NudgeLedger;
  maintenance: Queue<MaintenanceJobData>;
  clock: Clock;
  log?: CoreLog;
}

export class SweepFailed extends Error {
  readonly code = 'SWEEP_FAILED';
}

/** Keeps a workspace's digest job scheduler in line with its hours and zone. */
async function syncDigestScheduler(deps: SweepDeps, workspaceId: string, wanted: { pattern: string; tz: string } | null): Promise<void> {
  const id = digestSchedulerId(workspaceId);
  const existing = await deps.maintenance.getJobScheduler(id);
  if (!wanted) {
    if (existing) await deps.maintenance.removeJobScheduler(id);
    return;
  }
  if (existing && existing.pattern === wanted.pattern && existing.tz === wanted.tz) return;
  await deps.maintenance.upsertJobScheduler(id, wanted, {
    name: 'digest',
    data: { kind: 'digest', ws: workspaceId },
    opts: { removeOnComplete: true, removeOnFail: true, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
  });
}

/**
 * Workspaces swept at once. Their reads of whole lists go to the database together (see
 * ReadCache.readGrouped), and a filtered read on FerretDB scans the whole collection, every
 * workspace's records included: ten at a time cost one scan where one at a time cost ten.
 */
const SWEEP_TOGETHER = 10;

/** Sweeps every workspace; returns how many nudge jobs had to be queued again. */
export async function sweepAll(deps: SweepDeps): Promise<number> {
  const log = deps.log ?? silentLog;
  const workspaces = await deps.store.workspaces.list();
  const settled = await deps.ledger.settledByWorkspace(workspaces.map((ws) => ws.id), settledSince(deps.clock.now()));
  let added = 0;
  let failed = 0;
  let lastError: unknown;
  const sweepOne = async (ws: Workspace): Promise<void> => {
    try {
      const queued = await deps.scheduler.syncWorkspace(ws, 'sweep', settled.get(ws.id));
      added += queued;
      const hasConsortia = (await deps.store.scoped(ws.id).consortia.findShared({})).some((c) => c.state === 'formed');
      await syncDigestScheduler(deps, ws.id, hasConsortia ? digestSchedule(ws.settings) : null);
      const owed = hasConsortia ? await digestOwed(deps, ws.id, settled.get(ws.id)) : null;
      if (owed) await deps.maintenance.add('digest', { kind: 'digest', ws: ws.id }, { jobId: digestJobId(ws.id, owed, 'catch-up'), removeOnComplete: true, removeOnFail: true });
    } catch (err) {
      failed += 1;
      lastError = err;
      log.warn({ err, workspaceId: ws.id }, 'sweep of a workspace failed; the next sweep will retry it');
    }
  };
  for (let i = 0; i < workspaces.length; i += SWEEP_TOGETHER) await Promise.all(workspaces.slice(i, i + SWEEP_TOGETHER).map(sweepOne));
  if (failed > 0 && failed === workspaces.length) throw new SweepFailed(`sweep failed for all ${failed} workspaces: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  if (added > 0) log.info({ added, workspaces: workspaces.length }, 'sweeper queued missing nudges');
  return added;
}

/**
 * Makes sure the sweeper's own job scheduler exists. True when it had to be created: Redis
 * has lost its data (flushed, or replaced by an empty one), so a sweep is due at once, which
 * the caller runs itself. The schedule's first sweep is one period after its creation (a
 * schedule that repeats runs its first at once otherwise, and would sweep twice).
 */
export async function ensureSweeper(maintenance: Queue<MaintenanceJobData>, everyMs: number): Promise<boolean> {
  const existing = await maintenance.getJobScheduler(SWEEP_SCHEDULER_ID);
  if (existing && existing.every === everyMs) return false;
  await maintenance.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: everyMs, startDate: Date.now() + everyMs }, {
    name: 'sweep', data: { kind: 'sweep' }, opts: { removeOnComplete: true, removeOnFail: true },
  });
  return !existing;
}
