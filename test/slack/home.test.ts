// The App Home is rebuilt only when it may have changed, and at most once per window per
// person: a burst of changes gives one refresh now and one at the end of the window; reads
// and refusals give none; opening the tab, or pressing a button on it, publishes at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesHome, commandVerb } from '../../adapters/slack/slack.home.js';
import { reply } from '../../src/core/reply.js';
import { Harness, textOf } from './harness.js';

const TEAM = 'T0HOME';
const WS = `slack:${TEAM}`;
const COORD = 'U0HCOORD';
const ANA = 'U0HANA';
const BOB = 'U0HBOB';
const CY = 'U0HCY';
/** Short, so the test sees the refresh at the end of the window; production waits 30 s. */
const WINDOW_MS = 1500;

let h: Harness;

beforeAll(async () => {
  h = await Harness.start(import.meta.url, { homeMinIntervalMs: WINDOW_MS });
  await h.store.workspaces.ensure(WS, 'slack', 'Home tests', COORD);
});
afterAll(async () => {
  await h?.close();
});

const publishesTo = (user: string) => h.fake.callsOf('views.publish').filter((c) => c.args.user_id === user);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function slash(user: string, text: string): Promise<string> {
  const res = await h.command(TEAM, user, text);
  expect(res.status).toBe(200);
  await h.adapter.home.idle();
  return [res.text ? textOf(res.json()) : '', h.responseText(res.responseUrl)].join('\n');
}

describe('which commands refresh the App Home', () => {
  it('counts successful changes, not reads, refusals or forms to fill in', () => {
    const core = h.core;
    expect(commandVerb(core, 'org list service advice')).toBe('org list');
    expect(commandVerb(core, '/consortium tender show T-1')).toBe('tender show');
    expect(commandVerb(core, 'no such thing')).toBeNull();
    const ok = reply.text('Done.');
    expect(changesHome('interest', ok)).toBe(true);
    expect(changesHome('task done', ok)).toBe(true);
    for (const read of ['org list', 'tender show', 'tasks', 'help', 'home', 'mine', 'consortium show']) expect(changesHome(read, ok)).toBe(false);
    expect(changesHome('interest', reply.denied('No.'))).toBe(false);
    expect(changesHome(null, ok)).toBe(false);
    expect(changesHome(null, ok, true)).toBe(true);
    expect(changesHome('org register', reply.form({ id: 'org.register', title: 'Register', submitLabel: 'Register', fields: [] }))).toBe(false);
  });
});

describe('throttled refreshes', () => {
  it('publishes once for a burst of changes, then once more at the end of the window', async () => {
    expect(await slash(ANA, 'org register "Home Trust" income 90k services advice areas Easton home Easton')).toMatch(/Registered Home Trust/);
    expect(publishesTo(ANA)).toHaveLength(1);
    for (const income of ['91k', '92k', '93k', '94k']) expect(await slash(ANA, `org edit home-trust income ${income}`)).not.toMatch(/sorry/i);
    // Four more changes inside the window: none published yet, one refresh waiting.
    expect(publishesTo(ANA)).toHaveLength(1);
    expect(h.adapter.home.waiting(WS, ANA)).toBe(true);
    await h.fake.until(() => publishesTo(ANA).length === 2, WINDOW_MS + 3000, 'the refresh at the end of the window');
    expect((await h.store.scoped(WS).orgs.findOne({ slug: 'home-trust' }))?.income).toBe(94_000);
    await sleep(WINDOW_MS + 300);
    expect(publishesTo(ANA)).toHaveLength(2);
  });

  it('never refreshes after reads or refused commands', async () => {
    for (const text of ['help', 'org list', 'org show home-trust', 'tender list', 'tasks', 'home']) await slash(BOB, text);
    expect(await slash(BOB, 'org edit home-trust income 1k')).toMatch(/admin|coordinator/i);
    await sleep(200);
    expect(publishesTo(BOB)).toHaveLength(0);
  });

  it('publishes at once when the tab is opened, and drops the refresh it makes unnecessary', async () => {
    await slash(CY, 'org register "Tab Trust" income 50k services advice areas Easton home Easton');
    expect(publishesTo(CY)).toHaveLength(1);
    await slash(CY, 'org edit tab-trust income 51k');
    expect(h.adapter.home.waiting(WS, CY)).toBe(true);
    await h.event(TEAM, { type: 'app_home_opened', user: CY, channel: 'D0HCY', tab: 'home', event_ts: '1.0' }, 'Ev0HOMETAB');
    await h.fake.until(() => publishesTo(CY).length === 2, 3000, 'the home on opening the tab');
    expect(h.adapter.home.waiting(WS, CY)).toBe(false);
    await sleep(WINDOW_MS + 300);
    expect(publishesTo(CY)).toHaveLength(2);
  });

  it('refreshes at once after a button pressed on the home itself', async () => {
    const before = publishesTo(ANA).length;
    await slash(ANA, 'org edit home-trust income 95k');
    const res = await h.press(TEAM, ANA, 'org edit home-trust income 96k', { responseUrl: null });
    expect(res.status).toBe(200);
    await h.fake.until(() => publishesTo(ANA).length >= before + 2, 1000, 'the home after a press on it');
    expect((await h.store.scoped(WS).orgs.findOne({ slug: 'home-trust' }))?.income).toBe(96_000);
  });
});
