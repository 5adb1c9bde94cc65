// The Teams delivery port: nudges go to stored conversations (or a personal chat opened
// for the purpose), paced per conversation, retried through throttling and gateway
// failures, and never reported delivered when they were not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamsConnectorError } from '../../adapters/teams/teams.transport.js';
import { TeamsDeliveryError } from '../../adapters/teams/teams.notifier.js';
import type { Workspace } from '../../src/core/domain.js';
import { reply } from '../../src/core/reply.js';
import { cardsOf, textOfAll } from './fake-connector.js';
import { TeamsHarness, teamsUser, type TeamsTenant } from './harness.js';

let h: TeamsHarness;
let a: TeamsTenant;
let b: TeamsTenant;
let wsA: Workspace;
let wsB: Workspace;
const coord = teamsUser('Cora');
const dana = teamsUser('Dana');
const eve = teamsUser('Eve');

const nudge = (text: string) => reply.ok({ kind: 'heading', text: 'Reminder' }, { kind: 'text', text });
const counter = async (name: string, labels: Record<string, string>): Promise<number> => {
  const metric = (await h.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
};

beforeAll(async () => {
  h = await TeamsHarness.start(import.meta.url, { transport: { baseDelayMs: 20, maxDelayMs: 3000, attempts: 4 } });
  a = h.tenant('33333333-aaaa-4bbb-8ccc-00000000000a');
  b = h.tenant('33333333-aaaa-4bbb-8ccc-00000000000b');
  await a.install(coord, 'team');
  await a.install(dana, 'personal');
  await b.install(coord, 'team');
  // Eve has only ever spoken in A's channel: no personal chat with the bot yet.
  await a.mention(eve, 'help');
  wsA = (await h.store.workspaces.get(`teams:${a.id}`)) as Workspace;
  wsB = (await h.store.workspaces.get(`teams:${b.id}`)) as Workspace;
});
afterAll(async () => h.close());

describe('where nudges go', () => {
  it('sends to a person in their personal chat with the bot, as a new message', async () => {
    const before = h.connector.posted.length;
    await h.adapter.notifier.send(wsA, { kind: 'user', userId: dana.aad }, nudge('Method statement due tomorrow'));
    const sent = h.connector.posted.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.conversationId).toBe(a.personalChat(dana));
    expect(sent[0]?.inReplyTo).toBeUndefined();
    expect(textOfAll(sent)).toContain('Method statement due tomorrow');
  });

  it('sends to a channel by its id', async () => {
    const before = h.connector.posted.length;
    await h.adapter.notifier.send(wsA, { kind: 'conversation', conversationId: a.channel }, nudge('10 working days to the deadline'));
    const sent = h.connector.posted.slice(before);
    expect(sent.map((p) => p.conversationId)).toEqual([a.channel]);
  });

  it('opens a personal chat with someone who has none, once, and remembers it', async () => {
    const created = h.connector.created.length;
    await h.adapter.notifier.send(wsA, { kind: 'user', userId: eve.aad }, nudge('You own K-3'));
    expect(h.connector.created.slice(created)).toHaveLength(1);
    const params = h.connector.created.at(-1)!.params as { members: { id: string }[]; tenantId: string; isGroup: boolean };
    expect(params).toMatchObject({ tenantId: a.id, isGroup: false });
    expect(params.members[0]?.id).toBe(eve.teamsId);
    const chat = h.connector.created.at(-1)!.id;
    expect(textOfAll(h.connector.postedTo(chat))).toContain('You own K-3');
    await h.adapter.notifier.send(wsA, { kind: 'user', userId: eve.aad }, nudge('Still yours'));
    expect(h.connector.created.length).toBe(created + 1);
    expect(textOfAll(h.connector.postedTo(chat))).toContain('Still yours');
  });

  it('reaches someone who joined the team, by the Teams id it was told of', async () => {
    const gil = teamsUser('Gil');
    expect((await h.post(a.conversationUpdate(coord, { added: [gil] }))).status).toBe(200);
    await h.adapter.notifier.send(wsA, { kind: 'user', userId: gil.aad }, nudge('Welcome, Gil'));
    const params = h.connector.created.at(-1)!.params as { members: { id: string }[] };
    expect(params.members[0]?.id).toBe(gil.teamsId);
  });

  it('stops posting to a team the bot was removed from, and says so', async () => {
    const c = h.tenant('33333333-aaaa-4bbb-8ccc-00000000000c');
    await c.install(coord, 'team');
    const ws = (await h.store.workspaces.get(`teams:${c.id}`)) as Workspace;
    await h.adapter.notifier.send(ws, { kind: 'conversation', conversationId: c.channel }, nudge('still here'));
    await h.post(c.conversationUpdate(coord, { bot: 'removed' }));
    const before = h.connector.posted.length;
    await expect(h.adapter.notifier.send(ws, { kind: 'conversation', conversationId: c.channel }, nudge('gone'))).rejects.toMatchObject({ code: 'TEAMS_NO_CONVERSATION' });
    expect(h.connector.posted.length).toBe(before);
  });

  it('mentions people by name where it knows them', async () => {
    const before = h.connector.posted.length;
    await h.adapter.notifier.send(wsA, { kind: 'conversation', conversationId: a.channel }, reply.text(`<@${dana.aad}> owns K-1`));
    const [card] = cardsOf(h.connector.posted[before]!);
    expect(JSON.stringify(card?.body)).toContain(`<at>${dana.name}</at> owns K-1`);
    expect(card?.msteams?.entities).toEqual([{ type: 'mention', text: `<at>${dana.name}</at>`, mentioned: { id: dana.aad, name: dana.name } }]);
  });
});

describe('tenancy', () => {
  it('never uses one tenant\'s conversations for another tenant\'s workspace', async () => {
    const before = h.connector.posted.length;
    // Dana has a personal chat in A only; the same id in B has no conversation to reach her by.
    await expect(h.adapter.notifier.send(wsB, { kind: 'conversation', conversationId: a.channel }, nudge('x'))).rejects.toBeInstanceOf(TeamsDeliveryError);
    await h.adapter.notifier.send(wsB, { kind: 'user', userId: dana.aad }, nudge('for B'));
    const sent = h.connector.posted.slice(before);
    expect(sent.every((p) => !p.conversationId.includes(a.id))).toBe(true);
    const opened = h.connector.created.at(-1)!.params as { tenantId: string; channelData: { tenant: { id: string } } };
    expect(opened.tenantId).toBe(b.id);
    expect(opened.channelData.tenant.id).toBe(b.id);
  });

  it('refuses a workspace that is not a Teams tenant', async () => {
    const slack: Workspace = { ...wsA, id: 'T0SLACK', platform: 'slack' };
    await expect(h.adapter.notifier.send(slack, { kind: 'user', userId: dana.aad }, nudge('x'))).rejects.toMatchObject({ code: 'TEAMS_NOT_A_TEAMS_WORKSPACE' });
  });
});

describe('rate limits and failures', () => {
  it('waits as long as a 429 asks, then delivers once, counting the 429', async () => {
    const limited = await counter('consortia_external_api_429_total', { platform: 'teams' });
    h.connector.failNext(1, 429, { 'retry-after': '1' }, /\/activities/);
    const before = h.connector.posted.length;
    const started = Date.now();
    await h.adapter.notifier.send(wsA, { kind: 'user', userId: dana.aad }, nudge('after the throttle'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(textOfAll(h.connector.posted.slice(before))).toContain('after the throttle');
    expect(h.connector.posted.slice(before)).toHaveLength(1);
    expect(await counter('consortia_external_api_429_total', { platform: 'teams' })).toBe(limited + 1);
  });

  it('retries 502, 504 and 412 with backoff and delivers', async () => {
    const errors = await counter('consortia_external_api_errors_total', { platform: 'teams' });
    h.connector.failNext(1, 502, {}, /\/activities/);
    h.connector.failNext(1, 504, {}, /\/activities/);
    h.connector.failNext(1, 412, {}, /\/activities/);
    const before = h.connector.posted.length;
    await h.adapter.notifier.send(wsA, { kind: 'user', userId: dana.aad }, nudge('through the gateway errors'));
    expect(h.connector.posted.slice(before)).toHaveLength(1);
    expect(await counter('consortia_external_api_errors_total', { platform: 'teams' })).toBe(errors + 3);
  });

  it('throws when the retries run out, so the job is retried rather than the nudge dropped', async () => {
    h.connector.failNext(4, 502, {}, /\/activities/);
    const before = h.connector.posted.length;
    const err = await h.adapter.notifier.send(wsA, { kind: 'user', userId: dana.aad }, nudge('lost?')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TeamsConnectorError);
    expect((err as TeamsConnectorError).status).toBe(502);
    expect(h.connector.posted.length).toBe(before);
    // The next attempt (the job's retry) gets through.
    await h.adapter.notifier.send(wsA, { kind: 'user', userId: dana.aad }, nudge('lost? no'));
    expect(textOfAll(h.connector.posted.slice(before))).toContain('lost? no');
  });

  it('fails at once when Teams asks for a wait longer than a worker should hold', async () => {
    h.connector.failNext(1, 429, { 'retry-after': '120' }, /\/activities/);
    const started = Date.now();
    await expect(h.adapter.notifier.send(wsA, { kind: 'user', userId: dana.aad }, nudge('later'))).rejects.toBeInstanceOf(TeamsConnectorError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('paces a burst to one conversation to at most 7 a second and 8 in 2 seconds', async () => {
    const before = h.connector.posted.length;
    await Promise.all(Array.from({ length: 9 }, (_, i) => h.adapter.notifier.send(wsA, { kind: 'conversation', conversationId: a.channel }, nudge(`burst ${i}`))));
    const times = h.connector.posted.slice(before).map((p) => p.at);
    expect(times).toHaveLength(9);
    for (const t of times) {
      expect(times.filter((x) => x >= t && x < t + 1000).length).toBeLessThanOrEqual(7);
      expect(times.filter((x) => x >= t && x < t + 2000).length).toBeLessThanOrEqual(8);
    }
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(2000);
  });
});
