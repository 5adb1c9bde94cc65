/**
 * The demo workspace: a realistic local sector in Bristol (fictional organisations in real
 * neighbourhoods), three tenders modelled on real commissioning, and a coordinator.
 */
import type { Cell, Organisation } from '../core/domain.js';
import type { Store } from '../core/ports.js';
import { WorkingCalendar } from '../core/time/working-days.js';

export const DEMO_WORKSPACE = 'demo';
export const DEMO_COORDINATOR = 'coordinator';

const AREAS = ['Lawrence Hill', 'Easton', 'St Pauls', 'Southmead', 'Hartcliffe', 'Knowle West', 'Bedminster', 'Lockleaze', 'Henbury', 'Stockwood'];

const near: Record<string, string[]> = {
  'Lawrence Hill': ['Easton', 'St Pauls'],
  Easton: ['Lawrence Hill', 'St Pauls'],
  'St Pauls': ['Lawrence Hill', 'Easton'],
  Southmead: ['Henbury', 'Lockleaze'],
  Henbury: ['Southmead'],
  Lockleaze: ['Southmead', 'Easton'],
  Hartcliffe: ['Knowle West', 'Stockwood'],
  'Knowle West': ['Hartcliffe', 'Bedminster'],
  Bedminster: ['Knowle West'],
  Stockwood: ['Hartcliffe'],
};

type Seed = [name: string, home: string, income: number, services: string[], extra?: { lead?: boolean; acc?: string[]; everywhere?: boolean; admin?: string }];

const ORGS: Seed[] = [
  ['Bristol Community Mind', 'St Pauls', 4_200_000, ['mental-health', 'counselling', 'peer-support'], { lead: true, acc: ['CQC', 'Cyber Essentials'], everywhere: true, admin: 'priya' }],
  ['Avon Recovery Partnership', 'Lawrence Hill', 6_800_000, ['drug-and-alcohol', 'housing-support'], { lead: true, acc: ['CQC', 'Cyber Essentials'], everywhere: true }],
  ['National Youth Futures', 'Bedminster', 14_500_000, ['youth-work', 'employment-support', 'family-support'], { lead: true, acc: ['Cyber Essentials'], everywhere: true }],
  ['Westcountry Housing Trust', 'Southmead', 9_100_000, ['housing-support', 'advocacy'], { lead: true, acc: ['Cyber Essentials'], everywhere: true }],
  ['Easton Wellbeing Collective', 'Easton', 310_000, ['mental-health', 'peer-support'], { lead: true, admin: 'amara' }],
  ['Lawrence Hill Listening Service', 'Lawrence Hill', 64_000, ['counselling', 'mental-health']],
  ['St Pauls Sisters Network', 'St Pauls', 28_000, ['peer-support', 'domestic-abuse']],
  ['Southmead Mental Health Drop-in', 'Southmead', 142_000, ['mental-health', 'befriending'], { acc: ['CQC'] }],
  ['Hartcliffe Heartbeat', 'Hartcliffe', 95_000, ['mental-health', 'befriending', 'food-support']],
  ['Knowle West Talking Space', 'Knowle West', 210_000, ['counselling', 'mental-health'], { admin: 'dev' }],
  ['Bedminster Befrienders', 'Bedminster', 18_000, ['befriending']],
  ['Lockleaze Neighbours', 'Lockleaze', 7_500, ['befriending', 'food-support']],
  ['Henbury Hub', 'Henbury', 120_000, ['youth-work', 'family-support']],
  ['Stockwood Community Association', 'Stockwood', 56_000, ['youth-work', 'befriending']],
  ['Easton Youth Collective', 'Easton', 180_000, ['youth-work'], { admin: 'sam' }],
  ['St Pauls Adventure Playground', 'St Pauls', 420_000, ['youth-work', 'family-support'], { lead: true }],
  ['Southmead Young Voices', 'Southmead', 36_000, ['youth-work', 'advocacy']],
  ['Hartcliffe Youth Project', 'Hartcliffe', 240_000, ['youth-work', 'employment-support']],
  ['Knowle West Young Leaders', 'Knowle West', 72_000, ['youth-work']],
  ['Bedminster Boxing and Youth Club', 'Bedminster', 48_000, ['youth-work']],
  ['Lockleaze Youth Forum', 'Lockleaze', 9_000, ['youth-work']],
  ['Lawrence Hill Recovery Cafe', 'Lawrence Hill', 88_000, ['drug-and-alcohol', 'peer-support'], { admin: 'jo' }],
  ['Southmead Recovery Community', 'Southmead', 115_000, ['drug-and-alcohol', 'peer-support']],
  ['Hartcliffe Hope Recovery', 'Hartcliffe', 61_000, ['drug-and-alcohol']],
  ['Easton Families in Recovery', 'Easton', 33_000, ['drug-and-alcohol', 'family-support']],
  ['Knowle West Women\'s Recovery', 'Knowle West', 25_000, ['drug-and-alcohol', 'domestic-abuse']],
  ['Bristol Harm Reduction Network', 'St Pauls', 680_000, ['drug-and-alcohol', 'housing-support'], { lead: true, acc: ['CQC'] }],
  ['Bedminster Housing Advice', 'Bedminster', 150_000, ['housing-support', 'advocacy']],
  ['Lockleaze Advice Centre', 'Lockleaze', 98_000, ['advocacy', 'employment-support']],
  ['Henbury Families Together', 'Henbury', 44_000, ['family-support', 'befriending']],
  ['Stockwood Food Share', 'Stockwood', 12_000, ['food-support']],
  ['Easton Community Kitchen', 'Easton', 77_000, ['food-support', 'befriending']],
  ['St Pauls Somali Women\'s Group', 'St Pauls', 41_000, ['peer-support', 'family-support', 'advocacy']],
  ['Lawrence Hill Employment Project', 'Lawrence Hill', 260_000, ['employment-support', 'youth-work']],
  ['Southmead Development Trust', 'Southmead', 1_400_000, ['employment-support', 'youth-work', 'family-support'], { lead: true, acc: ['Cyber Essentials'] }],
  ['Hartcliffe and Withywood Community Partnership', 'Hartcliffe', 890_000, ['family-support', 'youth-work', 'food-support'], { lead: true }],
  ['Knowle West Health Association', 'Knowle West', 520_000, ['mental-health', 'peer-support'], { lead: true, acc: ['CQC'] }],
  ['Bedminster Counselling Service', 'Bedminster', 130_000, ['counselling', 'mental-health']],
  ['Henbury Men\'s Shed', 'Henbury', 6_000, ['befriending', 'peer-support']],
  ['Stockwood Wellbeing Walks', 'Stockwood', 4_500, ['befriending', 'mental-health']],
  ['Lockleaze Mental Health Peer Group', 'Lockleaze', 16_000, ['mental-health', 'peer-support']],
  ['Easton Domestic Abuse Support', 'Easton', 340_000, ['domestic-abuse', 'advocacy', 'counselling']],
  ['Henbury Youth Sport', 'Henbury', 23_000, ['youth-work']],
  ['Stockwood Recovery Circle', 'Stockwood', 14_000, ['drug-and-alcohol', 'peer-support']],
];

function slug(name: string): string {
  return name.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9 ]/g, '').trim().replace(/ +/g, '-').slice(0, 60);
}

/** Seeds the demo workspace once; returns false when it already exists. */
export async function seedDemo(store: Store, now: Date): Promise<boolean> {
  const existing = await store.workspaces.get(DEMO_WORKSPACE);
  if (existing) return false;
  const ws = await store.workspaces.ensure(DEMO_WORKSPACE, 'console', 'Bristol VCSE demo', DEMO_COORDINATOR);
  const data = store.scoped(ws.id);
  const orgs: Organisation[] = ORGS.map(([name, home, income, services, extra = {}]) => ({
    workspaceId: ws.id,
    slug: slug(name),
    name,
    services,
    areas: extra.everywhere ? [...AREAS] : [home, ...(near[home] ?? [])],
    home,
    income,
    capacity: Math.round(income * (income > 1_000_000 ? 0.3 : 0.6)),
    canLead: extra.lead ?? false,
    accreditations: extra.acc ?? [],
    partners: [],
    unavailable: false,
    createdBy: DEMO_COORDINATOR,
  }));
  // Partners: organisations that share a home area have often delivered together.
  for (const o of orgs) {
    o.partners = orgs.filter((p) => p !== o && p.home === o.home && p.income < 2_000_000).slice(0, 2).map((p) => p.slug);
  }
  for (const o of orgs) {
    const { workspaceId: _ws, ...doc } = o;
    const r = await data.orgs.insert(doc);
    if (!r.ok) throw new Error(`demo seed: ${o.name}: ${r.message}`);
  }
  for (const [name, , , , extra] of ORGS) {
    if (extra?.admin) await data.members.insert({ userId: extra.admin, orgSlug: slug(name), role: 'admin', displayName: extra.admin });
  }
  // Every other organisation gets an admin user named after it, so invitations have someone to reach.
  for (const [name, , , , extra] of ORGS) {
    if (!extra?.admin) await data.members.insert({ userId: `admin-${slug(name)}`.slice(0, 60), orgSlug: slug(name), role: 'admin' });
  }

  const cal = new WorkingCalendar({ timezone: ws.settings.timezone, region: ws.settings.holidays, hoursStart: ws.settings.hoursStart, hoursEnd: ws.settings.hoursEnd });
  const noon = (d: Date) => new Date(Math.floor(d.getTime() / 86_400_000) * 86_400_000 + 12 * 3_600_000);
  const tenders: { title: string; buyer: string; value: number; years: number; days: number; cells: Cell[]; leadAcc?: string[] }[] = [
    {
      title: 'Community mental health support across Bristol localities',
      buyer: 'Bristol, North Somerset and South Gloucestershire ICB',
      value: 1_200_000, years: 3, days: 40,
      cells: ['Lawrence Hill', 'Easton', 'Southmead', 'Knowle West', 'Hartcliffe'].flatMap((area) => [
        { service: 'mental-health', area },
        { service: 'peer-support', area },
      ]),
    },
    {
      title: 'Youth services: open access youth work in north and south Bristol',
      buyer: 'Bristol City Council',
      value: 650_000, years: 4, days: 55,
      cells: ['Southmead', 'Henbury', 'Lockleaze', 'Hartcliffe', 'Knowle West', 'Stockwood'].map((area) => ({ service: 'youth-work', area })),
    },
    {
      title: 'Drug and alcohol recovery community support',
      buyer: 'Bristol City Council Public Health',
      value: 900_000, years: 3, days: 30,
      cells: ['Lawrence Hill', 'Easton', 'St Pauls', 'Southmead', 'Hartcliffe', 'Knowle West'].map((area) => ({ service: 'drug-and-alcohol', area })),
    },
  ];
  for (const t of tenders) {
    const ref = await data.nextRef('T');
    const submission = cal.addWorkingDays(noon(now), Math.round(t.days * 5 / 7));
    const clarification = cal.addWorkingDays(submission, -10);
    await data.tenders.insert({
      ref, title: t.title, buyer: t.buyer, annualValue: t.value, years: t.years, currency: 'GBP', leadAccreditations: t.leadAcc ?? [],
      maxMembers: 6, cells: t.cells, lots: [], status: 'open', cpv: ['85000000'], regions: ['Bristol'],
      dates: { published: now, clarification, submission, contractStart: cal.addWorkingDays(submission, 60) }, createdBy: DEMO_COORDINATOR,
    });
  }
  for (const [tender, org, as] of [
    ['T-1', 'easton-wellbeing-collective', 'lead'], ['T-1', 'knowle-west-health-association', 'either'], ['T-1', 'lawrence-hill-listening-service', 'partner'],
    ['T-1', slug('Southmead Mental Health Drop-in'), 'partner'], ['T-1', 'hartcliffe-heartbeat', 'partner'], ['T-1', 'st-pauls-sisters-network', 'partner'],
    ['T-1', 'lockleaze-mental-health-peer-group', 'partner'], ['T-3', 'lawrence-hill-recovery-cafe', 'partner'], ['T-3', 'bristol-harm-reduction-network', 'lead'],
  ] as [string, string, 'lead' | 'partner' | 'either'][]) {
    await data.interests.insert({ tenderRef: tender, orgSlug: org, as, by: DEMO_COORDINATOR, withdrawn: false });
  }
  await data.audit.insert({ at: now, actor: DEMO_COORDINATOR, action: 'demo.seed', subject: ws.id });
  return true;
}
