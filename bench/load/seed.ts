// The workspace the load benchmark works in, built through core commands as people would:
// organisations with their admins, open tenders with their needs, a small tender with
// interested organisations to match, and a formed consortium with tasks.
import type { Core } from '../../src/core/app.js';
import type { Platform } from '../../src/core/command.js';
import { replyText } from '../../src/core/reply.js';
import type { MongoStore } from '../../src/store/mongo.store.js';

const AREAS = ['Easton', 'Southmead', 'Bedminster', 'Lawrence Hill', 'Hartcliffe', 'Lockleaze', 'Knowle', 'Filwood', 'Redland', 'Clifton'];
const KINDS = ['Wellbeing', 'Community Trust', 'Peers', 'Food Network', 'Advice Centre', 'Youth Project'];
const SERVICES = ['mental health', 'peer support', 'advice', 'befriending', 'youth work', 'food support', 'housing support', 'employment support'];

export interface SeededWorkspace {
  workspaceId: string;
  platform: Platform;
  coordinator: string;
  /** One admin per organisation, in registration order. */
  admins: string[];
  /** Everyone: admins and members. */
  users: string[];
  /** Admins of organisations interested in the matched tender (who may match it). */
  matchers: string[];
  orgNames: string[];
  /** Open tenders people express interest in (not the matched one). */
  tenders: string[];
  /** The small tender matched during the run. */
  matchTender: string;
  consortium: string;
}

export interface SeedOptions {
  workspaceId: string;
  platform: Platform;
  coordinator: string;
  /** User id of the i-th person. */
  userId(i: number): string;
  orgs: number;
  /** Members besides the admin in each organisation. */
  membersPerOrg: number;
  tenders: number;
}

const plain = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  }));
}

/** A UK date `days` ahead of today, for deadlines that stay in the future. */
function ahead(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

export async function seedWorkspace(core: Core, store: MongoStore, o: SeedOptions): Promise<SeededWorkspace> {
  await store.workspaces.ensure(o.workspaceId, o.platform, `Bench ${o.platform}`, o.coordinator);
  const say = async (userId: string, text: string): Promise<string> => {
    let r = await core.handle({ actor: { workspaceId: o.workspaceId, platform: o.platform, userId }, text });
    if (r.followUp) r = await r.followUp();
    const out = replyText(r);
    if (r.outcome !== 'ok') throw new Error(`seeding "${text}" failed (${r.outcome}): ${out.slice(0, 200)}`);
    return out;
  };

  // Organisations register in parallel: the seed is not what is being measured.
  const indexes = Array.from({ length: o.orgs }, (_, i) => i);
  const admins = indexes.map((i) => o.userId(i));
  const orgNames = indexes.map((i) => {
    const home = AREAS[i % AREAS.length] as string;
    const round = Math.floor(i / (AREAS.length * KINDS.length));
    return `${home} ${KINDS[Math.floor(i / AREAS.length) % KINDS.length]}${round > 0 ? ` ${String.fromCharCode(65 + round)}` : ''}`;
  });
  await inParallel(indexes, 8, async (i) => {
    const home = AREAS[i % AREAS.length] as string;
    const services = [SERVICES[i % SERVICES.length], SERVICES[(i * 3 + 1) % SERVICES.length]];
    const areas = [home, AREAS[(i + 1) % AREAS.length], AREAS[(i + 4) % AREAS.length]];
    const lead = i % 5 === 0 ? ' lead yes' : '';
    // Leads are the larger organisations, as in the sector.
    const income = lead ? 1_200_000 + i * 25_000 : 20_000 + ((i * 7919) % 40) * 20_000;
    await say(admins[i] as string, `org register "${orgNames[i]}" income ${income} services ${[...new Set(services)].join(', ')} areas ${areas.join(', ')} home ${home}${lead}`);
  });
  // Members join in parallel per organisation: the seed is not what is being measured.
  const users = [...admins];
  await inParallel(orgNames, 8, async (name, i) => {
    for (let j = 1; j <= o.membersPerOrg; j++) {
      const member = o.userId(o.orgs * j + i);
      await say(member, `org join ${name}`);
      users.push(member);
    }
  });

  const tenders: string[] = [];
  await inParallel(Array.from({ length: o.tenders }, (_, k) => k), 4, async (k) => {
    const out = await say(o.coordinator, `tender add "Community ${SERVICES[k % SERVICES.length]} ${AREAS[k % AREAS.length]} ${k + 1}" value ${150 + k * 25}k years 3 deadline ${ahead(90 + k)} 12:00 buyer "Bristol City Council"`);
    const ref = /T-\d+/.exec(out)?.[0] as string;
    await say(o.coordinator, `tender need ${ref} ${SERVICES[k % SERVICES.length]} in ${AREAS[k % AREAS.length]}, ${AREAS[(k + 1) % AREAS.length]}`);
    await say(o.coordinator, `tender need ${ref} ${SERVICES[(k + 3) % SERVICES.length]} in ${AREAS[k % AREAS.length]}`);
    tenders.push(ref);
  });

  // The matched tender: two services in two areas, with every organisation that covers any
  // of it interested, so `match` weighs a realistic shortlist.
  const out = await say(o.coordinator, `tender add "Mental health and peer support in Easton and Southmead" value 400k years 3 deadline ${ahead(120)} 12:00 clarify ${ahead(100)} buyer "Bristol ICB"`);
  const matchTender = /T-\d+/.exec(out)?.[0] as string;
  await say(o.coordinator, `tender need ${matchTender} mental health in Easton, Southmead`);
  await say(o.coordinator, `tender need ${matchTender} peer support in Easton, Southmead`);
  const matchers: string[] = [];
  await inParallel(indexes, 8, async (i) => {
    const org = await store.scoped(o.workspaceId).orgs.findOne({ name: orgNames[i] as string });
    const relevant = org?.services.some((s) => ['mentalhealth', 'peersupport'].includes(plain(s))) && org.areas.some((a) => ['easton', 'southmead'].includes(plain(a)));
    if (!relevant) return;
    await say(admins[i] as string, `interest ${matchTender}${org?.canLead ? ' as lead' : ''}`);
    matchers.push(admins[i] as string);
  });
  if (matchers.length === 0) throw new Error('seeding: no organisation is interested in the matched tender');
  await say(o.coordinator, `match ${matchTender}`);
  const proposed = await say(o.coordinator, `propose ${matchTender} 1`);
  const consortium = /C-\d+/.exec(proposed)?.[0] as string;
  const data = store.scoped(o.workspaceId);
  const adminOf = new Map((await data.orgs.find({})).map((org) => [org.slug, admins[orgNames.indexOf(org.name)] ?? o.coordinator]));
  const c = await data.consortia.findOne({ ref: consortium });
  for (const m of c?.members ?? []) await say(adminOf.get(m.orgSlug) ?? o.coordinator, `accept ${consortium} for ${m.orgSlug}`);
  const steps = ['Go / no-go decision', 'Consortium agreement', 'Clarification questions', 'Method statements', 'Pricing', 'Social value', 'Final review'];
  for (const [n, m] of (c?.members ?? []).entries()) {
    for (let s = 0; s < 3; s++) {
      const step = steps[(n * 3 + s) % steps.length] as string;
      await say(o.coordinator, `task add ${consortium} "${step}" due ${ahead(20 + n * 3 + s)} 17:00 owner <@${adminOf.get(m.orgSlug) ?? o.coordinator}>`);
    }
  }
  return { workspaceId: o.workspaceId, platform: o.platform, coordinator: o.coordinator, admins, users, matchers, orgNames, tenders, matchTender, consortium };
}
