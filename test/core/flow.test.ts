// The journey from a tender to a formed consortium, through commands only, on the real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, workspace, type TestCore } from '../helpers/core.js';

let t: TestCore;
const WS = 'flow';

beforeAll(async () => {
  t = await startTestCore(import.meta.url);
  await workspace(t, WS, 'coord');
});
afterAll(async () => t.close());

describe('from registration to a formed consortium', () => {
  it('registers organisations in one line and makes the registrant their admin', async () => {
    const r = await t.say(WS, 'ana', 'org register "Easton Wellbeing" income 310k services mental health, peer support areas Easton, Lawrence Hill home Easton');
    expect(r.outcome).toBe('ok');
    expect(r.text).toContain('Registered Easton Wellbeing');
    expect(r.text).toContain('medium');
    const big = await t.say(WS, 'bo', 'org register "City Mind" income £4.2m services mental health, peer support areas Easton, Lawrence Hill, Southmead home Southmead lead yes capacity 1.5m');
    expect(big.outcome).toBe('ok');
    await t.say(WS, 'cy', 'org register "Southmead Peers" income 40k services peer support areas Southmead home Southmead');
    const member = await t.store.scoped(WS).members.findOne({ userId: 'ana' });
    expect(member).toMatchObject({ orgSlug: 'easton-wellbeing', role: 'admin' });
  });

  it('refuses a second organisation with the same name, writing nothing', async () => {
    const before = await t.store.scoped(WS).orgs.count({});
    const r = await t.say(WS, 'zed', 'org register "easton wellbeing" income 10k services befriending areas Easton');
    expect(r.outcome).toBe('invalid');
    expect(r.text).toMatch(/already registered/);
    expect(await t.store.scoped(WS).orgs.count({})).toBe(before);
  });

  it('lets only a coordinator add a tender, and says who can', async () => {
    const r = await t.say(WS, 'ana', 'tender add "Mental health support" value 1.2m years 3 deadline 15/01/2027 12:00');
    expect(r.outcome).toBe('denied');
    expect(r.text).toContain('coordinator');
    const ok = await t.say(WS, 'coord', 'tender add "Mental health support" value 1.2m years 3 deadline 15/01/2027 12:00 clarify 04/01/2027 buyer "The ICB"');
    expect(ok.outcome).toBe('ok');
    expect(ok.text).toContain('T-1');
    const tender = await t.store.scoped(WS).tenders.findOne({ ref: 'T-1' });
    expect(tender?.annualValue).toBe(1_200_000);
    expect(tender?.dates.submission.toISOString()).toBe('2027-01-15T12:00:00.000Z');
  });

  it('adds requirement cells and matches the directory into ranked proposals', async () => {
    const need = await t.say(WS, 'coord', 'tender need T-1 mental health in Easton, Southmead');
    expect(need.text).toContain('2 new cells');
    await t.say(WS, 'coord', 'tender need T-1 peer support in Easton, Southmead');
    const r = await t.say(WS, 'coord', 'match T-1 pool directory top 2');
    expect(r.outcome).toBe('ok');
    expect(r.text).toContain('Proposal 1');
    expect(r.text).toContain('City Mind — lead');
    expect(r.blocks.some((b) => b.kind === 'grid')).toBe(true);
    expect(r.text).toContain('propose T-1 1');
  });

  it('reports the gap in plain words when nobody covers a cell', async () => {
    await t.say(WS, 'coord', 'tender add "Recovery" value 200k years 2 deadline 20/02/2027');
    await t.say(WS, 'coord', 'tender need T-2 drug and alcohol in Lawrence Hill');
    const r = await t.say(WS, 'coord', 'match T-2 pool directory');
    expect(r.text).toContain('Nobody in the directory covers drug and alcohol in Lawrence Hill');
    expect(r.text).toContain('invite an organisation that does');
  });

  it('proposes, invites each organisation\'s admins, and forms when all accept', async () => {
    const p = await t.say(WS, 'coord', 'propose T-1 1');
    expect(p.outcome).toBe('ok');
    expect(p.text).toContain('Proposed C-1');
    const c = await t.store.scoped(WS).consortia.findOne({ ref: 'C-1' });
    expect(c?.state).toBe('proposed');
    const admins = { 'city-mind': 'bo', 'easton-wellbeing': 'ana', 'southmead-peers': 'cy' } as Record<string, string>;
    for (const m of c?.members ?? []) {
      const user = admins[m.orgSlug] as string;
      expect(t.notifier.to(user).some((s) => s.text.includes(`accept C-1 for ${m.orgSlug}`))).toBe(true);
    }
    const slugs = (c?.members ?? []).map((m) => m.orgSlug);
    for (const slug of slugs.slice(0, -1)) {
      const r = await t.say(WS, admins[slug] as string, 'accept C-1');
      expect(r.text).toContain('Still waiting');
    }
    const last = await t.say(WS, admins[slugs[slugs.length - 1] as string] as string, 'accept C-1');
    expect(last.text).toContain('C-1 is formed');
    expect((await t.store.scoped(WS).consortia.findOne({ ref: 'C-1' }))?.state).toBe('formed');
    expect(t.notifier.to('coord').some((s) => s.text.includes('C-1 is formed'))).toBe(true);
    expect(t.scheduler.consortia).toContain(`${WS}/C-1`);
    const audit = await t.store.scoped(WS).audit.find({ action: 'consortium.formed' });
    expect(audit).toHaveLength(1);
  });

  it('refuses an accept from someone who is not the organisation\'s admin', async () => {
    await t.say(WS, 'coord', 'match T-1 pool directory');
    const r = await t.say(WS, 'stranger', 'accept C-1 for city-mind');
    expect(r.outcome).toBe('denied');
  });

  it('tracks tasks: add, re-date, done, and lists them', async () => {
    const add = await t.say(WS, 'ana', 'task add C-1 "Draft method statement" due 10/01/2027 owner @ana');
    expect(add.outcome).toBe('ok');
    expect(add.text).toContain('K-1');
    const due = await t.say(WS, 'ana', 'task due K-1 11/01/2027 09:30');
    expect(due.text).toContain('Mon 11 Jan 2027, 09:30');
    const mine = await t.say(WS, 'ana', 'mine');
    expect(mine.text).toContain('Draft method statement');
    const done = await t.say(WS, 'ana', 'task done K-1');
    expect(done.text).toContain('done');
    const task = await t.store.scoped(WS).tasks.findOne({ ref: 'K-1' });
    expect(task?.status).toBe('done');
    expect(t.scheduler.tasks.filter((x) => x === `${WS}/K-1`)).toHaveLength(3);
  });

  it('a decline tells the lead and coordinator and a re-match leaves the decliner out', async () => {
    await t.say(WS, 'coord', 'tender add "Peer support" value 30k years 1 deadline 01/03/2027');
    await t.say(WS, 'coord', 'tender need T-3 peer support in Southmead');
    const m = await t.say(WS, 'coord', 'match T-3 pool directory');
    expect(m.text).toContain('Proposal 1');
    const p = await t.say(WS, 'coord', 'propose T-3 1');
    const ref = /Proposed (C-\d+)/.exec(p.text)?.[1] as string;
    const c = await t.store.scoped(WS).consortia.findOne({ ref });
    const partner = c?.members.find((x) => x.role === 'partner') ?? c?.members[0];
    const user = ({ 'city-mind': 'bo', 'easton-wellbeing': 'ana', 'southmead-peers': 'cy' } as Record<string, string>)[partner?.orgSlug ?? ''] as string;
    const d = await t.say(WS, user, `decline ${ref} too busy this quarter`);
    expect(d.text).toContain('declined');
    expect(t.notifier.to('coord').some((s) => s.text.includes('too busy this quarter') && s.text.includes('match T-3'))).toBe(true);
    const again = await t.say(WS, 'coord', 'match T-3 pool directory');
    expect(again.text).toContain(`Left out because they declined: @${partner?.orgSlug}`);
  });
});

describe('correcting a tender', () => {
  it('drops cells added by mistake, and only coordinators may', async () => {
    await t.say(WS, 'coord', 'tender need T-2 housing support in Easton, Southmead');
    expect((await t.say(WS, 'ana', 'tender drop T-2 housing support in Easton')).outcome).toBe('denied');
    const r = await t.say(WS, 'coord', 'tender drop T-2 housing support in Easton');
    expect(r.text).toContain('Removed 1 cell');
    const cells = (await t.store.scoped(WS).tenders.findOne({ ref: 'T-2' }))?.cells ?? [];
    expect(cells.map((c) => `${c.service}@${c.area}`)).toEqual(['drug-and-alcohol@Lawrence Hill', 'housing-support@Southmead']);
    expect((await t.say(WS, 'coord', 'tender drop T-2 befriending')).outcome).toBe('invalid');
  });
});
