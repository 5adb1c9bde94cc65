// Thousands of random and hostile inputs: none throws, none writes, each gets one reply.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, workspace, type TestCore } from '../helpers/core.js';

let t: TestCore;
const WS = 'hostile';

const VERBS = [
  'help', 'org register', 'org show', 'org list', 'org edit', 'org join', 'org leave', 'org admin', 'tender add', 'tender need',
  'tender list', 'tender show', 'tender close', 'tender open', 'interest', 'withdraw', 'match', 'propose', 'accept', 'decline',
  'consortium show', 'consortium list', 'task add', 'task done', 'task due', 'task assign', 'task snooze', 'tasks', 'mine', 'settings',
];

const hostile = fc.oneof(
  fc.constantFrom('{"$gt":""}', '{"$where":"sleep(1000)"}', '$where', '{"$ne":null}', '[$in]', 'a.b.c', '$set', '__proto__', 'constructor',
    '<!channel>', '<@U0BADBAD>', '<http://evil.example|click>', '"', '“unclosed', '\u0000', '\u202Eevil', '../../etc/passwd', 'T-0', 'C-999999999', 'K--1',
    'income', 'services', 'areas', 'due', 'owner', 'for', 'as', 'top', 'pool', 'in', 'yes', 'no', '£-5', '1e309', 'NaN', '15/13/2027', '31/02/2027'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u200b', '\n', '\t', '$', '{', '}', '.', '"'), maxLength: 40 }),
  fc.nat({ max: 5000 }).map((n) => 'x'.repeat(n)),
);

const command = fc.tuple(fc.constantFrom(...VERBS), fc.array(hostile, { maxLength: 6 })).map(([verb, args]) => `${verb} ${args.join(' ')}`);

async function snapshot(): Promise<string> {
  const d = t.store.scoped(WS);
  const counts = await Promise.all([d.orgs, d.members, d.tenders, d.interests, d.consortia, d.tasks, d.audit, d.matches].map((c) => c.count({})));
  const ws = await t.store.workspaces.get(WS);
  const orgs = await d.orgs.find({}, { sort: { slug: 1 } });
  return JSON.stringify({ counts, settings: ws?.settings, orgs });
}

beforeAll(async () => {
  t = await startTestCore(import.meta.url);
  await workspace(t, WS, 'coord');
  await t.say(WS, 'admin1', 'org register "Qx Alpha Trust" income 2m services youth work areas Easton home Easton lead yes');
  await t.say(WS, 'coord', 'tender add "Qx tender" value 500k years 2 deadline 15/01/2027');
  await t.say(WS, 'coord', 'tender need T-1 youth work in Easton');
});
afterAll(async () => t.close());

describe('hostile input', () => {
  it('answers every malformed command with one reply and changes nothing', async () => {
    const before = await snapshot();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(command, fc.constantFrom('outsider', 'admin1', 'coord'), async (text, user) => {
        runs++;
        const r = await t.core.handle({ actor: { workspaceId: WS, platform: 'console', userId: user }, text });
        expect(r.outcome).not.toBe('error');
        expect(r.blocks.length + (r.form ? 1 : 0)).toBeGreaterThan(0);
        // Anything that would write must have been refused, so the data is untouched.
        if (r.outcome === 'ok' && !r.form) expect(['help', 'org', 'tender', 'tasks', 'mine', 'settings', 'consortium', 'match']).toContain(text.split(' ')[0]);
      }),
      { numRuns: 1500, seed: 20261124 },
    );
    expect(runs).toBe(1500);
    expect(await snapshot()).toBe(before);
  }, 240_000);

  it('refuses input longer than a command can be, before parsing', async () => {
    const r = await t.core.handle({ actor: { workspaceId: WS, platform: 'console', userId: 'coord' }, text: `org register "${'A'.repeat(100_000)}" income 1k services a areas b` });
    expect(r.outcome).toBe('invalid');
    expect(r.blocks[0]).toMatchObject({ kind: 'text' });
  });

  it('answers garbage form submissions without writing', async () => {
    const before = await snapshot();
    for (const values of [{ name: { $gt: '' } }, { income: ['1', '2'] }, { 'a.b': 'x' }, null, 'text', { name: 'x'.repeat(10_000) }]) {
      const r = await t.core.handle({ actor: { workspaceId: WS, platform: 'console', userId: 'outsider' }, text: '', form: { id: 'org.register', values: values as never } });
      expect(['invalid', 'ok']).toContain(r.outcome);
      expect(r.form?.errors).toBeDefined();
    }
    const r = await t.core.handle({ actor: { workspaceId: WS, platform: 'console', userId: 'outsider' }, text: '', form: { id: '$where', values: {} } });
    expect(r.outcome).toBe('invalid');
    expect(await snapshot()).toBe(before);
  });

  it('rejects commands from nobody in particular', async () => {
    for (const actor of [{ workspaceId: '', platform: 'console', userId: 'x' }, { workspaceId: WS, platform: 'console', userId: '' }, null]) {
      const r = await t.core.handle({ actor: actor as never, text: 'org list' });
      expect(r.outcome).toBe('invalid');
    }
  });
});
