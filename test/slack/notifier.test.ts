// The Slack delivery port against the loopback Web API: DMs and channel posts, Slack's
// rate limits (429 + Retry-After, about one message a second per channel) and server
// errors, without ever dropping a message silently.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { SlackApiError } from '../../adapters/slack/slack.api.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Workspace } from '../../src/core/domain.js';
import { reply } from '../../src/core/reply.js';
import { Harness, textOf } from './harness.js';

let h: Harness;
let ws: Workspace;

beforeAll(async () => {
  h = await Harness.start(import.meta.url, { channelGapMs: 1000, maxAttempts: 3 });
  ws = await h.store.workspaces.ensure('slack:T0NOTIFY', 'slack', 'Notify Workspace');
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.adapter.home.idle();
  h.fake.reset();
});

const counter = async (name: 'rateLimited' | 'externalErrors'): Promise<number> =>
  (await h.metrics[name].get()).values.reduce((n, v) => n + v.value, 0);

const message = (text: string) => reply.ok({ kind: 'heading', text: 'Reminder' }, { kind: 'text', text });

describe('delivering to people and channels', () => {
  it('sends a DM to a user with the workspace bot token', async () => {
    await h.adapter.notifier.send(ws, { kind: 'user', userId: 'U0DANA' }, message('K-3 is due tomorrow.'));
    const posts = h.fake.postsTo('U0DANA');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.token).toBe(h.config.SLACK_BOT_TOKEN);
    expect(textOf(posts[0]!.args)).toContain('K-3 is due tomorrow.');
  });

  it('posts to a consortium\'s channel', async () => {
    await h.adapter.notifier.send(ws, { kind: 'conversation', conversationId: 'C0CONSORT' }, message('10 working days to the deadline.'));
    expect(h.fake.postsTo('C0CONSORT')).toHaveLength(1);
  });

  it('opens the DM explicitly when posting to the user id is refused', async () => {
    h.fake.fail('chat.postMessage', { error: 'channel_not_found' });
    await h.adapter.notifier.send(ws, { kind: 'user', userId: 'U0EVE' }, message('Hello'));
    expect(h.fake.callsOf('conversations.open')[0]!.args.users).toBe('U0EVE');
    expect(h.fake.postsTo('D0EVE')).toHaveLength(1);
  });

  it('refreshes the App Home of the person a message reached', async () => {
    await h.adapter.notifier.send(ws, { kind: 'user', userId: 'U0FRED' }, message('You have an invitation.'));
    await h.fake.until(() => h.fake.callsOf('views.publish').some((c) => c.args.user_id === 'U0FRED'), 3000, 'the home refresh');
  });
});

describe('rate limits and failures', () => {
  it('waits the Retry-After of a 429 and then delivers, counting the 429', async () => {
    const before = await counter('rateLimited');
    h.fake.fail('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await h.adapter.notifier.send(ws, { kind: 'user', userId: 'U0GINA' }, message('After a pause.'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const posts = h.fake.postsTo('U0GINA');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(await counter('rateLimited')).toBe(before + 1);
  });

  it('retries a 500 and delivers, counting the errors', async () => {
    const before = await counter('externalErrors');
    h.fake.fail('chat.postMessage', { status: 500 }, 2);
    await h.adapter.notifier.send(ws, { kind: 'user', userId: 'U0HAL' }, message('Third time lucky.'));
    expect(h.fake.postsTo('U0HAL')).toHaveLength(3);
    expect(await counter('externalErrors')).toBe(before + 2);
  });

  it('throws when Slack keeps failing, so the job retries instead of dropping the nudge', async () => {
    h.fake.fail('chat.postMessage', { status: 500 }, 3);
    const err = await h.adapter.notifier.send(ws, { kind: 'user', userId: 'U0IVY' }, message('Never arrives.')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackApiError);
    expect((err as SlackApiError).permanent).toBe(false);
    expect(h.fake.postsTo('U0IVY')).toHaveLength(3);
  });

  it('throws at once on a Retry-After too long to wait inside a request', async () => {
    h.fake.fail('chat.postMessage', { status: 429, retryAfter: 600 });
    const started = Date.now();
    const err = await h.adapter.notifier.send(ws, { kind: 'user', userId: 'U0JO' }, message('Later.')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackApiError);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('does not retry an error no retry can cure, and marks it permanent', async () => {
    h.fake.fail('chat.postMessage', { error: 'account_inactive' });
    const err = await h.adapter.notifier.send(ws, { kind: 'user', userId: 'U0KIM' }, message('Gone.')).catch((e: unknown) => e);
    expect((err as SlackApiError).permanent).toBe(true);
    expect(h.fake.postsTo('U0KIM')).toHaveLength(1);
  });

  it('paces messages into one channel about a second apart, and other channels independently', async () => {
    const started = Date.now();
    await Promise.all([
      ...[1, 2, 3].map((n) => h.adapter.notifier.send(ws, { kind: 'conversation', conversationId: 'C0BUSY' }, message(`Update ${n}`))),
      h.adapter.notifier.send(ws, { kind: 'conversation', conversationId: 'C0QUIET' }, message('Elsewhere')),
    ]);
    const busy = h.fake.postsTo('C0BUSY').map((c) => c.at);
    expect(busy).toHaveLength(3);
    expect(busy[1]! - busy[0]!).toBeGreaterThanOrEqual(950);
    expect(busy[2]! - busy[1]!).toBeGreaterThanOrEqual(950);
    expect(h.fake.postsTo('C0QUIET')[0]!.at - started).toBeLessThan(500);
  });

  it('refuses to deliver for a workspace of another platform', async () => {
    const teams = await h.store.workspaces.ensure('teams-tenant-1', 'teams', 'A Teams tenant');
    await expect(h.adapter.notifier.send(teams, { kind: 'user', userId: 'U0LEE' }, message('x'))).rejects.toThrow(/not installed/);
    expect(h.fake.calls).toHaveLength(0);
  });
});

describe('configuration', () => {
  const base = () => ({ MONGODB_URI: h.config.MONGODB_URI, REDIS_URL: h.config.REDIS_URL, SLACK_API_URL: h.fake.apiUrl, LOG_LEVEL: 'silent' });
  const deps = (env: Record<string, string>) => ({ core: h.core, store: h.store, config: loadConfig({ ...base(), ...env }), log: createLogger('silent'), metrics: h.metrics });

  it('refuses to start without a bot token or OAuth settings, saying which to set', async () => {
    const err = await createSlackAdapter(deps({ SLACK_SIGNING_SECRET: 'a-signing-secret' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(/SLACK_BOT_TOKEN/);
  });

  it('refuses to receive over HTTP without the signing secret', async () => {
    await expect(createSlackAdapter(deps({ SLACK_BOT_TOKEN: 'xoxb-1' }))).rejects.toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('gives a worker the delivery port without a receiver', async () => {
    const worker = await createSlackAdapter(deps({ SLACK_BOT_TOKEN: 'xoxb-worker' }), { receive: false, channelGapMs: 0 });
    expect(worker.web.router).toBeUndefined();
    expect(worker.mode).toBe('none');
    await worker.notifier.send(ws, { kind: 'user', userId: 'U0WORK' }, message('From the worker.'));
    expect(h.fake.postsTo('U0WORK')[0]!.token).toBe('xoxb-worker');
    await worker.close();
  });
});
