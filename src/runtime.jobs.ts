/** The queue side of the composition: the scheduler the core uses, the workers, the dashboard. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Router } from 'express';
import { startWorkers } from '../jobs/workers.js';
import type { Config } from './config.js';
import type { Handler } from './core/context.js';
import { purgeExpired } from './core/handlers/data-rights.handlers.js';
import { planHandler } from './core/handlers/plan.handler.js';
import type { Scheduler } from './core/ports.js';
import { coreLog } from './log.js';
import type { Metrics } from './metrics.js';
import type { NotifierRouter } from './notify.router.js';
import { createScheduler } from './queue/bull.scheduler.js';
import { MAINTENANCE_QUEUE, NUDGE_QUEUE } from './queue/nudge.jobs.js';
import { createQueueDashboard } from './queue-dashboard.js';
import type { MongoStore } from './store/mongo.store.js';

export function extraHandlers(): Handler[] {
  return [planHandler];
}

export async function createQueueScheduler(config: Config, store: MongoStore, log: Logger, metrics: Metrics): Promise<{ scheduler: Scheduler; close(): Promise<void>; refreshGauges(): Promise<void> }> {
  const s = createScheduler({ store, redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log: coreLog(log), timeScale: config.NUDGE_TIME_SCALE });
  const scheduler: Scheduler = {
    async taskChanged(ws, ref) {
      await s.taskChanged(ws, ref);
      metrics.nudges.inc({ stage: 'scheduled', kind: 'task' });
    },
    async consortiumChanged(ws, ref) {
      await s.consortiumChanged(ws, ref);
      metrics.nudges.inc({ stage: 'scheduled', kind: 'countdown' });
    },
    async workspaceChanged(ws) {
      await s.workspaceChanged(ws);
    },
  };
  return {
    scheduler,
    close: () => s.close(),
    async refreshGauges() {
      const counts = await Promise.race([s.queue.getJobCounts('delayed', 'waiting', 'active', 'failed'), new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
      if (!counts) return;
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: NUDGE_QUEUE, state }, n);
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * The workers, plus the daily retention purge: each workspace's closed tenders lose their
 * personal details after its retention period, and nudge ledger records go after
 * LEDGER_KEEP_DAYS. The purge is idempotent, so several worker
 * processes running it is harmless.
 */
export async function startWorkerSide(config: Config, store: MongoStore, notifier: NotifierRouter, log: Logger, metrics: Metrics): Promise<{ close(): Promise<void> }> {
  const workers = await startWorkers({
    store, notifier, redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log: coreLog(log), timeScale: config.NUDGE_TIME_SCALE,
    onNudge: (outcome, key) => {
      metrics.nudges.inc({ stage: outcome === 'delivered' ? 'sent' : 'skipped', kind: key.split(':')[0] ?? 'nudge' });
    },
  });
  const purge = async () => {
    const workspaces = await store.workspaces.list();
    for (const ws of workspaces) {
      const n = await purgeExpired(store.scoped(ws.id), ws.settings.retentionMonths, new Date());
      if (n) log.info({ workspaceId: ws.id, purged: n }, 'retention purge');
    }
    const old = await workers.scheduler.ledger.purge(workspaces.map((ws) => ws.id), new Date());
    if (old) log.info({ purged: old }, 'nudge ledger purge');
  };
  const first = setTimeout(() => void purge().catch((err: unknown) => log.warn({ err }, 'retention purge failed')), 10_000);
  const daily = setInterval(() => void purge().catch((err: unknown) => log.warn({ err }, 'retention purge failed')), DAY_MS);
  first.unref();
  daily.unref();
  return {
    async close() {
      clearTimeout(first);
      clearInterval(daily);
      await workers.close();
    },
  };
}

const probes = new Map<string, Redis>();

/** Whether Redis answers PING within two seconds. */
export async function redisReady(config: Config): Promise<boolean> {
  let probe = probes.get(config.REDIS_URL);
  if (!probe) {
    probe = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
    probe.on('error', () => undefined);
    probes.set(config.REDIS_URL, probe);
  }
  const ping = (async () => {
    if (probe.status === 'wait') await probe.connect();
    return (await probe.ping()) === 'PONG';
  })().catch(() => false);
  return Promise.race([ping, new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
}

export async function closeProbes(): Promise<void> {
  for (const p of probes.values()) p.disconnect();
  probes.clear();
}

export async function queueDashboard(config: Config): Promise<{ router: Router; close(): Promise<void> } | undefined> {
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const queues = [new Queue(NUDGE_QUEUE, { connection, prefix: config.QUEUE_PREFIX }), new Queue(MAINTENANCE_QUEUE, { connection, prefix: config.QUEUE_PREFIX })];
  const { router } = createQueueDashboard(queues as Queue[]);
  return {
    router,
    async close() {
      await Promise.all(queues.map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
