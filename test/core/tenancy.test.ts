// A second workspace can neither read nor change the first one's records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnscopedQueryError } from '../../src/store/tenant.plugin.js';
import { startTestCore, workspace, type TestCore } from '../helpers/core.js';

let t: TestCore;

beforeAll(async () => {
  t = await startTestCore(import.meta.url);
  await workspace(t, 'alpha', 'coord-a');
  await workspace(t, 'beta', 'coord-b');
  await t.say('alpha', 'ana', 'org register "Alpha Food Bank" income 50k services food support areas Easton home Easton');
  await t.say('alpha', 'coord-a', 'tender add "Alpha tender" value 100k years 1 deadline 15/01/2027');
});
afterAll(async () => t.close());

describe('workspace isolation', () => {
  it('does not show one workspace\'s organisations or tenders to another', async () => {
    expect((await t.say('beta', 'bob', 'org list')).text).not.toContain('Alpha Food Bank');
    expect((await t.say('beta', 'bob', 'org show alpha-food-bank')).outcome).toBe('not_found');
    expect((await t.say('beta', 'coord-b', 'tender show T-1')).outcome).toBe('not_found');
    expect((await t.say('beta', 'coord-b', 'tender list')).text).not.toContain('Alpha tender');
  });

  it('does not let another workspace change, join or close them', async () => {
    expect((await t.say('beta', 'coord-b', 'org edit alpha-food-bank income 1')).outcome).toBe('not_found');
    expect((await t.say('beta', 'bob', 'org join alpha-food-bank')).outcome).toBe('not_found');
    expect((await t.say('beta', 'coord-b', 'tender close T-1 lost')).outcome).toBe('not_found');
    expect((await t.say('beta', 'coord-b', 'tender need T-1 food support in Easton')).outcome).toBe('not_found');
    const alpha = t.store.scoped('alpha');
    expect((await alpha.orgs.findOne({ slug: 'alpha-food-bank' }))?.income).toBe(50_000);
    expect((await alpha.tenders.findOne({ ref: 'T-1' }))?.status).toBe('open');
    expect(await alpha.members.count({ orgSlug: 'alpha-food-bank' })).toBe(1);
  });

  it('gives each workspace its own reference counter', async () => {
    const r = await t.say('beta', 'coord-b', 'tender add "Beta tender" value 100k years 1 deadline 15/01/2027');
    expect(r.text).toContain('T-1');
    expect(await t.store.scoped('alpha').tenders.count({})).toBe(1);
    expect(await t.store.scoped('beta').tenders.count({})).toBe(1);
  });

  it('scopes every store call, even an update aimed at another workspace\'s record', async () => {
    const beta = t.store.scoped('beta');
    const res = await beta.orgs.update({ slug: 'alpha-food-bank' }, { income: 1 });
    expect(res).toEqual({ ok: true, value: null });
    expect(await beta.orgs.delete({ slug: 'alpha-food-bank' })).toBe(0);
    expect(await t.store.scoped('alpha').orgs.count({ slug: 'alpha-food-bank' })).toBe(1);
  });

  it('refuses a query that does not name its workspace', async () => {
    const Org = t.store.connection.model('Organisation');
    await expect(Org.find({ slug: 'alpha-food-bank' }).exec()).rejects.toBeInstanceOf(UnscopedQueryError);
    await expect(Org.updateMany({}, { $set: { income: 0 } }).exec()).rejects.toBeInstanceOf(UnscopedQueryError);
  });

  it('refuses operators smuggled in as filter values', async () => {
    const alpha = t.store.scoped('alpha');
    await expect(alpha.orgs.find({ slug: { $ne: 'x' } as never })).rejects.toThrow(/bad condition/);
    await expect(alpha.orgs.find({ 'workspaceId': 'beta' } as never)).rejects.toThrow(/bad filter field/);
  });
});
