/**
 * Seeded instances that resemble a local voluntary sector (MATCHING.md, Benchmark): areas on
 * a grid of neighbouring wards, incomes log-uniform from £5k to £20m so most organisations
 * are small, 1-4 services each, delivery in the home ward and a few neighbours, CQC held only
 * by care and health providers, capacity a fraction of income, a few partner links mostly
 * among neighbours, and one planted feasible consortium per instance.
 */
import type { MatchCell, MatchInstance, MatchOrg } from '../../src/core/matching/match.types.js';

export type Scale = 'small' | 'medium' | 'large';

export interface ScaleSpec {
  orgs: number;
  /** Wards on a grid side; the tender takes `tenderAreas` neighbouring wards. */
  grid: number;
  tenderAreas: number;
  tenderServices: number;
  maxMembers: number;
  /** Range of the annual value V. */
  value: [number, number];
}

export const SCALES: Record<Scale, ScaleSpec> = {
  small: { orgs: 30, grid: 3, tenderAreas: 3, tenderServices: 4, maxMembers: 4, value: [150_000, 600_000] },
  medium: { orgs: 2000, grid: 5, tenderAreas: 5, tenderServices: 8, maxMembers: 6, value: [800_000, 3_000_000] },
  large: { orgs: 10000, grid: 6, tenderAreas: 6, tenderServices: 10, maxMembers: 8, value: [2_000_000, 6_000_000] },
};

const SERVICES: Array<{ name: string; care: boolean }> = [
  { name: 'mental-health', care: true },
  { name: 'domiciliary-care', care: true },
  { name: 'substance-misuse', care: true },
  { name: 'carers-support', care: true },
  { name: 'befriending', care: false },
  { name: 'advice', care: false },
  { name: 'employment-support', care: false },
  { name: 'youth-work', care: false },
  { name: 'food-support', care: false },
  { name: 'housing-support', care: false },
  { name: 'digital-inclusion', care: false },
  { name: 'family-support', care: false },
  { name: 'physical-activity', care: false },
  { name: 'arts-wellbeing', care: false },
];

/** Small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateInstance(scale: Scale | ScaleSpec, seed: number, top = 5): MatchInstance {
  const spec = typeof scale === 'string' ? SCALES[scale] : scale;
  const rand = rng(seed * 7919 + 17);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chance = (p: number): boolean => rand() < p;
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };

  const g = spec.grid;
  const ward = (r: number, c: number): string => `ward-${r}${c}`;
  const wards: string[] = [];
  const neighbours = new Map<string, string[]>();
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      wards.push(ward(r, c));
      const ns: string[] = [];
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if ((dr !== 0 || dc !== 0) && rr >= 0 && cc >= 0 && rr < g && cc < g) ns.push(ward(rr, cc));
        }
      }
      neighbours.set(ward(r, c), ns);
    }
  }

  // Tender: a block of neighbouring wards times a set of services.
  const tenderWards = [pick(wards)];
  while (tenderWards.length < spec.tenderAreas) {
    const frontier = tenderWards.flatMap((w) => neighbours.get(w)!).filter((w) => !tenderWards.includes(w));
    tenderWards.push(pick(frontier));
  }
  const tenderServices = shuffle([...SERVICES]).slice(0, spec.tenderServices);
  const serviceAcc = new Map<string, string | undefined>();
  for (const s of tenderServices) {
    serviceAcc.set(s.name, s.care && chance(0.6) ? 'CQC' : s.name === 'advice' && chance(0.5) ? 'AQS' : undefined);
  }
  const cells: MatchCell[] = [];
  for (const area of tenderWards) {
    for (const s of tenderServices) {
      const acc = serviceAcc.get(s.name);
      cells.push(acc === undefined ? { service: s.name, area } : { service: s.name, area, accreditation: acc });
    }
  }
  const V = Math.round((spec.value[0] + rand() * (spec.value[1] - spec.value[0])) / 1000) * 1000;
  const leadMinIncome = chance(0.6) ? undefined : Math.round((V * (0.5 + rand() * 0.5)) / 1000) * 1000;
  const leadAccreditations = chance(0.3) ? ['Cyber Essentials'] : [];
  const L = leadMinIncome ?? V;

  // Organisations.
  const orgs: MatchOrg[] = [];
  const homeOf: string[] = [];
  for (let i = 0; i < spec.orgs; i++) {
    const home = pick(wards);
    const areas = [home, ...shuffle([...neighbours.get(home)!]).filter(() => chance(0.4)).slice(0, 5)];
    const nServices = pick([1, 1, 1, 1, 2, 2, 2, 3, 3, 4]);
    const services = shuffle([...SERVICES]).slice(0, nServices);
    const income = Math.round(Math.exp(Math.log(5_000) + rand() * Math.log(20_000_000 / 5_000)) / 100) * 100;
    const big = income >= 1_000_000;
    const canLead = chance(big ? 0.75 : income >= 250_000 ? 0.35 : 0.05);
    const accreditations: string[] = [];
    if (services.some((s) => s.care) && chance(0.5)) accreditations.push('CQC');
    if (services.some((s) => s.name === 'advice') && chance(0.4)) accreditations.push('AQS');
    if (chance(0.1 + (big ? 0.5 : 0))) accreditations.push('Cyber Essentials');
    if (chance(0.05 + (income >= 5_000_000 ? 0.3 : 0))) accreditations.push('ISO 9001');
    if (chance(0.15)) accreditations.push('Investing in Volunteers');
    const capacity = Math.round((income * (0.05 + rand() * 0.45)) / 1000) * 1000;
    const activeBids = chance(0.55) ? 0 : Math.min(5, int(1, big ? 5 : 3));
    orgs.push({
      id: `org-${String(i).padStart(5, '0')}`,
      services: services.map((s) => s.name),
      areas,
      home,
      income,
      canLead,
      accreditations,
      capacity,
      activeBids,
      partners: [],
    });
    homeOf.push(home);
  }

  // Partner links, mostly among neighbours; often listed on one side only.
  const byWard = new Map<string, number[]>();
  homeOf.forEach((w, i) => byWard.set(w, [...(byWard.get(w) ?? []), i]));
  for (let i = 0; i < orgs.length; i++) {
    if (!chance(0.35)) continue;
    const links = int(1, 3);
    for (let l = 0; l < links; l++) {
      let j: number;
      if (chance(0.8)) {
        const near = pick([homeOf[i]!, ...neighbours.get(homeOf[i]!)!]);
        const there = byWard.get(near) ?? [];
        if (there.length === 0) continue;
        j = pick(there);
      } else {
        j = int(0, orgs.length - 1);
      }
      if (j === i || orgs[i]!.partners.includes(orgs[j]!.id)) continue;
      orgs[i]!.partners.push(orgs[j]!.id);
      if (chance(0.5)) orgs[j]!.partners.push(orgs[i]!.id);
    }
  }

  plant(orgs, cells, spec.maxMembers, V, L, leadAccreditations, rand);
  const tender = {
    id: `T-${seed}`,
    annualValue: V,
    ...(leadMinIncome === undefined ? {} : { leadMinIncome }),
    leadAccreditations,
    maxMembers: spec.maxMembers,
    cells,
  };
  return { tender, orgs, top };
}

/** Makes a random group of up to M organisations a feasible consortium. */
function plant(
  orgs: MatchOrg[],
  cells: MatchCell[],
  M: number,
  V: number,
  L: number,
  leadAccs: string[],
  rand: () => number,
): void {
  const size = Math.min(orgs.length, 2 + Math.floor(rand() * (M - 1)));
  const chosen = new Set<number>();
  while (chosen.size < size) chosen.add(Math.floor(rand() * orgs.length));
  const group = [...chosen].map((i) => orgs[i]!);
  const lead = group[0]!;
  lead.canLead = true;
  lead.income = Math.max(lead.income, Math.round(L * (1 + rand())));
  for (const a of leadAccs) if (!lead.accreditations.includes(a)) lead.accreditations.push(a);
  const assigned: MatchCell[][] = group.map(() => []);
  cells.forEach((c, i) => assigned[i < group.length ? i : Math.floor(rand() * group.length)]!.push(c));
  group.forEach((o, g) => {
    for (const c of assigned[g]!) {
      if (!o.services.includes(c.service)) o.services.push(c.service);
      if (!o.areas.includes(c.area)) o.areas.push(c.area);
      if (c.accreditation !== undefined && !o.accreditations.includes(c.accreditation)) o.accreditations.push(c.accreditation);
    }
  });
  const others = group.slice(1).reduce((s, o) => s + o.capacity, 0);
  if (others + lead.capacity < V) {
    lead.capacity = Math.ceil((V - others) / 1000) * 1000;
    lead.income = Math.max(lead.income, lead.capacity * 2);
  }
}
