// Concurrent commands on a server without atomic updates: nothing duplicated, nothing lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, workspace, type TestCore } from '../helpers/core.js';

let t: TestCore;
const WS = 'busy';

beforeAll(async () => {
  t = await startTestCore(import.meta.url);
  await workspace(t, WS, 'coord');
});
afterAll(async () => t.close());

describe('concurrent commands', () => {
  it('gives twelve tenders added at once twelve different references', async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.say(WS, 'coord', `tender add "Tender number ${i}" value 100k years 1 deadline 15/01/2027`)),
    );
    expect(replies.every((r) => r.outcome === 'ok')).toBe(true);
    const refs = (await t.store.scoped(WS).tenders.find({})).map((x) => x.ref);
    expect(new Set(refs).size).toBe(12);
  });

  it('records every answer when all members accept at the same moment, and forms once', async () => {
    const names = ['Aa Lead Org', 'Bb Partner', 'Cc Partner', 'Dd Partner'];
    for (const [i, n] of names.entries()) {
      await t.say(WS, `u${i}`, `org register "${n}" income ${i === 0 ? '3m' : '50k'} services youth work areas Area${i} home Area${i}${i === 0 ? ' lead yes capacity 2m' : ''}`);
    }
    await t.say(WS, 'coord', 'tender add "Youth" value 500k years 2 deadline 15/01/2027');
    await t.say(WS, 'coord', 'tender need T-13 youth work in Area0, Area1, Area2, Area3');
    const m = await t.say(WS, 'coord', 'match T-13 pool directory top 1');
    expect(m.text).toContain('Proposal 1');
    await t.say(WS, 'coord', 'propose T-13 1');
    const c = await t.store.scoped(WS).consortia.findOne({ tenderRef: 'T-13' });
    expect(c?.members).toHaveLength(4);
    const replies = await Promise.all(names.map((_, i) => t.say(WS, `u${i}`, `accept ${c?.ref}`)));
    expect(replies.every((r) => r.outcome === 'ok')).toBe(true);
    const after = await t.store.scoped(WS).consortia.findOne({ ref: c?.ref as string });
    expect(after?.members.every((x) => x.answer === 'accepted')).toBe(true);
    expect(after?.state).toBe('formed');
    expect(replies.filter((r) => r.text.includes('is formed'))).toHaveLength(1);
    expect(await t.store.scoped(WS).audit.count({ action: 'consortium.formed' })).toBe(1);
  });
});
