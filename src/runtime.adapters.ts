/** The chat adapters a process runs: Slack and Teams when configured. */
import type { Logger } from 'pino';
import { createSlackAdapter } from '../adapters/slack/slack.adapter.js';
import { createTeamsAdapter } from '../adapters/teams/teams.adapter.js';
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

/**
 * Teams runs whenever it is configured, and in development without an app id (the Bot
 * Framework Emulator sends unauthenticated traffic); in production it needs its app id.
 */
export async function chatAdapters(deps: AdapterDeps, opts: { receive: boolean } = { receive: true }): Promise<ChatAdapter[]> {
  const adapters: ChatAdapter[] = [];
  const c = deps.config;
  if (c.SLACK_BOT_TOKEN || c.SLACK_CLIENT_ID) {
    // Workers deliver through Slack but never receive: no Socket Mode connection there.
    const slack = await createSlackAdapter(deps, { receive: opts.receive });
    adapters.push({ platform: 'slack', web: slack.web, notifier: slack.notifier, close: () => slack.close() });
  }
  if (deps.config.MICROSOFT_APP_ID || deps.config.NODE_ENV !== 'production') {
    const teams = await createTeamsAdapter(deps);
    adapters.push({ platform: 'teams', web: teams.web, notifier: teams.notifier, close: () => teams.close() });
  }
  return adapters;
}
