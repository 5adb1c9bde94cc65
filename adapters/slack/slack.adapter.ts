/**
 * The Slack adapter, assembled: transport, installations, listeners, App Home and the
 * delivery port. It translates and renders; every rule lives in the core.
 */
import { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/app.js';
import type { Notifier } from '../../src/core/ports.js';
import type { Metrics } from '../../src/metrics.js';
import type { WebAdapter } from '../../src/server.js';
import type { MongoStore } from '../../src/store/mongo.store.js';
import { SlackInstallationStore } from '../../src/store/slack-installation.store.js';
import { SlackApi, withSlash } from './slack.api.js';
import { registerCommands } from './slack.commands.js';
import { ACK_DEADLINE_MS } from './slack.context.js';
import { EventReceipts } from './slack.dedupe.js';
import { registerEvents } from './slack.events.js';
import { HomePublisher } from './slack.home.js';
import { MongoInstallations, SingleWorkspaceTokens, type SlackInstallation, type TokenSource } from './slack.installation.js';
import { boltLogger } from './slack.logger.js';
import { SlackNotifier } from './slack.notifier.js';
import { SlackConfigError, createTransport } from './slack.receiver.js';
import { registerViews } from './slack.views.js';

export interface SlackAdapterDeps {
  core: Core;
  store: MongoStore;
  config: Config;
  log: Logger;
  metrics: Metrics;
}

/** Tuning, mostly for tests; production uses the defaults. */
export interface SlackAdapterOptions {
  /** How long a listener waits for the core before acknowledging without the answer. @defaultValue 2000 */
  ackDeadlineMs?: number;
  /** Gap between two messages into one channel. @defaultValue 1000 */
  channelGapMs?: number;
  /** Attempts per Web API call before giving up. @defaultValue 5 */
  maxAttempts?: number;
  /** Shortest gap between two background refreshes of one user's App Home. @defaultValue 30000 */
  homeMinIntervalMs?: number;
  /**
   * Whether this process receives Slack requests. Workers pass false: they only deliver,
   * and must not open a Socket Mode connection that would take requests from the web
   * process. @defaultValue true
   */
  receive?: boolean;
}

export interface SlackAdapter {
  web: WebAdapter;
  notifier: Notifier;
  /** Publishes one user's App Home now (used on install and by tests). */
  home: HomePublisher;
  /** How requests arrive: HTTP, Socket Mode, or not at all (a worker that only delivers). */
  mode: 'http' | 'socket' | 'none';
  oauth: boolean;
  close(): Promise<void>;
}

export async function createSlackAdapter(deps: SlackAdapterDeps, options: SlackAdapterOptions = {}): Promise<SlackAdapter> {
  const { core, store, config, metrics } = deps;
  const log = deps.log.child({ component: 'slack' });
  const api = new SlackApi({
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    metrics,
    log,
    ...(options.channelGapMs !== undefined ? { channelGapMs: options.channelGapMs } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });

  let tokens: TokenSource;
  let installations: MongoInstallations | undefined;
  if (config.SLACK_CLIENT_ID) {
    if (!config.ENCRYPTION_KEY) throw new SlackConfigError('ENCRYPTION_KEY is not set; OAuth install stores tokens encrypted');
    installations = new MongoInstallations(new SlackInstallationStore<SlackInstallation>(store.connection, config.ENCRYPTION_KEY), store.workspaces, log);
    tokens = installations;
  } else if (config.SLACK_BOT_TOKEN) {
    tokens = new SingleWorkspaceTokens(config.SLACK_BOT_TOKEN);
  } else {
    throw new SlackConfigError('Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (OAuth install)');
  }

  const home = new HomePublisher(core, api, tokens, log, options.homeMinIntervalMs !== undefined ? { minIntervalMs: options.homeMinIntervalMs } : {});
  const notifier = new SlackNotifier(api, tokens, { onDelivered: (ws, user, token) => home.refresh(ws, user, token) });
  if (options.receive === false) {
    const close = () => home.close();
    return { web: { name: 'slack', close }, notifier, home, mode: 'none', oauth: Boolean(installations), close };
  }

  const logger = boltLogger(log);
  const transport = createTransport(config, logger, installations);
  const botToken = config.SLACK_BOT_TOKEN;
  const app = new App({
    receiver: transport.receiver,
    ...(transport.oauth || !botToken ? {} : { authorize: async () => ({ botToken }) }),
    logger,
    convoStore: false,
    extendedErrorHandler: true,
    clientOptions: { ...(config.SLACK_API_URL ? { slackApiUrl: withSlash(config.SLACK_API_URL) } : {}), retryConfig: { retries: 0 } },
  });
  // extendedErrorHandler is on, so Bolt passes { error, body, context } rather than the bare error.
  const onError: Parameters<App['error']>[0] = async ({ error, body }) => {
    const b = body as { type?: string; event?: { type?: string } };
    log.error({ err: error, type: b.type, event: b.event?.type }, 'Slack request failed');
  };
  app.error(onError);

  const receipts = new EventReceipts(store.connection);
  await receipts.init();
  const ackDeadlineMs = options.ackDeadlineMs ?? ACK_DEADLINE_MS;
  registerEvents(app, { home, receipts, ...(installations ? { installations } : {}), log });
  registerCommands(app, { core, api, home, log, metrics, ackDeadlineMs });
  registerViews(app, { core, api, home, log, metrics, ackDeadlineMs });

  if (transport.mode === 'socket') await app.start();
  log.info({ mode: transport.mode, oauth: transport.oauth }, 'Slack adapter ready');

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      if (transport.mode === 'socket') await app.stop().catch((err: unknown) => log.warn({ err }, 'Socket Mode did not stop cleanly'));
      await home.close();
    })());

  return {
    web: { name: 'slack', ...(transport.router ? { router: transport.router } : {}), close },
    notifier,
    home,
    mode: transport.mode,
    oauth: transport.oauth,
    close,
  };
}
