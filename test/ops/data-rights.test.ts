// Data rights through commands on the real store: `org export` hands over everything held
// about an organisation and its people, `org forget` erases it, and the retention purge
// clears personal details from tenders closed long ago.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../src/core/handlers/data-rights.handlers.js';
import type { Nudge } from '../../src/core/nudges/nudge.policy.js';
import { NudgeLedger } from '../../src/queue/nudge.ledger.js';
import { formConsortium, startOpsCore, type OpsCore } from './ops-core.js';

let t: OpsCore;
const WS = 'rights';
let cref = '';

type Exported = {
  organisation: { slug: string; name: string };
  members: { userId: string; role: string }[];
  interests: { tenderRef: string; orgSlug: string; by: string }[];
  consortia: { ref: string; tenderRef: string; state: string; role: string }[];
  tasks: { ref: string; title: string }[];
  calendarLinks: { userId: string }[];
  auditAboutOrganisation: { action: string }[];
  auditByMembers: { action: string; actor: string }[];
  nudgesReachedMembers: { key: string }[];
};

// A reminder of K-1 whose delivery failed part-way: the ledger notes who already has it.
const PARTLY: Nudge = { key: 'overdue:K-1:1:o1', kind: 'overdue', subject: 'K-1', version: '1', slot: 'o1', dueAt: new Date('2027-06-02T08:00:00Z'), audience: 'owner-and-lead' };

/** The JSON inside the export reply's code block. */
function exported(text: string): Exported {
  const m = /```\n([\s\S]*)\n```/.exec(text);
  if (!m?.[1]) throw new Error(`no JSON block in: ${text.slice(0, 200)}`);
  return JSON.parse(m[1]) as Exported;
}

beforeAll(async () => {
  t = await startOpsCore(import.meta.url, { publicUrl: 'https://consortia.example.org' });
  cref = await formConsortium(t, WS);
  // A second member of Easton Wellbeing who also belongs to City Mind keeps their identity there.
  for (const [user, text] of [
    ['ana', `task add ${cref} "Draft method statement" due 01/06/2027 17:00 owner @ana`],
    ['ana', `task add ${cref} "Easton case studies" due 02/06/2027 owner Easton Wellbeing`],
    ['coord', `task add ${cref} "Pricing" due 03/06/2027 owner @bo`],
    ['ana', 'calendar'],
    ['dee', 'org join Easton Wellbeing'],
    ['dee', 'org join City Mind'],
  ] as const) {
    const r = await t.say(WS, user, text);
    if (r.outcome !== 'ok') throw new Error(`${text}: ${r.text}`);
  }
  await t.say(WS, 'coord', 'task assign K-1 @ana');
  await new NudgeLedger(t.store).sentTo(WS, PARTLY, ['u/ana', 'u/bo'], new Date());
});
afterAll(async () => t.close());

describe('org export', () => {
  it('returns the organisation, its members, interests, consortia, tasks and calendar links as JSON', async () => {
    const r = await t.say(WS, 'ana', 'org export Easton Wellbeing');
    expect(r.outcome).toBe('ok');
    expect(r.private).toBe(true);
    const data = exported(r.text);
    expect(data.organisation).toMatchObject({ slug: 'easton-wellbeing', name: 'Easton Wellbeing' });
    expect(data.members.map((m) => m.userId).sort()).toEqual(['ana', 'dee']);
    expect(data.members.find((m) => m.userId === 'ana')?.role).toBe('admin');
    expect(data.interests).toEqual([expect.objectContaining({ tenderRef: 'T-1', orgSlug: 'easton-wellbeing', by: 'ana' })]);
    expect(data.consortia).toEqual([expect.objectContaining({ ref: cref, tenderRef: 'T-1', state: 'formed', role: 'partner' })]);
    expect(data.tasks.map((k) => k.title).sort()).toEqual(['Draft method statement', 'Easton case studies']);
    expect(data.nudgesReachedMembers.map((e) => e.key)).toEqual(['overdue:K-1:1:o1#to:u/ana']);
    expect(data.calendarLinks).toEqual([expect.objectContaining({ userId: 'ana' })]);
    expect(data.auditAboutOrganisation.map((a) => a.action)).toContain('org.register');
    expect(data.auditByMembers.some((a) => a.action === 'interest' && a.actor === 'ana')).toBe(true);
  });

  it('holds nothing about another organisation\'s people', async () => {
    const data = exported((await t.say(WS, 'ana', 'org export Easton Wellbeing')).text);
    expect(data.members.map((m) => m.userId)).not.toContain('bo');
    expect(data.tasks.map((k) => k.title)).not.toContain('Pricing');
  });

  it('lets a coordinator export any organisation', async () => {
    const r = await t.say(WS, 'coord', 'org export @southmead-peers');
    expect(r.outcome).toBe('ok');
    expect(exported(r.text).organisation.slug).toBe('southmead-peers');
  });

  it('refuses someone who is not an admin of the organisation, saying who can', async () => {
    for (const user of ['stranger', 'dee', 'bo']) {
      const r = await t.say(WS, user, 'org export Easton Wellbeing');
      expect(r.outcome).toBe('denied');
      expect(r.text).toContain('Only an admin of Easton Wellbeing or a coordinator');
      expect(r.text).not.toContain('"members"');
    }
  });
});

describe('org forget', () => {
  it('asks for confirmation first and changes nothing', async () => {
    const r = await t.say(WS, 'ana', 'org forget Easton Wellbeing');
    expect(r.outcome).toBe('ok');
    expect(r.text).toContain('cannot be undone');
    expect(r.blocks.some((b) => b.kind === 'buttons' && b.buttons.some((x) => x.command === 'org forget easton-wellbeing confirm'))).toBe(true);
    expect(await t.store.scoped(WS).orgs.findOne({ slug: 'easton-wellbeing' })).not.toBeNull();
  });

  it('refuses a non-admin even with confirm', async () => {
    const r = await t.say(WS, 'dee', 'org forget Easton Wellbeing confirm');
    expect(r.outcome).toBe('denied');
    expect(await t.store.scoped(WS).orgs.findOne({ slug: 'easton-wellbeing' })).not.toBeNull();
  });

  it('erases the organisation, its members, interests and calendar links', async () => {
    const data = t.store.scoped(WS);
    const token = (await data.calendarTokens.findOne({ userId: 'ana' }))?.token as string;
    expect(await t.store.calendarOwner(token)).not.toBeNull();

    const r = await t.say(WS, 'ana', 'org forget Easton Wellbeing confirm');
    expect(r.outcome).toBe('ok');
    expect(r.text).toContain('Easton Wellbeing has been erased');

    expect(await data.orgs.findOne({ slug: 'easton-wellbeing' })).toBeNull();
    expect(await data.members.count({ orgSlug: 'easton-wellbeing' })).toBe(0);
    expect(await data.members.count({ userId: 'ana' })).toBe(0);
    expect(await data.interests.count({ orgSlug: 'easton-wellbeing' })).toBe(0);
    expect(await data.calendarTokens.count({ userId: 'ana' })).toBe(0);
    expect(await t.store.calendarOwner(token)).toBeNull();
    // The ledger's note that a nudge reached ana goes; bo's stays.
    expect(await new NudgeLedger(t.store).alreadySent(WS, PARTLY, ['u/ana', 'u/bo'])).toEqual(new Set(['u/bo']));
  });

  it('keeps someone who belongs to another organisation as they are there', async () => {
    const data = t.store.scoped(WS);
    expect(await data.members.findOne({ userId: 'dee', orgSlug: 'city-mind' })).not.toBeNull();
    expect(await data.audit.count({ actor: 'dee', action: 'org.join' })).toBe(2);
  });

  it('leaves consortia with an anonymous placeholder and tasks with no owner named', async () => {
    const data = t.store.scoped(WS);
    const c = await data.consortia.findOne({ ref: cref });
    expect(c?.memberSlugs).toHaveLength(3);
    expect(c?.memberSlugs).not.toContain('easton-wellbeing');
    const placeholder = c?.members.find((m) => m.orgSlug.startsWith('removed-org-'));
    expect(placeholder).toMatchObject({ role: 'partner', answer: 'accepted', answeredBy: 'forgotten' });
    expect(c?.memberSlugs).toContain('city-mind');

    const tasks = await data.tasks.find({ consortiumRef: cref }, { sort: { ref: 1 } });
    expect(tasks.map((k) => k.owner)).toEqual([
      { kind: 'user', id: 'forgotten' },
      { kind: 'org', slug: placeholder?.orgSlug },
      { kind: 'user', id: 'bo' },
    ]);
    expect(tasks.every((k) => k.createdBy !== 'ana')).toBe(true);
  });

  it('keeps audit entries as the fact of a change, without the person', async () => {
    const data = t.store.scoped(WS);
    const all = await data.audit.find({});
    const mentionsAna = all.filter((a) => JSON.stringify(a).includes('"ana"') || a.actor === 'ana' || a.subject === 'ana');
    expect(mentionsAna).toEqual([]);
    expect(all.some((a) => JSON.stringify(a).includes('easton-wellbeing'))).toBe(false);
    // The changes themselves are still on record.
    const actions = all.filter((a) => a.actor === 'forgotten').map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['org.register', 'interest', 'task.add', 'calendar.link']));
    expect(await data.audit.count({ action: 'org.forget' })).toBe(1);
    // Other people's history is untouched.
    expect(await data.audit.count({ actor: 'bo', action: 'org.register' })).toBe(1);
  });

  it('says plainly when the organisation is already gone', async () => {
    const r = await t.say(WS, 'coord', 'org forget Easton Wellbeing confirm');
    expect(r.outcome).toBe('not_found');
  });
});

describe('retention', () => {
  const RWS = 'retention';

  it('purges personal details of tenders closed longer ago than the retention, and leaves recent ones', async () => {
    const start = new Date(t.clock.current);
    const old = await formConsortium(t, RWS);
    const data = t.store.scoped(RWS);
    const say = async (user: string, text: string) => {
      const r = await t.say(RWS, user, text);
      if (r.outcome !== 'ok') throw new Error(`${text}: ${r.text}`);
    };
    await say('ana', `task add ${old} "Write social value" due 01/06/2027 owner @ana`);
    await say('ana', 'task done K-1');
    await say('coord', 'tender close T-1 lost');

    // Thirty months later a second tender closes; the purge runs a month after that.
    t.clock.current = new Date(start.getTime() + 30 * 30 * 86_400_000);
    await say('coord', 'tender add "Befriending" value 80k years 2 deadline 15/01/2030 12:00');
    await say('coord', 'tender need T-2 peer support in Southmead');
    await say('cy', 'interest T-2');
    await say('coord', 'match T-2 pool interested');
    await say('coord', 'tender close T-2 withdrawn');
    t.clock.current = new Date(t.clock.current.getTime() + 31 * 86_400_000);

    const purged = await purgeExpired(data, 24, t.clock.now());
    expect(purged).toBeGreaterThan(0);

    const oldTender = await data.tenders.findOne({ ref: 'T-1' });
    expect(oldTender?.createdBy).toBe('forgotten');
    expect((await data.interests.find({ tenderRef: 'T-1' })).map((i) => i.by)).toEqual(['forgotten']);
    const c = await data.consortia.findOne({ ref: old });
    expect(c?.proposedBy).toBe('forgotten');
    expect(c?.members.every((m) => m.answeredBy === 'forgotten')).toBe(true);
    const task = await data.tasks.findOne({ ref: 'K-1' });
    expect(task).toMatchObject({ createdBy: 'forgotten', doneBy: 'forgotten', owner: { kind: 'user', id: 'forgotten' } });
    expect(await data.matches.count({ tenderRef: 'T-1' })).toBe(0);
    // Organisations are not people: the record of who bid stays.
    expect(c?.memberSlugs.sort()).toEqual(['city-mind', 'easton-wellbeing', 'southmead-peers']);

    const recent = await data.tenders.findOne({ ref: 'T-2' });
    expect(recent?.createdBy).toBe('coord');
    expect((await data.interests.find({ tenderRef: 'T-2' })).map((i) => i.by)).toEqual(['cy']);
    expect(await data.matches.count({ tenderRef: 'T-2' })).toBe(1);

    // A second run finds nothing left to purge.
    expect(await purgeExpired(data, 24, t.clock.now())).toBe(0);
  });
});
