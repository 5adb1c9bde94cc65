/**
 * The composition root shared by the processes: connects the store, builds the core with
 * its ports, and starts the web server and the workers when asked. Nothing else wires
 * objects together.
 */
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { Core } from './core/app.js';
import { calendarFeed } from './core/calendar/feed.js';
import { allHandlers } from './core/handlers/index.js';
import type { Notifier, Scheduler } from './core/ports.js';
import { systemClock } from './core/ports.js';
import { ImportDocuments } from './documents.js';
import { coreLog, createLogger } from './log.js';
import { Metrics } from './metrics.js';
import { NotifierRouter } from './notify.router.js';
import { startServer, type WebAdapter } from './server.js';
import { MongoStore } from './store/mongo.store.js';
import { ReadCache } from './store/read.cache.js';
import { RedisRevisionBoard } from './store/revisions.js';
import { closeProbes, createQueueScheduler, extraHandlers, queueDashboard, redisReady, startWorkerSide } from './runtime.jobs.js';
import { chatAdapters } from './runtime.adapters.js';

export interface RuntimeOptions {
  /** Prints nudges for the console workspace. */
  consoleNotifier?: Notifier;
  web?: boolean;
  workers?: boolean;
  logger?: Logger;
}

export interface Runtime {
  config: Config;
  store: MongoStore;
  core: Core;
  notifier: NotifierRouter;
  metrics: Metrics;
  log: Logger;
  webUrl?: string;
  close(): Promise<void>;
}

export async function startRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.logger ?? createLogger(config.LOG_LEVEL);
  const metrics = new Metrics();
  const cache = new ReadCache(new RedisRevisionBoard(config.REDIS_URL, config.QUEUE_PREFIX), {
    observe: (collection, result) => metrics.readCache.inc({ collection, result }),
  });
  const store = await MongoStore.connect(config.MONGODB_URI, { autoIndex: true, cache });
  const notifier = new NotifierRouter();
  if (opts.consoleNotifier) notifier.register('console', opts.consoleNotifier);
  const closers: (() => Promise<void>)[] = [];

  const queue = await createQueueScheduler(config, store, log, metrics);
  closers.push(() => queue.close());
  const scheduler: Scheduler = queue.scheduler;
  const core = new Core(
    {
      store, clock: systemClock, scheduler, notifier, log: coreLog(log), metrics,
      documents: new ImportDocuments(config.IMPORT_DIRS.split(',').map((d) => d.trim()).filter(Boolean)),
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : { publicUrl: `http://${config.HOST}:${config.PORT}` }),
    },
    allHandlers(extraHandlers()),
  );

  const adapters = await chatAdapters({ core, store, config, log, metrics }, { receive: Boolean(opts.web) });
  for (const a of adapters) {
    notifier.register(a.platform, a.notifier);
    closers.push(() => a.close());
  }

  let webUrl: string | undefined;
  if (opts.web) {
    const web: WebAdapter[] = adapters.map((a) => a.web);
    const dashboard = config.ADMIN_PASSWORD ? await queueDashboard(config) : undefined;
    const server = await startServer(
      {
        log, metrics, adapters: web,
        ready: { mongodb: () => store.ping(), redis: () => redisReady(config) },
        calendar: (token) => calendarFeed(store, token, new Date()),
        ...(dashboard ? { adminRouter: dashboard.router } : {}),
        ...(config.ADMIN_PASSWORD ? { adminPassword: config.ADMIN_PASSWORD } : {}),
        beforeScrape: () => queue.refreshGauges(),
      },
      config.PORT,
      config.HOST,
    );
    webUrl = server.url;
    closers.push(() => server.close());
    if (dashboard) closers.push(() => dashboard.close());
  }

  if (opts.workers) {
    const workers = await startWorkerSide(config, store, notifier, log, metrics);
    closers.push(() => workers.close());
  }

  return {
    config, store, core, notifier, metrics, log,
    ...(webUrl ? { webUrl } : {}),
    async close() {
      for (const c of closers.reverse()) await c().catch((err: unknown) => log.warn({ err }, 'close failed'));
      await closeProbes();
      await store.close();
    },
  };
}
