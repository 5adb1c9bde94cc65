// Runs the real web server with the Slack adapter against a real MongoDB (a fresh test
// database) and the loopback Slack API, and sends it requests signed the way Slack signs
// them (v0: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret).
import { createHmac } from 'node:crypto';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterOptions } from '../../adapters/slack/slack.adapter.js';
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
import { mongoUri, testDb } from '../helpers/services.js';
import { FakeSlack } from './fake-slack.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-single-workspace-token';
export const ENCRYPTION_KEY = '7f'.repeat(32);

export interface HttpAnswer {
  status: number;
  text: string;
  json(): Record<string, unknown>;
  ms: number;
}

export interface HarnessOptions extends SlackAdapterOptions {
  /** Multi-workspace OAuth mode instead of one SLACK_BOT_TOKEN. */
  oauth?: boolean;
  handlers?: Handler[];
  /** Matches over pools larger than this answer "working on it" first (the core's default when unset). */
  slowMatchPool?: number;
}

export function sign(body: string, ts: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class Harness {
  private constructor(
    readonly fake: FakeSlack,
    readonly store: MongoStore,
    readonly core: Core,
    readonly adapter: SlackAdapter,
    readonly server: RunningServer,
    readonly config: Config,
    readonly metrics: Metrics,
  ) {}

  static async start(fileUrl: string, opts: HarnessOptions = {}): Promise<Harness> {
    const fake = await FakeSlack.start();
    const config = loadConfig({
      MONGODB_URI: mongoUri(testDb(fileUrl)),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      ENCRYPTION_KEY,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...(opts.oauth
        ? { SLACK_CLIENT_ID: '1234.5678', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'state-secret-for-tests' }
        : { SLACK_BOT_TOKEN: BOT_TOKEN }),
    });
    const log = createLogger(config.LOG_LEVEL);
    const metrics = new Metrics(false);
    const store = await MongoStore.connect(config.MONGODB_URI);
    const notifier = new NotifierRouter();
    const scheduler: Scheduler = { async taskChanged() {}, async consortiumChanged() {} };
    const core = new Core(
      { store, clock: systemClock, scheduler, notifier, ...(opts.slowMatchPool !== undefined ? { slowMatchPool: opts.slowMatchPool } : {}) },
      allHandlers(opts.handlers ?? []),
    );
    const adapter = await createSlackAdapter({ core, store, config, log, metrics }, { channelGapMs: 0, ...opts });
    notifier.register('slack', adapter.notifier);
    const server = await startServer({ log, metrics, adapters: [adapter.web], ready: {} }, 0, '127.0.0.1');
    return new Harness(fake, store, core, adapter, server, config, metrics);
  }

  async close(): Promise<void> {
    await this.server.close(200);
    await this.fake.close();
    await this.store.connection.dropDatabase().catch(() => undefined);
    await this.store.close();
  }

  /** Sends a raw body to /slack/events with the headers given (none added). */
  async raw(body: string, headers: Record<string, string>): Promise<HttpAnswer> {
    const started = performance.now();
    const res = await fetch(`${this.server.url}/slack/events`, { method: 'POST', body, headers });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown>, ms: performance.now() - started };
  }

  /** Sends a body signed like Slack signs it, optionally with another timestamp or secret. */
  async signed(body: string, contentType: string, opts: { ts?: number; secret?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
    const ts = opts.ts ?? nowSeconds();
    return this.raw(body, {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': sign(body, ts, opts.secret),
      ...opts.headers,
    });
  }

  /** `/consortium <text>` typed by `user` in `team`. Returns the HTTP answer and the response_url used. */
  async command(team: string, user: string, text: string, channel = 'C0GENERAL'): Promise<HttpAnswer & { responseUrl: string; triggerId: string }> {
    const responseUrl = this.fake.responseUrl();
    const triggerId = `trig-${Math.random().toString(36).slice(2)}`;
    const body = new URLSearchParams({
      token: 'legacy', team_id: team, team_domain: team.toLowerCase(), channel_id: channel, channel_name: 'general',
      user_id: user, user_name: user.toLowerCase(), command: '/consortium', text, api_app_id: 'A0CONSORTIA',
      is_enterprise_install: 'false', response_url: responseUrl, trigger_id: triggerId,
    }).toString();
    return { ...(await this.signed(body, 'application/x-www-form-urlencoded')), responseUrl, triggerId };
  }

  /** An interactivity payload (button press, view submission, shortcut). */
  async interaction(payload: Record<string, unknown>): Promise<HttpAnswer> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.signed(body, 'application/x-www-form-urlencoded');
  }

  /** Presses a button (a `cmd:` action carrying `command`) on a message in `channel`. */
  async press(team: string, user: string, command: string, opts: { channel?: string; responseUrl?: string | null } = {}): Promise<HttpAnswer & { responseUrl: string | null }> {
    const responseUrl = opts.responseUrl === undefined ? this.fake.responseUrl() : opts.responseUrl;
    const channel = opts.channel ?? `D${user.slice(1)}`;
    const answer = await this.interaction({
      type: 'block_actions',
      team: { id: team, domain: team.toLowerCase() },
      user: { id: user, username: user.toLowerCase(), team_id: team },
      api_app_id: 'A0CONSORTIA',
      token: 'legacy',
      trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
      container: responseUrl ? { type: 'message', channel_id: channel, message_ts: '1.0' } : { type: 'view', view_id: 'VHOME' },
      ...(responseUrl ? { channel: { id: channel, name: 'directmessage' }, response_url: responseUrl, message: { type: 'message', ts: '1.0' } } : { view: { id: 'VHOME', type: 'home' } }),
      actions: [{ type: 'button', action_id: 'cmd:0', block_id: 'b', value: command, text: { type: 'plain_text', text: 'x' }, action_ts: '1.0' }],
    });
    return { ...answer, responseUrl };
  }

  /** Submits a modal as Slack would: `view` is what the bot opened, `values` fill its inputs. */
  async submit(team: string, user: string, view: Record<string, unknown>, values: Record<string, unknown>): Promise<HttpAnswer> {
    const state: Record<string, Record<string, unknown>> = {};
    for (const [name, value] of Object.entries(values)) state[name] = { [name]: value };
    return this.interaction({
      type: 'view_submission',
      team: { id: team, domain: team.toLowerCase() },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
      api_app_id: 'A0CONSORTIA',
      token: 'legacy',
      trigger_id: 'trig-submit',
      view: { id: 'VMODAL', team_id: team, type: 'modal', ...view, state: { values: state }, hash: 'h' },
    });
  }

  async shortcut(team: string, user: string, callbackId: string): Promise<HttpAnswer> {
    return this.interaction({
      type: 'shortcut',
      team: { id: team, domain: team.toLowerCase() },
      user: { id: user, username: user.toLowerCase(), team_id: team },
      callback_id: callbackId,
      trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
      action_ts: '1.0',
      token: 'legacy',
    });
  }

  /** An Events API delivery; `retry` adds Slack's retry headers. */
  async event(team: string, event: Record<string, unknown>, eventId: string, retry?: number): Promise<HttpAnswer> {
    const body = JSON.stringify({
      token: 'legacy', team_id: team, api_app_id: 'A0CONSORTIA', type: 'event_callback', event_id: eventId,
      event_time: nowSeconds(), event, authorizations: [{ team_id: team, user_id: `U${team}BOT`, is_bot: true, is_enterprise_install: false }],
    });
    const headers: Record<string, string> = retry ? { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_timeout' } : {};
    return this.signed(body, 'application/json', { headers });
  }

  /**
   * Installs the app in a team through the OAuth routes, as a browser would: /slack/install
   * redirects to Slack with a state (and sets a state cookie); Slack sends the installer
   * back to /slack/oauth_redirect with a code, which the bot exchanges for a token.
   */
  async install(team: { id: string; name: string; botToken: string; installer: string }, opts: { state?: string; cookie?: boolean } = {}): Promise<{ install: Response; callback: Response; state: string }> {
    this.fake.teams.set(team.id, team);
    const install = await fetch(`${this.server.url}/slack/install`, { redirect: 'manual' });
    const location = new URL(install.headers.get('location') ?? 'http://invalid/');
    const state = opts.state ?? location.searchParams.get('state') ?? '';
    const cookie = (install.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const callback = await fetch(`${this.server.url}/slack/oauth_redirect?code=code-${team.id}&state=${encodeURIComponent(state)}`, {
      redirect: 'manual',
      headers: opts.cookie === false ? {} : { cookie },
    });
    await callback.text();
    return { install, callback, state };
  }

  /** Text of everything posted to a response_url, joined. */
  responseText(url: string): string {
    return this.fake.responsesTo(url).map((r) => textOf(r.body)).join('\n');
  }
}

/** All text a Slack message or view shows: fallback text plus every text object in its blocks. */
export function textOf(message: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x);
    }
  };
  walk(message);
  return out.join('\n');
}

/** Button values (commands) in a message, by label. */
export function buttonsOf(message: unknown): { label: string; command: string }[] {
  const out: { label: string; command: string }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'button' && typeof o.value === 'string') out.push({ label: String((o.text as { text?: string })?.text ?? ''), command: o.value });
      Object.values(o).forEach(walk);
    }
  };
  walk(message);
  return out;
}

/** A UK date `days` from today, for deadlines. */
export function ukDate(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}
