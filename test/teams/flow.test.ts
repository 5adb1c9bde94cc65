// The whole journey, the same as the Slack adapter's, done only through Teams activities:
// installs, messages in personal chats, mentions in a channel, button presses and a form
// submitted on cards. Invitations and news arrive as proactive messages.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handler } from '../../src/core/context.js';
import { cardsOf, submitActions, textOfAll, type Posted } from './fake-connector.js';
import { TeamsHarness, teamsUser, type TeamsTenant } from './harness.js';

let h: TeamsHarness;
let t: TeamsTenant;
const coord = teamsUser('Cora Coordinator');
const ana = teamsUser('Ana Easton');
const bo = teamsUser('Bo City');
const cy = teamsUser('Cy Southmead');
const admins: Record<string, typeof ana> = { 'easton-wellbeing': ana, 'city-mind': bo, 'southmead-peers': cy };

/** The bid-plan command, when the core has it (it is built alongside this adapter). */
async function planHandler(): Promise<Handler | undefined> {
  const file = new URL('../../src/core/handlers/plan.handler.ts', import.meta.url);
  if (!existsSync(file)) return undefined;
  const mod = (await import(/* @vite-ignore */ file.href)) as Record<string, unknown>;
  return Object.values(mod).find((v): v is Handler => typeof v === 'object' && v !== null && (v as Handler).path?.join(' ') === 'plan');
}

let plan: Handler | undefined;

const withButton = (posted: Posted[], title: string): Posted | undefined => posted.find((p) => cardsOf(p).some((c) => submitActions(c).some((a) => a.title === title)));

beforeAll(async () => {
  plan = await planHandler();
  // Every match takes the slow path: acknowledged at once, proposals delivered proactively.
  h = await TeamsHarness.start(import.meta.url, { handlers: plan ? [plan] : [], slowMatchPool: 0 });
  t = h.tenant('44444444-aaaa-4bbb-8ccc-000000000004', 'Bristol VCSE Network');
});
afterAll(async () => h.close());

describe('from install to a completed task, in Teams', () => {
  it('installs into the team and into each admin\'s personal scope', async () => {
    expect((await t.install(coord, 'team')).status).toBe(200);
    for (const u of [ana, bo, cy]) expect((await t.install(u, 'personal')).status).toBe(200);
    expect((await h.store.workspaces.get(`teams:${t.id}`))?.settings.coordinators).toEqual([coord.aad]);
  });

  it('registers organisations by typing and through the form card', async () => {
    const a = await t.say(ana, 'org register "Easton Wellbeing" income 310k services mental health, peer support areas Easton, Lawrence Hill home Easton');
    expect(textOfAll(a.posted)).toContain('Registered Easton Wellbeing');
    const b = await t.say(bo, 'org register "City Mind" income £4.2m services mental health, peer support areas Easton, Lawrence Hill, Southmead home Southmead lead yes capacity 1.5m');
    expect(textOfAll(b.posted)).toContain('Registered City Mind');
    const form = await t.say(cy, 'org register');
    const card = form.posted.at(-1) as Posted;
    const c = await t.submitForm(cy, card, { name: 'Southmead Peers', income: '40k', services: 'peer-support', areas: 'Southmead', home: 'Southmead', lead: 'no' });
    expect(textOfAll(c.posted)).toContain('Registered Southmead Peers');
  });

  it('adds the tender and what it needs, by mentioning the bot in the channel', async () => {
    const add = await t.mention(coord, 'tender add "Mental health support" value 1.2m years 3 deadline 15/01/2031 12:00 buyer "The ICB"');
    expect(textOfAll(add.posted)).toContain('Added T-1: Mental health support');
    expect(textOfAll((await t.mention(coord, 'tender need T-1 mental health in Easton, Southmead')).posted)).toContain('2 new cells');
    expect(textOfAll((await t.mention(coord, 'tender need T-1 peer support in Easton, Southmead')).posted)).toContain('4 cells in all');
  });

  it('collects interest from each organisation in its admin\'s personal chat', async () => {
    for (const u of [ana, bo, cy]) expect(textOfAll((await t.say(u, 'interest T-1')).posted)).toMatch(/interest/i);
    expect(await h.store.scoped(`teams:${t.id}`).interests.count({ tenderRef: 'T-1' })).toBe(3);
  });

  it('matches, and proposal 1 becomes invitations to every admin when its button is pressed', async () => {
    const m = await t.mention(coord, 'match T-1');
    expect(textOfAll(m.posted)).toContain('Working on T-1');
    const thread = m.posted[0]!.conversationId;
    const card = await h.connector.waitFor('the proposals', () => withButton(h.connector.postedTo(thread), 'Propose 1'));
    expect(textOfAll([card])).toContain('Proposal 1');
    const p = await t.press(coord, card, 'Propose 1');
    expect(textOfAll(p.posted)).toContain('Proposed C-1');
    const c = await h.store.scoped(`teams:${t.id}`).consortia.findOne({ ref: 'C-1' });
    expect(c?.members.length).toBeGreaterThanOrEqual(2);
    for (const m of c?.members ?? []) {
      const invitation = withButton(h.connector.postedTo(t.personalChat(admins[m.orgSlug]!)), 'Accept');
      expect(invitation, `invitation for ${m.orgSlug}`).toBeDefined();
      expect(textOfAll([invitation as Posted])).toContain('Invitation: C-1');
    }
  });

  it('forms the consortium when each admin presses Accept on their invitation', async () => {
    const c = await h.store.scoped(`teams:${t.id}`).consortia.findOne({ ref: 'C-1' });
    const order = (c?.members ?? []).map((m) => admins[m.orgSlug]!);
    for (const [i, u] of order.entries()) {
      const invitation = withButton(h.connector.postedTo(t.personalChat(u)), 'Accept') as Posted;
      const r = await t.press(u, invitation, 'Accept');
      expect(r.status).toBe(200);
      const text = textOfAll(r.posted.filter((x) => x.conversationId === t.personalChat(u)));
      expect(text).toContain(i < order.length - 1 ? 'Still waiting' : 'C-1 is formed');
    }
    expect((await h.store.scoped(`teams:${t.id}`).consortia.findOne({ ref: 'C-1' }))?.state).toBe('formed');
    // The coordinator has no personal chat with the bot: one is opened to tell them.
    const opened = h.connector.created.find((c) => (c.params.members as { id: string }[])[0]?.id === coord.teamsId);
    expect(opened).toBeDefined();
    expect(textOfAll(h.connector.postedTo(opened!.id))).toContain('C-1 is formed');
  });

  it('generates the bid plan from the news card (or adds a task where plan is not built yet), and a task is completed', async () => {
    const data = h.store.scoped(`teams:${t.id}`);
    // The plan command is part of the core now: the flow must go through it.
    expect(plan).toBeDefined();
    if (plan) {
      const opened = h.connector.created.find((c) => (c.params.members as { id: string }[])[0]?.id === coord.teamsId)!;
      const news = withButton(h.connector.postedTo(opened.id), 'Generate bid plan') as Posted;
      expect(news).toBeDefined();
      const planned = await t.press(coord, news, 'Generate bid plan');
      expect(textOfAll(planned.posted)).toMatch(/K-\d+/);
    } else {
      const add = await t.mention(coord, `task add C-1 "Draft method statement" due 10/01/2031 owner @${ana.name}`, [ana]);
      expect(textOfAll(add.posted)).toContain('Added K-1');
      // The person mentioned in the channel became the core's user, not their display name.
      expect((await data.tasks.findOne({ ref: 'K-1' }))?.owner).toEqual({ kind: 'user', id: ana.aad });
    }
    const tasks = await data.tasks.find({ consortiumRef: 'C-1' });
    expect(tasks.length).toBeGreaterThan(0);
    const task = tasks[0]!;
    const ownerId = task.owner.kind === 'user' ? task.owner.id : null;
    const owner = task.owner.kind === 'user' ? [ana, bo, cy].find((u) => u.aad === ownerId)! : admins[task.owner.slug]!;
    const done = await t.say(owner, `task done ${task.ref}`);
    expect(textOfAll(done.posted)).toMatch(/done/);
    expect((await data.tasks.findOne({ ref: task.ref }))?.status).toBe('done');
  });
});
