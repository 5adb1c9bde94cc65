// With a Microsoft app id configured, /api/messages takes only activities carrying a valid
// Bot Framework token; without one (local use, the Emulator) it takes them unauthenticated.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamsHarness, teamsUser, type TeamsTenant } from './harness.js';

const APP_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
let h: TeamsHarness;
let tenant: TeamsTenant;
const ana = teamsUser('Ana');

/** A JWT signed with a key of our own, shaped like a channel token from someone else. */
function forgedToken(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ aud: APP_ID, exp: Math.floor(Date.now() / 1000) + 600, ...claims })}`;
  return `${body}.${createHmac('sha256', 'not-microsoft').update(body).digest('base64url')}`;
}

beforeAll(async () => {
  h = await TeamsHarness.start(import.meta.url, { appId: APP_ID });
  tenant = h.tenant('22222222-aaaa-4bbb-8ccc-000000000002');
});
afterAll(async () => h.close());

describe('with MICROSOFT_APP_ID configured', () => {
  it('refuses an activity without an Authorization header with 401, running nothing', async () => {
    const r = await h.post(tenant.installationUpdate(ana, 'personal'));
    expect(r.status).toBe(401);
    const m = await h.post(tenant.personalMessage(ana, 'org register "Ana Org" income 10k services befriending areas Easton'));
    expect(m.status).toBe(401);
    expect(h.connector.calls).toHaveLength(0);
    expect(await h.store.workspaces.get(`teams:${tenant.id}`)).toBeNull();
  });

  it('refuses a bearer token that is not a token', async () => {
    const r = await h.post(tenant.personalMessage(ana, 'help'), { authorization: 'Bearer not.a.token' });
    expect(r.status).toBe(401);
    expect(h.connector.calls).toHaveLength(0);
  });

  it('refuses a token from an issuer that is not the Bot Framework', async () => {
    const token = forgedToken({ iss: 'https://login.example.org/', serviceurl: h.connector.url });
    const r = await h.post(tenant.personalMessage(ana, 'help'), { authorization: `Bearer ${token}` });
    expect(r.status).toBe(401);
    expect(h.connector.calls).toHaveLength(0);
  });
});

describe('without MICROSOFT_APP_ID (local development)', () => {
  it('accepts unauthenticated activities, as the Bot Framework Emulator sends them', async () => {
    const local = await TeamsHarness.start(import.meta.url);
    try {
      const emulatorMessage = { ...local.tenant('x').personalMessage(ana, 'help'), channelId: 'emulator', conversation: { id: 'emu-conv-1' }, channelData: {} };
      const r = await local.post(emulatorMessage);
      expect(r.status).toBe(200);
      expect(r.posted).toHaveLength(1);
      expect(r.posted[0]?.conversationId).toBe('emu-conv-1');
      // No token is asked for or sent when there are no credentials.
      expect(local.connector.calls.every((c) => c.authorization === undefined)).toBe(true);
    } finally {
      await local.close();
    }
  });
});
