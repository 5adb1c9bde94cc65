// The Teams receiver end to end: real activities posted to the running /api/messages,
// replies read from the loopback Bot Connector, state read from MongoDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOfAll, cardsOf } from './fake-connector.js';
import { TeamsHarness, teamsUser, type TeamsTenant } from './harness.js';

let h: TeamsHarness;
let contoso: TeamsTenant;
const coord = teamsUser('Cora Coordinator');
const ana = teamsUser('Ana Admin');
const pat = teamsUser('Pat Partner');

beforeAll(async () => {
  h = await TeamsHarness.start(import.meta.url, { slowMatchPool: 0 });
  contoso = h.tenant('11111111-aaaa-4bbb-8ccc-000000000001', 'Bristol VCSE Network');
});
afterAll(async () => h.close());

describe('installing Consortia', () => {
  it('remembers the team, creates the tenant\'s workspace and makes the installer its first coordinator', async () => {
    const r = await contoso.install(coord, 'team');
    expect(r.status).toBe(200);
    const ws = await h.store.workspaces.get(`teams:${contoso.id}`);
    expect(ws).toMatchObject({ platform: 'teams', name: 'Bristol VCSE Network' });
    expect(ws?.settings.coordinators).toEqual([coord.aad]);
    const welcome = r.posted.filter((p) => p.conversationId === contoso.channel);
    expect(textOfAll(welcome)).toContain('Consortia is here');
    // The installer is greeted by name, as a real Teams mention.
    const entities = cardsOf(welcome[0]!).flatMap((c) => c.msteams?.entities ?? []);
    expect(entities).toContainEqual({ type: 'mention', text: `<at>${coord.name}</at>`, mentioned: { id: coord.aad, name: coord.name } });
  });

  it('does not make a later installer a coordinator of a workspace that has one', async () => {
    await contoso.install(ana, 'personal');
    const ws = await h.store.workspaces.get(`teams:${contoso.id}`);
    expect(ws?.settings.coordinators).toEqual([coord.aad]);
  });
});

describe('messages', () => {
  it('answers plain text in a personal chat, in that chat, as an Adaptive Card', async () => {
    const r = await contoso.say(ana, 'org register "Easton Wellbeing" income 310k services mental health, peer support areas Easton, Lawrence Hill home Easton');
    expect(r.status).toBe(200);
    expect(r.posted).toHaveLength(1);
    expect(r.posted[0]?.conversationId).toBe(contoso.personalChat(ana));
    expect(r.posted[0]?.activity.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(textOfAll(r.posted)).toContain('Registered Easton Wellbeing');
    const member = await h.store.scoped(`teams:${contoso.id}`).members.findOne({ userId: ana.aad });
    expect(member).toMatchObject({ orgSlug: 'easton-wellbeing', role: 'admin' });
  });

  it('answers a mention in a channel, with the mention taken out of the command, in the thread', async () => {
    const r = await contoso.mention(coord, 'tender add "Community mental health" value 500k years 3 deadline 15/01/2031 12:00');
    expect(r.status).toBe(200);
    expect(r.posted).toHaveLength(1);
    expect(r.posted[0]?.conversationId).toMatch(new RegExp(`^${contoso.channel.replace(/[.]/g, '\\.')};messageid=`));
    expect(textOfAll(r.posted)).toContain('Added T-1: Community mental health');
  });

  it('ignores channel messages that do not mention the bot', async () => {
    const activity = contoso.channelMessage(coord, 'tender list');
    activity.text = 'tender list';
    activity.entities = [];
    const r = await h.post(activity);
    expect(r.status).toBe(200);
    expect(r.posted).toHaveLength(0);
  });

  it('turns other people\'s mentions into the core\'s user tokens, looking up who they are', async () => {
    h.connector.roster.set(pat.teamsId, { id: pat.teamsId, aadObjectId: pat.aad, name: pat.name });
    const r = await contoso.mention(coord, `settings coordinator add @${pat.name}`, [pat]);
    expect(r.status).toBe(200);
    const ws = await h.store.workspaces.get(`teams:${contoso.id}`);
    expect(ws?.settings.coordinators).toContain(pat.aad);
  });

  it('opens a form as a card and takes its submission as the form, not as text', async () => {
    const open = await contoso.say(pat, 'org register');
    const form = open.posted.find((p) => cardsOf(p).some((c) => c.actions?.some((a) => a.data.consortiaForm === 'org.register')));
    expect(form).toBeDefined();
    const done = await contoso.submitForm(pat, form!, { name: 'Southmead Peers', income: '40k', services__other: 'peer support', areas__other: 'Southmead', home__other: 'Southmead', lead: 'no' });
    expect(textOfAll(done.posted)).toContain('Registered Southmead Peers');
    expect(await h.store.scoped(`teams:${contoso.id}`).orgs.findOne({ slug: 'southmead-peers' })).toMatchObject({ income: 40_000 });
  });

  it('puts a refused form back in place of the submitted card, errors under the fields', async () => {
    const open = await contoso.say(pat, 'org register');
    const form = open.posted.at(-1)!;
    const before = h.connector.updated.length;
    const r = await contoso.submitForm(pat, form, { name: 'X', income: 'lots', services__other: 'peer support', areas__other: 'Southmead' });
    expect(r.status).toBe(200);
    expect(r.posted).toHaveLength(0);
    const update = h.connector.updated.slice(before);
    expect(update).toHaveLength(1);
    expect(update[0]?.activityId).toBe(form.id);
    const text = cardsOf(update[0]!.activity).map((c) => JSON.stringify(c.body)).join('');
    expect(text).toContain('at least 2 characters');
    expect(text).toContain('annual income');
  });
});

describe('Teams resends and slow work', () => {
  it('processes an activity Teams sends again only once', async () => {
    const activity = contoso.personalMessage(ana, 'interest T-1');
    const first = await h.post(activity);
    const again = await h.post(activity);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(first.posted).toHaveLength(1);
    expect(again.posted).toHaveLength(0);
    expect(await h.store.scoped(`teams:${contoso.id}`).interests.count({ tenderRef: 'T-1' })).toBe(1);
  });

  it('answers a slow command at once and delivers the result proactively into the same thread', async () => {
    await contoso.mention(coord, 'tender need T-1 mental health in Easton');
    const r = await contoso.mention(coord, 'match T-1');
    expect(r.status).toBe(200);
    expect(textOfAll(r.posted)).toContain('Working on T-1');
    const thread = r.posted[0]!.conversationId;
    const result = await h.connector.waitFor('the match result', () => h.connector.posted.find((p) => p.conversationId === thread && textOfAll([p]).includes('Matched T-1')));
    // A proactive post, not a reply to the stand-in activity the SDK makes up.
    expect(result.activity.replyToId).toBeUndefined();
    expect(result.inReplyTo).toBeUndefined();
  });
});

describe('tenancy', () => {
  it('keeps each tenant\'s installs apart, even for a guest who is in both', async () => {
    const fabrikam = h.tenant('11111111-aaaa-4bbb-8ccc-000000000002', 'Fabrikam Voluntary Action');
    const other = teamsUser('Fay Fabrikam');
    await fabrikam.install(other, 'team');
    expect((await h.store.workspaces.get(`teams:${fabrikam.id}`))?.settings.coordinators).toEqual([other.aad]);
    // Ana registered Easton Wellbeing in Contoso; as a guest in Fabrikam she sees none of it.
    const list = await fabrikam.say(ana, 'org list');
    expect(textOfAll(list.posted)).not.toContain('Easton Wellbeing');
    const show = await fabrikam.say(ana, 'org show easton-wellbeing');
    expect(textOfAll(show.posted)).toMatch(/can't find|no organisation/i);
    expect(show.posted.every((p) => p.conversationId === fabrikam.personalChat(ana))).toBe(true);
    const mine = await contoso.say(ana, 'org list');
    expect(textOfAll(mine.posted)).toContain('Easton Wellbeing');
  });
});

describe('what is not an activity', () => {
  it('refuses a body that is not JSON with 400', async () => {
    const res = await fetch(`${h.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message",' });
    expect(res.status).toBe(400);
  });

  it('refuses JSON that is not an activity with 400 and sends nothing', async () => {
    const before = h.connector.posted.length;
    const r = await h.post({ hello: 'world', $where: '1' });
    expect(r.status).toBe(400);
    const bad = await h.post({ ...contoso.personalMessage(ana, 'help'), serviceUrl: 'file:///etc/passwd' });
    expect(bad.status).toBe(400);
    expect(h.connector.posted.length).toBe(before);
  });

  it('ignores activities that name no tenant', async () => {
    const activity = contoso.personalMessage(ana, 'help');
    delete (activity.conversation as Record<string, unknown>).tenantId;
    activity.channelData = {};
    const r = await h.post(activity);
    expect(r.status).toBe(200);
    expect(r.posted).toHaveLength(0);
  });
});
