/** The queue side of the composition: the scheduler the core uses, the workers, the dashboard. */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Router } from 'express';
import type { Config } from './config.js';
import type { Handler } from './core/context.js';
import type { Scheduler } from './core/ports.js';
import type { Metrics } from './metrics.js';
import type { NotifierRouter } from './notify.router.js';
import type { MongoStore } from './store/mongo.store.js';

export function extraHandlers(): Handler[] {
  return [];
}

export async function createQueueScheduler(_config: Config, _store: MongoStore, _log: Logger, _metrics: Metrics): Promise<{ scheduler: Scheduler; close(): Promise<void>; refreshGauges(): Promise<void> }> {
  return { scheduler: { async taskChanged() {}, async consortiumChanged() {} }, async close() {}, async refreshGauges() {} };
}

export async function startWorkerSide(_config: Config, _store: MongoStore, _notifier: NotifierRouter, _log: Logger, _metrics: Metrics): Promise<{ close(): Promise<void> }> {
  return { async close() {} };
}

let probe: Redis | null = null;

export async function redisReady(config: Config): Promise<boolean> {
  probe ??= new Redis(config.REDIS_URL, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  }
}

export async function queueDashboard(_config: Config): Promise<{ router: Router; close(): Promise<void> } | undefined> {
  return undefined;
}
