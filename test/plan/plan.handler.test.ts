import { afterEach, describe, expect, it } from 'vitest';
import { planHandler } from '../../src/core/handlers/plan.handler.js';
import type { Task } from '../../src/core/domain.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { seedWorkspace, type Seeded } from '../nudges/fixtures/seed.js';

// Submission Friday 26 February 2027 at noon; clarification deadline Friday 12 February, 17:00.
const SUBMISSION = new Date('2027-02-26T12:00:00Z');
const CLARIFICATION = new Date('2027-02-12T17:00:00Z');

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setUp(now: string, seed: Partial<Parameters<typeof seedWorkspace>[1]> = {}): Promise<{ t: TestCore; s: Seeded }> {
  t = await startTestCore(import.meta.url, { now: new Date(now), extra: [planHandler] });
  const s = await seedWorkspace(t.store, { submission: SUBMISSION, clarification: CLARIFICATION, ...seed });
  return { t, s };
}

async function tasks(tc: TestCore, s: Seeded): Promise<Map<string, Task>> {
  const list = await tc.store.scoped(s.ws).tasks.find({ consortiumRef: s.consortium.ref });
  return new Map(list.map((k) => [k.step ?? k.title, k]));
}

describe('plan <consortium>', () => {
  it('generates every step back from the tender\'s dates in working days, owned by the lead', async () => {
    const { t, s } = await setUp('2027-01-18T10:00:00Z');
    const r = await t.say(s.ws, 'coord', `plan ${s.consortium.ref}`);
    expect(r.outcome).toBe('ok');
    const byStep = await tasks(t, s);
    expect([...byStep.keys()].sort()).toEqual(['agreement', 'clarification', 'final-review', 'go-no-go', 'method-statements', 'policies', 'pricing', 'social-value', 'submission']);
    expect(byStep.get('go-no-go')?.due.toISOString()).toBe('2027-01-29T12:00:00.000Z'); // 20 working days before
    expect(byStep.get('agreement')?.due.toISOString()).toBe('2027-02-05T12:00:00.000Z');
    expect(byStep.get('clarification')?.due.toISOString()).toBe('2027-02-11T17:00:00.000Z'); // a day before the clarification deadline
    expect(byStep.get('final-review')?.due.toISOString()).toBe('2027-02-23T12:00:00.000Z'); // Fri → Thu, Wed, Tue
    expect(byStep.get('submission')?.due.toISOString()).toBe(SUBMISSION.toISOString());
    for (const k of byStep.values()) {
      expect(k.owner).toEqual({ kind: 'org', slug: 'lead-org' });
      expect(k.status).toBe('open');
      expect(k.latePlanned).toBe(false);
    }
    expect(r.text).toContain('Added 9 tasks');
    expect(t.scheduler.tasks).toHaveLength(9);
    expect(t.scheduler.consortia).toEqual([`${s.ws}/${s.consortium.ref}`]);
  });

  it('skips the bank holidays of the workspace\'s region', async () => {
    // Submission Thursday 1 April 2027: Good Friday and Easter Monday lie in between.
    const { t, s } = await setUp('2027-01-18T10:00:00Z', { submission: new Date('2027-04-01T11:00:00Z') });
    await t.say(s.ws, 'coord', `plan ${s.consortium.ref}`);
    expect((await tasks(t, s)).get('final-review')?.due.toISOString()).toBe('2027-03-25T12:00:00.000Z');

    const scots = await seedWorkspace(t.store, { ws: 'W2', submission: new Date('2027-04-01T11:00:00Z'), holidays: 'scotland' });
    await t.say('W2', 'coord', `plan ${scots.consortium.ref}`);
    // Easter Monday is a working day in Scotland.
    expect((await tasks(t, scots)).get('final-review')?.due.toISOString()).toBe('2027-03-29T11:00:00.000Z');
  });

  it('adds only what is missing when run again, and says what it skipped', async () => {
    const { t, s } = await setUp('2027-01-18T10:00:00Z');
    await t.say(s.ws, 'coord', 'settings plan social-value=off,pricing=12');
    const first = await t.say(s.ws, 'coord', `plan ${s.consortium.ref}`);
    expect(first.text).toContain('Added 8 tasks');
    expect((await tasks(t, s)).get('pricing')?.due.toISOString()).toBe('2027-02-10T12:00:00.000Z'); // 12 working days before
    const again = await t.say(s.ws, 'coord', `plan ${s.consortium.ref}`);
    expect(again.text).toContain('Nothing to add');
    expect(again.text).toContain('Skipped 8 steps');
    await t.say(s.ws, 'coord', 'settings plan reset');
    const third = await t.say(s.ws, 'coord', `plan ${s.consortium.ref}`);
    expect(third.text).toContain('Added 1 task');
    expect(third.text).toContain('Social value statement');
    const all = await t.store.scoped(s.ws).tasks.find({ consortiumRef: s.consortium.ref });
    expect(all).toHaveLength(9);
    expect(new Set(all.map((k) => k.step)).size).toBe(9);
  });

  it('never duplicates a step when two people run it at once', async () => {
    const { t, s } = await setUp('2027-01-18T10:00:00Z');
    const replies = await Promise.all([t.say(s.ws, 'coord', `plan ${s.consortium.ref}`), t.say(s.ws, 'priya', `plan ${s.consortium.ref}`)]);
    expect(replies.some((r) => r.outcome === 'ok' && r.text.includes('Added'))).toBe(true);
    const all = await t.store.scoped(s.ws).tasks.find({ consortiumRef: s.consortium.ref });
    expect(all.map((k) => k.step).sort()).toEqual([...new Set(all.map((k) => k.step))].sort());
    expect(all).toHaveLength(9);
  });

  it('flags dates that have already passed instead of silently keeping them', async () => {
    const { t, s } = await setUp('2027-02-15T10:00:00Z');
    const r = await t.say(s.ws, 'coord', `plan ${s.consortium.ref}`);
    const byStep = await tasks(t, s);
    const late = [...byStep.values()].filter((k) => k.latePlanned).map((k) => k.step).sort();
    expect(late).toEqual(['agreement', 'clarification', 'go-no-go', 'method-statements']);
    expect(r.text).toContain('4 dates had already passed');
    expect(r.text).toContain('⚠ already past');
    const list = await t.say(s.ws, 'coord', `tasks ${s.consortium.ref}`);
    expect(list.text).toContain('its planned date had already passed');
  });

  it('leaves out a step whose tender date is missing, and says so', async () => {
    const { t, s } = await setUp('2027-01-18T10:00:00Z', { clarification: undefined });
    const r = await t.say(s.ws, 'coord', `plan ${s.consortium.ref}`);
    expect((await tasks(t, s)).has('clarification')).toBe(false);
    expect(r.text).toContain('has no clarification date');
  });

  it('is for coordinators and the lead organisation\'s admins, and only for formed consortia', async () => {
    const { t, s } = await setUp('2027-01-18T10:00:00Z');
    expect((await t.say(s.ws, 'amara', `plan ${s.consortium.ref}`)).outcome).toBe('denied');
    expect((await t.say(s.ws, 'sam', `plan ${s.consortium.ref}`)).outcome).toBe('denied');
    expect((await t.say(s.ws, 'priya', `plan ${s.consortium.ref}`)).outcome).toBe('ok');
    const proposed = await seedWorkspace(t.store, { ws: 'W3', submission: SUBMISSION, state: 'proposed' });
    const r = await t.say('W3', 'coord', `plan ${proposed.consortium.ref}`);
    expect(r.outcome).toBe('conflict');
    expect(await t.store.scoped('W3').tasks.count({})).toBe(0);
    expect((await t.say(s.ws, 'coord', 'plan C-99')).outcome).toBe('not_found');
    expect((await t.say(s.ws, 'coord', 'plan')).outcome).toBe('invalid');
  });
});
