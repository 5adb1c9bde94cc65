/**
 * The composition root shared by the processes: connects the store, builds the core with
 * its ports, and starts the web server and the workers when asked. Nothing else wires
 * objects together.
 */
import type { Config } from './config.js';
import { Core } from './core/app.js';
import type { CoreLog } from './core/context.js';
import { allHandlers } from './core/handlers/index.js';
import type { Notifier, Scheduler } from './core/ports.js';
import { systemClock } from './core/ports.js';
import { NotifierRouter } from './notify.router.js';
import { MongoStore } from './store/mongo.store.js';

export interface RuntimeOptions {
  consoleNotifier?: Notifier;
  web?: boolean;
  workers?: boolean;
  quiet?: boolean;
  log?: CoreLog;
}

export interface Runtime {
  config: Config;
  store: MongoStore;
  core: Core;
  notifier: NotifierRouter;
  webUrl?: string;
  close(): Promise<void>;
}

export async function startRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const store = await MongoStore.connect(config.MONGODB_URI, { autoIndex: true });
  const notifier = new NotifierRouter();
  if (opts.consoleNotifier) notifier.register('console', opts.consoleNotifier);
  const scheduler: Scheduler = { async taskChanged() {}, async consortiumChanged() {} };
  const core = new Core({ store, clock: systemClock, scheduler, notifier, ...(opts.log ? { log: opts.log } : {}) }, allHandlers());
  const closers: (() => Promise<void>)[] = [];
  return {
    config,
    store,
    core,
    notifier,
    async close() {
      for (const c of closers.reverse()) await c().catch(() => undefined);
      await store.close();
    },
  };
}
