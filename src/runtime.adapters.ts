/** The chat adapters a process runs: Slack and Teams when configured. */
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Core } from './core/app.js';
import type { Platform } from './core/command.js';
import type { Notifier } from './core/ports.js';
import type { Metrics } from './metrics.js';
import type { WebAdapter } from './server.js';
import type { MongoStore } from './store/mongo.store.js';

export interface ChatAdapter {
  platform: Platform;
  web: WebAdapter;
  notifier: Notifier;
  close(): Promise<void>;
}

export interface AdapterDeps {
  core: Core;
  store: MongoStore;
  config: Config;
  log: Logger;
  metrics: Metrics;
}

export async function chatAdapters(_deps: AdapterDeps): Promise<ChatAdapter[]> {
  return [];
}
