/**
 * Consortia as a Microsoft Teams bot: `POST /api/messages` through botbuilder's
 * CloudAdapter, the Teams notifier, and how they stop. Wiring only; turns are handled by
 * {@link TeamsReceiver}, delivery by {@link TeamsNotifier}.
 *
 * Every botbuilder import lives in this folder, so moving to the Microsoft 365 Agents SDK
 * (same activity protocol) changes this folder alone.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/app.js';
import type { Notifier } from '../../src/core/ports.js';
import type { Metrics } from '../../src/metrics.js';
import type { WebAdapter } from '../../src/server.js';
import type { MongoStore } from '../../src/store/mongo.store.js';
import { TeamsConversationStore } from '../../src/store/teams-conversation.store.js';
import { looksLikeActivity } from './teams.activity.js';
import { RedisActivityLedger } from './teams.ledger.js';
import { continueIn, TeamsNotifier } from './teams.notifier.js';
import { TeamsReceiver } from './teams.receiver.js';
import { createConnectorTransport, type TransportOptions } from './teams.transport.js';

export interface TeamsAdapterDeps {
  core: Core;
  store: MongoStore;
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Redis for the repeated-activity check; by default a connection to `config.REDIS_URL`, closed with the adapter. */
  redis?: Redis;
  /** Retry and pacing of Bot Connector calls (tests shorten the waits). */
  transport?: Omit<TransportOptions, 'metrics' | 'log'>;
}

export interface TeamsAdapter {
  web: WebAdapter;
  notifier: Notifier;
  close(): Promise<void>;
}

const BODY_LIMIT = '1mb';

/** The SDK's settings from our config, passed explicitly so the SDK never reads the environment. */
function authSettings(config: Config): Record<string, string> {
  const settings: Record<string, string> = {};
  if (config.MICROSOFT_APP_ID) settings.MicrosoftAppId = config.MICROSOFT_APP_ID;
  if (config.MICROSOFT_APP_PASSWORD) settings.MicrosoftAppPassword = config.MICROSOFT_APP_PASSWORD;
  if (config.MICROSOFT_APP_TENANT_ID) settings.MicrosoftAppTenantId = config.MICROSOFT_APP_TENANT_ID;
  if (config.MICROSOFT_APP_TYPE) settings.MicrosoftAppType = config.MICROSOFT_APP_TYPE;
  return settings;
}

export async function createTeamsAdapter(deps: TeamsAdapterDeps): Promise<TeamsAdapter> {
  const { config, metrics } = deps;
  const log = deps.log.child({ adapter: 'teams' });
  const appId = config.MICROSOFT_APP_ID ?? '';
  if (!appId && config.NODE_ENV === 'production') {
    throw new Error('MICROSOFT_APP_ID is not set: without it /api/messages would accept unauthenticated traffic. Set the Teams bot credentials, or leave the Teams adapter out.');
  }
  if (!appId) log.warn({}, 'MICROSOFT_APP_ID is not set: /api/messages accepts unauthenticated activities (Bot Framework Emulator, local use only)');

  const transport = createConnectorTransport({
    ...deps.transport,
    metrics: {
      rateLimited: () => metrics.rateLimited.inc({ platform: 'teams' }),
      failed: (status) => metrics.externalErrors.inc({ platform: 'teams', status }),
    },
    log,
  });
  const auth = new ConfigurationBotFrameworkAuthentication(authSettings(config), undefined, undefined, undefined, { httpClient: transport });
  const adapter = new CloudAdapter(auth);

  const conversations = new TeamsConversationStore(deps.store.connection);
  await conversations.createIndexes();
  const ownRedis = deps.redis ? null : new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2000, lazyConnect: false });
  if (ownRedis) {
    // One warning per outage: the ledger degrades to processing repeats, it does not stop.
    let down = false;
    ownRedis.on('error', (err: unknown) => {
      if (!down) log.warn({ err }, 'Redis unavailable for the Teams repeated-activity check');
      down = true;
    });
    ownRedis.on('ready', () => (down = false));
  }
  const redis = deps.redis ?? (ownRedis as Redis);
  const ledger = new RedisActivityLedger(redis, { prefix: `${config.QUEUE_PREFIX}:teams:seen:`, log });

  const proactive = (reference: Parameters<typeof continueIn>[2], logic: (ctx: TurnContext) => Promise<void>) => continueIn(adapter, appId, reference, logic);
  const receiver = new TeamsReceiver({ core: deps.core, workspaces: deps.store.workspaces, conversations, ledger, log, proactive });
  const notifier = new TeamsNotifier({ adapter, appId, conversations });

  adapter.onTurnError = async (ctx, err) => {
    log.error({ err, activityType: ctx.activity.type, activityId: ctx.activity.id }, 'Teams turn failed');
    if (ctx.activity.type !== 'message') return;
    await ctx.sendActivity('Sorry, something went wrong on our side. Nothing was lost; please try again in a moment.').catch(() => undefined);
  };

  const router = express.Router();
  router.post('/api/messages', express.json({ limit: BODY_LIMIT }), async (req: Request, res: Response) => {
    const body: unknown = req.body;
    if (!looksLikeActivity(body)) {
      res.status(400).json({ error: 'not a Bot Framework activity' });
      return;
    }
    const activity = body as Activity;
    const header = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    let authenticated: Awaited<ReturnType<typeof auth.authenticateRequest>>;
    try {
      if (appId && !header) throw Object.assign(new Error('no Authorization header'), { statusCode: 401 });
      authenticated = await auth.authenticateRequest(activity, header);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 401) {
        log.warn({ reason: (err as Error).message, activityType: activity.type }, 'unauthenticated Teams request refused');
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
      // The token could not be checked (e.g. Microsoft's signing keys unreachable): Teams will retry.
      log.error({ err }, 'Teams request authentication failed');
      res.status(503).json({ error: 'authentication unavailable' });
      return;
    }
    try {
      await adapter.processActivityDirect(authenticated, activity, (ctx) => receiver.onTurn(ctx));
      res.status(200).end();
    } catch (err) {
      log.error({ err, activityType: activity.type }, 'Teams activity failed');
      if (!res.headersSent) res.status(500).json({ error: 'internal error' });
    }
  });
  router.use('/api/messages', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: number; type?: string }).status;
    if (status === 400 || status === 413 || status === 415) {
      res.status(status).json({ error: status === 413 ? 'activity too large' : 'malformed JSON' });
      return;
    }
    next(err);
  });

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await receiver.drain();
    if (ownRedis) await ownRedis.quit().catch(() => ownRedis.disconnect());
  };

  return { web: { name: 'teams', router, close }, notifier, close };
}
