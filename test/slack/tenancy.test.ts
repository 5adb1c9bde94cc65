// One person in two Slack workspaces (the same user id, as on Enterprise Grid): whatever
// they do in one never reads or changes the other's data, and each workspace's Slack calls
// use its own token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, textOf, ukDate } from './harness.js';

const A = { id: 'T0AAA', name: 'Avon CVS', botToken: 'xoxb-avon-token', installer: 'W0SAM' };
const B = { id: 'T0BBB', name: 'Bath CVS', botToken: 'xoxb-bath-token', installer: 'W0SAM' };
const SAM = 'W0SAM';

let h: Harness;

beforeAll(async () => {
  // Every change refreshes the App Home at once here, so each workspace's publish can be seen.
  h = await Harness.start(import.meta.url, { oauth: true, homeMinIntervalMs: 0 });
  await h.install(A);
  await h.install(B);
});
afterAll(async () => {
  await h?.close();
});

/** Lets background home refreshes of earlier steps land, then forgets recorded calls. */
async function fresh(): Promise<void> {
  await h.adapter.home.idle();
  h.fake.reset();
}

async function say(team: string, text: string): Promise<string> {
  const res = await h.command(team, SAM, text);
  expect(res.status).toBe(200);
  await h.adapter.home.idle();
  return [textOf(res.json()), h.responseText(res.responseUrl)].join('\n');
}

describe('two workspaces, one person', () => {
  it('keeps organisations, tenders and consortia apart', async () => {
    expect(await say(A.id, 'org register "Alpha Trust" income 2m services befriending areas Bristol home Bristol lead yes')).toMatch(/Registered Alpha Trust/);
    expect(await say(A.id, `tender add "Avon befriending" value 200k years 3 deadline ${ukDate(80)}`)).toMatch(/Added T-1/);

    const listB = await say(B.id, 'org list');
    expect(listB).not.toMatch(/Alpha Trust/);
    expect(await say(B.id, 'org show alpha-trust')).not.toMatch(/Based in/);
    expect(await say(B.id, 'tender show T-1')).not.toMatch(/Avon befriending/);

    // The same name is free in the other workspace, and refs count from 1 there too.
    expect(await say(B.id, 'org register "Alpha Trust" income 90k services meals areas Bath home Bath')).toMatch(/Registered Alpha Trust/);
    expect(await say(B.id, `tender add "Bath meals" value 50k years 1 deadline ${ukDate(60)}`)).toMatch(/Added T-1/);

    const a = h.store.scoped(`slack:${A.id}`);
    const b = h.store.scoped(`slack:${B.id}`);
    expect((await a.orgs.findOne({ slug: 'alpha-trust' }))?.income).toBe(2_000_000);
    expect((await b.orgs.findOne({ slug: 'alpha-trust' }))?.income).toBe(90_000);
    expect((await a.tenders.findOne({ ref: 'T-1' }))?.title).toBe('Avon befriending');
    expect((await b.tenders.findOne({ ref: 'T-1' }))?.title).toBe('Bath meals');
  });

  it('changes only the workspace the request came from', async () => {
    await say(B.id, 'org edit alpha-trust income 95k');
    expect((await h.store.scoped(`slack:${A.id}`).orgs.findOne({ slug: 'alpha-trust' }))?.income).toBe(2_000_000);
    expect((await h.store.scoped(`slack:${B.id}`).orgs.findOne({ slug: 'alpha-trust' }))?.income).toBe(95_000);
  });

  it('does not act on another workspace\'s records through a button', async () => {
    await say(A.id, 'tender need T-1 befriending in Bristol');
    const pressed = await h.press(B.id, SAM, 'tender need T-1 meals in Bath');
    await h.fake.until(() => h.fake.responsesTo(pressed.responseUrl!).length > 0, 3000, 'the button answer');
    const cellsA = (await h.store.scoped(`slack:${A.id}`).tenders.findOne({ ref: 'T-1' }))?.cells.map((c) => c.service);
    const cellsB = (await h.store.scoped(`slack:${B.id}`).tenders.findOne({ ref: 'T-1' }))?.cells.map((c) => c.service);
    expect(cellsA).toEqual(['befriending']);
    expect(cellsB).toEqual(['meals']);
  });

  it('uses each workspace\'s own token for its Slack calls', async () => {
    await fresh();
    // Changes refresh the sender's App Home (reads do not).
    await say(A.id, 'org edit alpha-trust income 2m');
    await say(B.id, 'org edit alpha-trust income 95k');
    const publishes = h.fake.callsOf('views.publish');
    expect(publishes.map((c) => c.token).sort()).toEqual([A.botToken, B.botToken].sort());
    for (const team of [A, B]) {
      const ws = (await h.store.workspaces.get(`slack:${team.id}`))!;
      await h.adapter.notifier.send(ws, { kind: 'user', userId: SAM }, { outcome: 'ok', blocks: [{ kind: 'text', text: `hello from ${team.name}` }] });
    }
    const posts = h.fake.postsTo(SAM);
    expect(posts.map((p) => [p.token, textOf(p.args)])).toEqual([
      [A.botToken, expect.stringContaining('Avon CVS')],
      [B.botToken, expect.stringContaining('Bath CVS')],
    ]);
  });

  it('shows each workspace its own App Home', async () => {
    await fresh();
    await h.event(A.id, { type: 'app_home_opened', user: SAM, channel: 'D1', tab: 'home', event_ts: '1.0' }, 'Ev0HOMEA');
    await h.event(B.id, { type: 'app_home_opened', user: SAM, channel: 'D2', tab: 'home', event_ts: '1.0' }, 'Ev0HOMEB');
    await h.fake.until(() => h.fake.callsOf('views.publish').length === 2, 3000, 'two home views');
    const byToken = new Map(h.fake.callsOf('views.publish').map((c) => [c.token, textOf(c.args.view)]));
    expect(byToken.get(A.botToken)).not.toMatch(/Bath meals/);
    expect(byToken.get(B.botToken)).not.toMatch(/Avon befriending/);
  });
});
