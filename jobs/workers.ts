/**
 * The BullMQ workers of one process: nudge delivery, and the maintenance queue (the
 * sweeper and the weekly digests). `npm run worker` runs them alone; `npm start` runs
 * them beside the console chat. Any number of processes may run them on one Redis.
 */
import { setMaxListeners } from 'node:events';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { silentLog, type CoreLog } from '../src/core/context.js';
import { systemClock, type Clock, type Notifier, type Store } from '../src/core/ports.js';
import { BullScheduler } from '../src/queue/bull.scheduler.js';
import { NudgeClaims } from '../src/queue/nudge.claims.js';
import type { LedgerWriter } from '../src/queue/ledger.writer.js';
import { NudgeLedger } from '../src/queue/nudge.ledger.js';
import { MAINTENANCE_QUEUE, NUDGE_QUEUE, workerRedis, type MaintenanceJobData, type NudgeJobData } from '../src/queue/nudge.jobs.js';
import { runDigests } from './digest.job.js';
import { NudgeLookups } from './nudge.lookups.js';
import { nudgeProcessor, type NudgeOutcome } from './nudge.worker.js';
import { ensureSweeper, sweepAll } from './sweeper.job.js';

export interface WorkerDeps {
  store: Store;
  notifier: Notifier;
  redisUrl: string;
  /** BullMQ key prefix (QUEUE_PREFIX). */
  prefix: string;
  log?: CoreLog;
  /** Multiplies nudge delays (NUDGE_TIME_SCALE). @defaultValue 1 */
  timeScale?: number;
  clock?: Clock;
  /** Nudge jobs run in parallel by this process (a slot job delivers its nudges several at once). @defaultValue 50 */
  concurrency?: number;
  /** How often the sweeper runs. @defaultValue 300000 (5 minutes) */
  sweepEveryMs?: number;
  /** Sweep once as the workers start, to recover anything lost while none ran. @defaultValue true */
  sweepOnStart?: boolean;
  /**
   * How long a job's lock lasts without renewal; a process that dies loses its jobs to
   * another after about this long plus `stalledIntervalMs`. @defaultValue 30000
   */
  lockDurationMs?: number;
  /** How often stalled jobs (of dead processes) are looked for. @defaultValue 30000 */
  stalledIntervalMs?: number;
  /**
   * Where ledger entries are written. @defaultValue the store's: batched inserts into
   * MongoDB. The nudge benchmark swaps it to show what the write costs.
   */
  ledgerWriter?: LedgerWriter;
  /** A ledger claim older than this is presumed abandoned. @defaultValue 2 × lockDurationMs */
  claimTtlMs?: number;
  /** See BullSchedulerOptions.slotAheadMs. @defaultValue 5000 */
  slotAheadMs?: number;
  /** See BullSchedulerOptions.slotLeadMs. @defaultValue 10000 */
  slotLeadMs?: number;
  /** How long workspace settings are reused between nudges. @defaultValue 1000 */
  settingsTtlMs?: number;
  /** On close, how long in-flight jobs may take before they are handed back. @defaultValue 10000 */
  shutdownGraceMs?: number;
  /**
   * How often this process checks that the sweeper's job scheduler still exists in Redis,
   * and sweeps at once if it had vanished (Redis flushed or replaced). @defaultValue 60000
   */
  watchdogMs?: number;
  /** Told what became of every nudge, before its job is acknowledged (for metrics and tests). */
  onNudge?: (outcome: NudgeOutcome, key: string, workspaceId: string) => void | Promise<void>;
}

export interface Workers {
  /** Finishes in-flight jobs (or, past the grace period, leaves them to be recovered) and disconnects. */
  close(): Promise<void>;
  /** Runs the sweeper now; returns how many nudge jobs it queued again. */
  sweepNow(): Promise<number>;
  /** Sends this week's digests of a workspace now (what the Monday job does). */
  digestNow(workspaceId: string): Promise<number>;
  readonly scheduler: BullScheduler;
}

const wait = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());

export async function startWorkers(deps: WorkerDeps): Promise<Workers> {
  const log = deps.log ?? silentLog;
  const clock = deps.clock ?? systemClock;
  const lockDuration = deps.lockDurationMs ?? 30_000;
  const scheduler = new BullScheduler({
    store: deps.store, redisUrl: deps.redisUrl, prefix: deps.prefix, clock, log, timeScale: deps.timeScale ?? 1,
    claimTtlMs: deps.claimTtlMs ?? 2 * lockDuration,
    ...(deps.slotAheadMs !== undefined ? { slotAheadMs: deps.slotAheadMs } : {}),
    ...(deps.slotLeadMs !== undefined ? { slotLeadMs: deps.slotLeadMs } : {}),
  });
  // Claims are many small commands from concurrent jobs: sent together, a tick's worth at a time.
  const connections: Redis[] = [workerRedis(deps.redisUrl), workerRedis(deps.redisUrl), workerRedis(deps.redisUrl), workerRedis(deps.redisUrl, { enableAutoPipelining: true })];
  const [nudgeConn, maintConn, queueConn, claimConn] = connections as [Redis, Redis, Redis, Redis];
  // Deliveries claim nudges on a connection of their own, which waits out a busy Redis.
  const ledger = new NudgeLedger(deps.store, new NudgeClaims(claimConn, deps.prefix, deps.claimTtlMs ?? 2 * lockDuration), deps.ledgerWriter);
  const lookups = new NudgeLookups(deps.store, { settingsTtlMs: deps.settingsTtlMs ?? 1_000 });
  for (const c of connections) c.on('error', (err) => log.warn({ err }, 'worker Redis connection error'));
  const maintenance = new Queue<MaintenanceJobData>(MAINTENANCE_QUEUE, { connection: queueConn, prefix: deps.prefix });
  maintenance.on('error', (err) => log.warn({ err }, 'maintenance queue error'));

  const common = {
    prefix: deps.prefix,
    lockDuration,
    stalledInterval: deps.stalledIntervalMs ?? 30_000,
    // A job whose process died is put back this many times before it counts as failed.
    maxStalledCount: 5,
  };
  const closing = new AbortController();
  // Every slot waiting for its instant listens for the close: hundreds may, which is no leak.
  setMaxListeners(0, closing.signal);
  const concurrency = deps.concurrency ?? 50;
  const deliver = nudgeProcessor({
    notifier: deps.notifier, ledger, lookups, log, closing: closing.signal,
    // Slots early for their instant hold at most half the worker's places.
    waiting: { count: 0, max: Math.max(1, Math.floor(concurrency / 2)) },
    ...(deps.slotLeadMs !== undefined ? { slotLeadMs: deps.slotLeadMs } : {}),
    ...(deps.onNudge ? { onNudge: deps.onNudge } : {}),
  });
  const nudges = new Worker<NudgeJobData, NudgeOutcome>(NUDGE_QUEUE, deliver, { ...common, connection: nudgeConn, concurrency });
  nudges.on('failed', (job: Job<NudgeJobData> | undefined, err) => log.warn({ err, job: job?.id, workspaceId: job?.data.ws, attempts: job?.attemptsMade }, 'nudge delivery failed'));
  nudges.on('error', (err) => log.error({ err }, 'nudge worker error'));

  const sweepDeps = { store: deps.store, scheduler, ledger, maintenance, clock, log };
  const digestDeps = { store: deps.store, notifier: deps.notifier, ledger, lookups, clock, maintenance, log };
  const maint = new Worker<MaintenanceJobData, number>(MAINTENANCE_QUEUE, async (job) => {
    if (job.data.kind === 'sweep') return sweepAll(sweepDeps);
    return runDigests(digestDeps, job.data.ws);
  }, { ...common, connection: maintConn, concurrency: 1 });
  maint.on('failed', (job, err) => log.warn({ err, job: job?.name }, 'maintenance job failed'));
  maint.on('error', (err) => log.error({ err }, 'maintenance worker error'));

  const sweepEvery = deps.sweepEveryMs ?? 300_000;
  const sweepInBackground = (why: string) => {
    void sweepAll(sweepDeps).catch((err: unknown) => log.warn({ err, why }, 'sweep failed; the scheduled sweep will retry'));
  };
  // Redis may be down as the process starts; the watchdog creates the sweeper's schedule later.
  await Promise.race([ensureSweeper(maintenance, sweepEvery).catch(() => false), wait(5_000)]);
  if (deps.sweepOnStart !== false) sweepInBackground('start');
  const watchdog = setInterval(() => {
    ensureSweeper(maintenance, sweepEvery).then(
      (recreated) => {
        if (!recreated) return;
        log.warn({}, 'Redis had lost the nudge schedule; sweeping now to restore it');
        sweepInBackground('redis lost its data');
      },
      () => undefined, // Redis down: the next tick tries again.
    );
  }, deps.watchdogMs ?? 60_000);
  watchdog.unref();

  let closed: Promise<void> | undefined;
  return {
    scheduler,
    sweepNow: () => sweepAll(sweepDeps),
    digestNow: (workspaceId) => runDigests(digestDeps, workspaceId),
    close() {
      closed ??= (async () => {
        clearInterval(watchdog);
        closing.abort();
        const grace = deps.shutdownGraceMs ?? 10_000;
        // close() lets in-flight jobs finish. Past the grace period they are abandoned: the
        // connections drop, their locks stop being renewed, and when the locks expire the jobs
        // go back to the queue for another process (the ledger keeps them from repeating).
        const graceful = Promise.all([nudges.close(), maint.close()]).then(() => 'closed' as const, () => 'closed' as const);
        if ((await Promise.race([graceful, wait(grace)])) === 'timeout') {
          log.warn({ graceMs: grace }, 'in-flight nudges did not finish in time; they will be recovered by another worker');
          for (const c of connections) c.disconnect();
          await scheduler.close();
          return;
        }
        await maintenance.close().catch(() => undefined);
        await scheduler.close();
        await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
      })();
      return closed;
    },
  };
}
