// Multi-workspace installation: the OAuth routes, tokens encrypted at rest in MongoDB, the
// installer as first coordinator, and uninstall removing the tokens.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackInstallationStore, TokenCipher } from '../../src/store/slack-installation.store.js';
import { ENCRYPTION_KEY, Harness, textOf, ukDate } from './harness.js';

const ONE = { id: 'T0ONE', name: 'Team One CVS', botToken: 'xoxb-team-one-secret-token', installer: 'U0INSTALLER' };
const TWO = { id: 'T0TWO', name: 'Team Two CVS', botToken: 'xoxb-team-two-secret-token', installer: 'U0SECOND' };

let h: Harness;
let installations: SlackInstallationStore<{ bot?: { token: string } }>;

beforeAll(async () => {
  h = await Harness.start(import.meta.url, { oauth: true });
  installations = new SlackInstallationStore(h.store.connection, ENCRYPTION_KEY);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.adapter.home.idle();
  h.fake.reset();
});

describe('installing through OAuth', () => {
  it('sends the installer to Slack asking only for the scopes the features need', async () => {
    const res = await fetch(`${h.server.url}/slack/install`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.pathname).toBe('/oauth/v2/authorize');
    expect(to.searchParams.get('client_id')).toBe('1234.5678');
    expect(to.searchParams.get('scope')?.split(',').sort()).toEqual(['chat:write', 'commands', 'im:write']);
    expect(to.searchParams.get('state')).toBeTruthy();
  });

  it('exchanges the code, stores the token encrypted and makes the installer the first coordinator', async () => {
    const { callback } = await h.install(ONE);
    expect(callback.status).toBe(200);
    expect(h.fake.callsOf('oauth.v2.access')).toHaveLength(1);

    const raw = await installations.raw({ teamId: ONE.id });
    expect(raw).not.toBeNull();
    expect(JSON.stringify(raw)).not.toContain(ONE.botToken);
    expect(String(raw!.secret)).toMatch(/^v1:/);
    expect((await installations.find({ teamId: ONE.id }))!.installation.bot?.token).toBe(ONE.botToken);

    const ws = await h.store.workspaces.get(`slack:${ONE.id}`);
    expect(ws?.name).toBe(ONE.name);
    expect(ws?.settings.coordinators).toEqual([ONE.installer]);
  });

  it('lets the installer act as coordinator straight away, with that workspace\'s token', async () => {
    const res = await h.command(ONE.id, ONE.installer, `tender add "Youth services" value 300k years 2 deadline ${ukDate(90)}`);
    expect(textOf(res.json())).toMatch(/Added T-1/);
    await h.adapter.home.idle();
    const publish = h.fake.callsOf('views.publish');
    expect(publish.length).toBeGreaterThan(0);
    expect(publish.every((c) => c.token === ONE.botToken)).toBe(true);
  });

  it('refuses a callback whose state was not issued by us', async () => {
    const { callback } = await h.install(TWO, { state: 'forged-state' });
    expect(callback.status).not.toBe(200);
    expect(h.fake.callsOf('oauth.v2.access')).toHaveLength(0);
    expect(await installations.find({ teamId: TWO.id })).toBeNull();
  });

  it('refuses a callback without the state cookie set by /slack/install', async () => {
    const { callback } = await h.install(TWO, { cookie: false });
    expect(callback.status).not.toBe(200);
    expect(await installations.find({ teamId: TWO.id })).toBeNull();
  });
});

describe('tokens at rest', () => {
  it('cannot be read with another key', () => {
    const sealed = new TokenCipher(ENCRYPTION_KEY).encrypt('{"bot":{"token":"xoxb-1"}}', 'T:T0X');
    expect(() => new TokenCipher('00'.repeat(32)).decrypt(sealed, 'T:T0X')).toThrow();
  });

  it('cannot be moved onto another workspace\'s record', async () => {
    await h.install(TWO);
    const one = await installations.raw({ teamId: ONE.id });
    await h.store.connection.collection('slack_installations').updateOne({ _id: `T:${TWO.id}` as never }, { $set: { secret: one!.secret } });
    await expect(installations.find({ teamId: TWO.id })).rejects.toThrow();
    await h.install(TWO);
    expect((await installations.find({ teamId: TWO.id }))!.installation.bot?.token).toBe(TWO.botToken);
  });
});

describe('uninstalling', () => {
  it('removes the workspace\'s tokens on app_uninstalled, and its requests are no longer served', async () => {
    await h.install(TWO);
    const ev = await h.event(TWO.id, { type: 'app_uninstalled', event_ts: '1.0' }, 'Ev0UNINSTALL');
    expect(ev.status).toBe(200);
    await expect.poll(() => installations.find({ teamId: TWO.id }), { timeout: 3000 }).toBeNull();

    const ws = (await h.store.workspaces.get(`slack:${TWO.id}`))!;
    await expect(h.adapter.notifier.send(ws, { kind: 'user', userId: TWO.installer }, { outcome: 'ok', blocks: [{ kind: 'text', text: 'x' }] })).rejects.toThrow(/not installed/);

    h.fake.reset();
    const res = await h.command(TWO.id, TWO.installer, 'org register "After Uninstall" income 50k services meals areas Bristol');
    expect(res.status).toBe(200);
    expect(await h.store.scoped(`slack:${TWO.id}`).orgs.count({})).toBe(0);
    expect(h.fake.calls).toHaveLength(0);
    // The other workspace is untouched.
    expect(await installations.find({ teamId: ONE.id })).not.toBeNull();
  });

  it('removes the tokens when the bot token is revoked', async () => {
    await h.install(TWO);
    await h.event(TWO.id, { type: 'tokens_revoked', tokens: { bot: [`U${TWO.id}BOT`] }, event_ts: '2.0' }, 'Ev0REVOKED');
    await expect.poll(() => installations.find({ teamId: TWO.id }), { timeout: 3000 }).toBeNull();
  });

  it('keeps the tokens when only user tokens are revoked', async () => {
    await h.install(TWO);
    await h.event(TWO.id, { type: 'tokens_revoked', tokens: { oauth: [TWO.installer] }, event_ts: '3.0' }, 'Ev0USERREVOKED');
    await new Promise((r) => setTimeout(r, 200));
    expect(await installations.find({ teamId: TWO.id })).not.toBeNull();
  });
});
