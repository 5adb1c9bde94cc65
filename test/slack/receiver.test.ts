// The Slack receiver over real HTTP: who gets in (v0 signatures, fresh timestamps, sane
// sizes), how fast requests are acknowledged, and that a retried event is processed once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reply } from '../../src/core/reply.js';
import type { Handler } from '../../src/core/context.js';
import { Harness, nowSeconds, sign, textOf } from './harness.js';

const TEAM = 'T0RECEIVER';
const USER = 'U0ALICE';

/** A command that takes a while without saying so, and one that says so and follows up. */
const slowHandlers: Handler[] = [
  {
    path: ['dawdle'], usage: 'dawdle', summary: 'test: answers after 600 ms', role: 'anyone',
    async run() {
      await new Promise((r) => setTimeout(r, 600));
      return reply.text('Finally done.');
    },
  },
  {
    path: ['crunch'], usage: 'crunch', summary: 'test: answers at once, follows up later', role: 'anyone',
    async run() {
      return {
        outcome: 'ok', blocks: [{ kind: 'text', text: 'Crunching the numbers…' }],
        followUp: async () => {
          await new Promise((r) => setTimeout(r, 300));
          return reply.text('Crunched: 42.');
        },
      };
    },
  },
  {
    path: ['sprawl'], usage: 'sprawl', summary: 'test: a reply of eight Slack messages', role: 'anyone',
    async run() {
      return reply.ok(...Array.from({ length: 8 }, (_, i) => [{ kind: 'heading' as const, text: `Part ${i + 1}` }, ...Array.from({ length: 49 }, () => ({ kind: 'divider' as const }))]).flat());
    },
  },
];

let h: Harness;

beforeAll(async () => {
  h = await Harness.start(import.meta.url, { handlers: slowHandlers, ackDeadlineMs: 250 });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  // Home refreshes from the previous test run after its answer; let them land first.
  await h.adapter.home.idle();
  h.fake.reset();
});

const commandBody = (text: string) => new URLSearchParams({
  team_id: TEAM, user_id: USER, user_name: 'alice', channel_id: 'C1', command: '/consortium', text,
  response_url: h.fake.responseUrl(), trigger_id: 't1', api_app_id: 'A1',
}).toString();
const FORM = 'application/x-www-form-urlencoded';

describe('request signatures', () => {
  it('accepts a correctly signed command and answers it in the acknowledgement', async () => {
    const res = await h.command(TEAM, USER, 'help');
    expect(res.status).toBe(200);
    expect(textOf(res.json())).toMatch(/org register/);
  });

  it('refuses a forged signature with 401 and runs nothing', async () => {
    const body = commandBody('org register "Forged Org" income 50k services meals areas Bristol');
    const res = await h.signed(body, FORM, { secret: 'not-the-real-secret' });
    expect(res.status).toBe(401);
    expect(await h.store.scoped(`slack:${TEAM}`).orgs.count({})).toBe(0);
  });

  it('refuses a body changed after signing', async () => {
    const ts = nowSeconds();
    const res = await h.raw(commandBody('help').replace('help', 'tender+list'), { 'content-type': FORM, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(commandBody('help'), ts) });
    expect(res.status).toBe(401);
  });

  it('refuses a stale timestamp, even with a valid signature for it', async () => {
    const res = await h.signed(commandBody('help'), FORM, { ts: nowSeconds() - 6 * 60 });
    expect(res.status).toBe(401);
  });

  it('refuses a timestamp from the future', async () => {
    const res = await h.signed(commandBody('help'), FORM, { ts: nowSeconds() + 6 * 60 });
    expect(res.status).toBe(401);
  });

  it('refuses requests missing the signature or the timestamp', async () => {
    const body = commandBody('help');
    expect((await h.raw(body, { 'content-type': FORM })).status).toBe(401);
    expect((await h.raw(body, { 'content-type': FORM, 'x-slack-request-timestamp': String(nowSeconds()) })).status).toBe(401);
    expect((await h.raw(body, { 'content-type': FORM, 'x-slack-signature': sign(body, nowSeconds()) })).status).toBe(401);
  });

  it('answers Slack\'s URL verification challenge', async () => {
    const res = await h.signed(JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' }), 'application/json');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ challenge: 'abc123' });
  });
});

describe('payload limits', () => {
  it('refuses a body over 1 MB with 413 before reading it', async () => {
    const big = commandBody('x'.repeat(1_100_000));
    const res = await h.signed(big, FORM);
    expect(res.status).toBe(413);
  });

  it('answers an over-long command with a short refusal, not a crash', async () => {
    const res = await h.command(TEAM, USER, `org register ${'a'.repeat(20_000)}`);
    expect(res.status).toBe(200);
    expect(textOf(res.json())).toMatch(/too long/);
  });

  it('answers operator-shaped and binary input with a refusal', async () => {
    const res = await h.command(TEAM, USER, 'org show {"$gt":""}\u0000\u0007');
    expect(res.status).toBe(200);
    expect(res.json().response_type).toBe('ephemeral');
  });

  it('does not crash on a payload that is not JSON', async () => {
    const res = await h.signed('payload=%7Bnot-json', FORM);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await h.command(TEAM, USER, 'help')).status).toBe(200);
  });
});

describe('acknowledging within Slack\'s 3 seconds', () => {
  it('acknowledges a slow command at once and answers through response_url when done', async () => {
    const res = await h.command(TEAM, USER, 'dawdle');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(550);
    expect(textOf(res.json())).toMatch(/Working on it/);
    await h.fake.until(() => h.fake.responsesTo(res.responseUrl).length > 0, 3000, 'the late answer');
    expect(h.responseText(res.responseUrl)).toMatch(/Finally done/);
  });

  it('acknowledges with the working text and delivers the follow-up', async () => {
    const res = await h.command(TEAM, USER, 'crunch');
    expect(textOf(res.json())).toMatch(/Crunching/);
    await h.fake.until(() => h.fake.responsesTo(res.responseUrl).length > 0, 3000, 'the follow-up');
    expect(h.responseText(res.responseUrl)).toMatch(/Crunched: 42/);
  });

  it('acknowledges a button press before the core has answered', async () => {
    const res = await h.press(TEAM, USER, 'dawdle');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(550);
    await h.fake.until(() => h.fake.responsesTo(res.responseUrl!).length > 0, 3000, 'the button answer');
    expect(h.responseText(res.responseUrl!)).toMatch(/Finally done/);
  });
});

describe('long replies', () => {
  it('answers in the acknowledgement and five response_url posts, and sends the rest by DM', async () => {
    const res = await h.command(TEAM, USER, 'sprawl');
    expect(textOf(res.json())).toContain('Part 1');
    await h.fake.until(() => h.fake.postsTo(USER).length === 2, 3000, 'the overflow DMs');
    expect(h.fake.responsesTo(res.responseUrl)).toHaveLength(5);
    expect(h.responseText(res.responseUrl)).toMatch(/Part 2[\s\S]*Part 6/);
    expect(h.fake.postsTo(USER).map((p) => textOf(p.args))).toEqual([expect.stringContaining('Part 7'), expect.stringContaining('Part 8')]);
  });
});

describe('event retries', () => {
  it('processes an event once when Slack retries it', async () => {
    const event = { type: 'app_home_opened', user: USER, channel: 'D1', tab: 'home', event_ts: '1.0' };
    const first = await h.event(TEAM, event, 'Ev0RETRY1');
    expect(first.status).toBe(200);
    await h.fake.until(() => h.fake.callsOf('views.publish').length === 1, 3000, 'the home view');
    const retried = await h.event(TEAM, event, 'Ev0RETRY1', 1);
    const again = await h.event(TEAM, event, 'Ev0RETRY1', 2);
    expect([retried.status, again.status]).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.fake.callsOf('views.publish')).toHaveLength(1);

    await h.event(TEAM, event, 'Ev0OTHER2');
    await h.fake.until(() => h.fake.callsOf('views.publish').length === 2, 3000, 'a second, different event');
  });

  it('publishes the home view to the user who opened it, with the workspace token', async () => {
    await h.event(TEAM, { type: 'app_home_opened', user: 'U0BOB', channel: 'D2', tab: 'home', event_ts: '2.0' }, 'Ev0HOMEBOB');
    await h.fake.until(() => h.fake.callsOf('views.publish').length === 1, 3000, 'the home view');
    const call = h.fake.callsOf('views.publish')[0]!;
    expect(call.args.user_id).toBe('U0BOB');
    expect(call.token).toBe(h.config.SLACK_BOT_TOKEN);
    expect((call.args.view as { type: string }).type).toBe('home');
  });

  it('ignores the messages tab being opened', async () => {
    await h.event(TEAM, { type: 'app_home_opened', user: USER, channel: 'D1', tab: 'messages', event_ts: '3.0' }, 'Ev0MSGTAB');
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.callsOf('views.publish')).toHaveLength(0);
  });
});
