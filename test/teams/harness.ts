// Runs the real web server with the Teams adapter against a real MongoDB (a fresh test
// database), Redis and the loopback Bot Connector, and plays Teams: it posts the
// activities Teams would send (messages in personal chats, mentions in channels, card
// submissions, installs) to /api/messages, with the connector's address as serviceUrl.
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTeamsAdapter, type TeamsAdapter, type TeamsAdapterDeps } from '../../adapters/teams/teams.adapter.js';
import { loadConfig, type Config } from '../../src/config.js';
import { Core } from '../../src/core/app.js';
import type { Handler } from '../../src/core/context.js';
import { allHandlers } from '../../src/core/handlers/index.js';
import { systemClock, type Scheduler } from '../../src/core/ports.js';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { NotifierRouter } from '../../src/notify.router.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { MongoStore } from '../../src/store/mongo.store.js';
import { mongoUri, redisUrl, testDb, uniquePrefix } from '../helpers/services.js';
import { cardsOf, FakeConnector, submitActions, type Posted } from './fake-connector.js';

export const BOT = { id: '28:consortia-test-bot', name: 'Consortia' };

export interface TeamsUser {
  aad: string;
  teamsId: string;
  name: string;
}

export function teamsUser(name: string): TeamsUser {
  return { aad: randomUUID(), teamsId: `29:${randomBytes(12).toString('base64url')}`, name };
}

export interface Answer {
  status: number;
  text: string;
  ms: number;
  /** Messages the bot posted while the request was handled (replies and proactive sends). */
  posted: Posted[];
}

export interface HarnessOptions {
  appId?: string;
  handlers?: Handler[];
  /** Pools above this size answer "working on it" and follow up (0: always). */
  slowMatchPool?: number;
  transport?: TeamsAdapterDeps['transport'];
}

export class TeamsHarness {
  private seq = 0;

  private constructor(
    readonly connector: FakeConnector,
    readonly store: MongoStore,
    readonly core: Core,
    readonly adapter: TeamsAdapter,
    readonly server: RunningServer,
    readonly config: Config,
    readonly metrics: Metrics,
    readonly redis: Redis,
  ) {}

  static async start(fileUrl: string, opts: HarnessOptions = {}): Promise<TeamsHarness> {
    const connector = await FakeConnector.start();
    const config = loadConfig({
      MONGODB_URI: mongoUri(testDb(fileUrl)),
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: uniquePrefix('teams'),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...(opts.appId ? { MICROSOFT_APP_ID: opts.appId, MICROSOFT_APP_PASSWORD: 'test-client-secret' } : {}),
    });
    const log = createLogger(config.LOG_LEVEL);
    const metrics = new Metrics(false);
    const store = await MongoStore.connect(config.MONGODB_URI);
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    const notifier = new NotifierRouter();
    const scheduler: Scheduler = { async taskChanged() {}, async consortiumChanged() {} };
    const core = new Core(
      { store, clock: systemClock, scheduler, notifier, ...(opts.slowMatchPool !== undefined ? { slowMatchPool: opts.slowMatchPool } : {}) },
      allHandlers(opts.handlers ?? []),
    );
    const adapter = await createTeamsAdapter({
      core, store, config, log, metrics, redis,
      transport: { baseDelayMs: 20, maxDelayMs: 2000, ...opts.transport },
    });
    notifier.register('teams', adapter.notifier);
    const server = await startServer({ log, metrics, adapters: [adapter.web], ready: {} }, 0, '127.0.0.1');
    return new TeamsHarness(connector, store, core, adapter, server, config, metrics, redis);
  }

  async close(): Promise<void> {
    await this.server.close(200);
    await this.connector.close();
    const keys = await this.redis.keys(`${this.config.QUEUE_PREFIX}:*`);
    if (keys.length) await this.redis.del(...keys);
    await this.redis.quit();
    await this.store.connection.dropDatabase().catch(() => undefined);
    await this.store.close();
  }

  nextId(): string {
    return `act-${++this.seq}-${randomBytes(3).toString('hex')}`;
  }

  /** Posts a body to /api/messages as Teams would (JSON), with extra headers. */
  async post(activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
    const before = this.connector.posted.length;
    const started = performance.now();
    const res = await fetch(`${this.server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - started, posted: this.connector.posted.slice(before) };
  }

  tenant(tenantId: string, teamName = `Team ${tenantId}`): TeamsTenant {
    return new TeamsTenant(this, tenantId, teamName);
  }
}

/** One Teams tenant (organisation) with a team whose General channel has the bot. */
export class TeamsTenant {
  readonly channel: string;
  readonly teamId: string;

  constructor(
    private readonly h: TeamsHarness,
    readonly id: string,
    readonly teamName: string,
  ) {
    this.channel = `19:general-${id}@thread.tacv2`;
    this.teamId = this.channel;
  }

  personalChat(u: TeamsUser): string {
    return `a:dm-${this.id}-${u.teamsId}`;
  }

  private base(u: TeamsUser, conversation: Record<string, unknown>, channelData: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id: this.h.nextId(),
      channelId: 'msteams',
      serviceUrl: this.h.connector.url,
      timestamp: new Date().toISOString(),
      locale: 'en-GB',
      from: { id: u.teamsId, name: u.name, aadObjectId: u.aad },
      recipient: BOT,
      conversation: { tenantId: this.id, ...conversation },
      channelData: { tenant: { id: this.id }, ...channelData },
    };
  }

  private personalConversation(u: TeamsUser) {
    return { id: this.personalChat(u), conversationType: 'personal', isGroup: false };
  }

  private channelData() {
    return { team: { id: this.teamId, name: this.teamName }, channel: { id: this.channel, name: 'General' } };
  }

  /** A message typed in the user's personal chat with the bot. */
  personalMessage(u: TeamsUser, text: string): Record<string, unknown> {
    return { ...this.base(u, this.personalConversation(u)), type: 'message', text, textFormat: 'plain' };
  }

  /** `@Consortia <text>` posted in the General channel, other people mentioned as given. */
  channelMessage(u: TeamsUser, text: string, mentioned: TeamsUser[] = []): Record<string, unknown> {
    const activity = this.base(u, { id: '', conversationType: 'channel', isGroup: true }, this.channelData());
    const postId = String(Date.now()) + String(Math.floor(Math.random() * 1000));
    (activity.conversation as Record<string, unknown>).id = `${this.channel};messageid=${postId}`;
    let body = text;
    const entities: Record<string, unknown>[] = [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }];
    for (const m of mentioned) {
      body = body.replace(`@${m.name}`, `<at>${m.name}</at>`);
      entities.push({ type: 'mention', text: `<at>${m.name}</at>`, mentioned: { id: m.teamsId, name: m.name } });
    }
    return { ...activity, type: 'message', text: `<at>${BOT.name}</at> ${body}`, textFormat: 'plain', entities };
  }

  /** What Teams sends when `u` presses an Action.Submit on a card the bot posted, with inputs filled. */
  cardSubmit(u: TeamsUser, on: Posted, data: Record<string, unknown>): Record<string, unknown> {
    const channel = on.conversationId.startsWith(this.channel);
    const conversation = channel ? { id: on.conversationId, conversationType: 'channel', isGroup: true } : { id: on.conversationId, conversationType: 'personal', isGroup: false };
    return { ...this.base(u, conversation, channel ? this.channelData() : {}), type: 'message', value: data, replyToId: on.id };
  }

  installationUpdate(u: TeamsUser, scope: 'personal' | 'team', action = 'add'): Record<string, unknown> {
    const conversation = scope === 'personal' ? this.personalConversation(u) : { id: this.channel, conversationType: 'channel', isGroup: true };
    return { ...this.base(u, conversation, scope === 'team' ? this.channelData() : {}), type: 'installationUpdate', action };
  }

  /** Members joined (or left) the team; `bot: true` includes the bot itself. */
  conversationUpdate(u: TeamsUser, change: { added?: TeamsUser[]; removed?: TeamsUser[]; bot?: 'added' | 'removed' }): Record<string, unknown> {
    const account = (m: TeamsUser) => ({ id: m.teamsId, name: m.name, aadObjectId: m.aad });
    const added = [...(change.added ?? []).map(account), ...(change.bot === 'added' ? [BOT] : [])];
    const removed = [...(change.removed ?? []).map(account), ...(change.bot === 'removed' ? [BOT] : [])];
    return {
      ...this.base(u, { id: this.channel, conversationType: 'channel', isGroup: true }, { ...this.channelData(), eventType: added.length ? 'teamMemberAdded' : 'teamMemberRemoved' }),
      type: 'conversationUpdate',
      ...(added.length ? { membersAdded: added } : {}),
      ...(removed.length ? { membersRemoved: removed } : {}),
    };
  }

  async say(u: TeamsUser, text: string): Promise<Answer> {
    return this.h.post(this.personalMessage(u, text));
  }

  async mention(u: TeamsUser, text: string, mentioned: TeamsUser[] = []): Promise<Answer> {
    return this.h.post(this.channelMessage(u, text, mentioned));
  }

  async install(u: TeamsUser, scope: 'personal' | 'team'): Promise<Answer> {
    return this.h.post(this.installationUpdate(u, scope));
  }

  /** Presses the button titled `title` on a posted card. */
  async press(u: TeamsUser, on: Posted, title: string | RegExp): Promise<Answer> {
    const action = cardsOf(on).flatMap(submitActions).find((a) => (typeof title === 'string' ? a.title === title : title.test(a.title)));
    if (!action) throw new Error(`no button ${String(title)} on ${on.id}`);
    return this.h.post(this.cardSubmit(u, on, action.data));
  }

  /** Fills a posted form card's inputs and presses its submit button. */
  async submitForm(u: TeamsUser, on: Posted, inputs: Record<string, string>): Promise<Answer> {
    const [card] = cardsOf(on);
    const submit = card?.actions?.find((a) => a.type === 'Action.Submit');
    if (!submit) throw new Error(`no form on ${on.id}`);
    return this.h.post(this.cardSubmit(u, on, { ...inputs, ...submit.data }));
  }
}
