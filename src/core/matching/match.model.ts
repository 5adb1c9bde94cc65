/**
 * The instance compiled into flat arrays the search can read quickly: cell sets as bitsets
 * (32 cells a word), per-organisation score terms, lead ranks and partner lists. Also the
 * one place that scores a member set and orders two sets, so the search, the gap report and
 * the answer all agree on MATCHING.md's definitions.
 */
import {
  BUSY_CAP,
  DEFAULT_MATCH_WEIGHTS,
  DEFAULT_MAX_MEMBERS,
  DEFAULT_TOP,
  SMALL_INCOME_LIMIT,
} from './match.types.js';
import type { MatchBreakdown, MatchCell, MatchInstance, MatchWeights } from './match.types.js';

export interface MatchModel {
  /** Organisations in the pool, in instance order. */
  n: number;
  /** Cells, and 32-bit words per cell set. */
  cellCount: number;
  words: number;
  ids: string[];
  /** Cells each organisation covers / covers in its home area; `words` entries each. */
  cov: Uint32Array;
  loc: Uint32Array;
  covCount: Int32Array;
  /** The per-member part of the score: members + small + busy weights. */
  beta: Float64Array;
  small: Uint8Array;
  busy: Uint8Array;
  capacity: Float64Array;
  income: Float64Array;
  eligible: Uint8Array;
  /** Lead rank among eligible organisations (0 is the best lead); n for the others. */
  rank: Int32Array;
  /** Symmetric partner lists, sorted, self and unknown ids dropped. */
  partners: Int32Array[];
  /** For each cell, the organisations covering it. */
  coverers: Int32Array[];
  weights: MatchWeights;
  annualValue: number;
  maxMembers: number;
  top: number;
  /** All cells set: `words` entries. */
  allCells: Uint32Array;

  /** True when capacity sums are exact in floating point, whatever the order of addition. */
  exactCapacity: boolean;
}

export function compileModel(instance: MatchInstance): MatchModel {
  const { tender, orgs } = instance;
  const weights: MatchWeights = { ...DEFAULT_MATCH_WEIGHTS, ...definedOnly(instance.weights ?? {}) };
  const cells = tender.cells;
  const cellCount = cells.length;
  const words = Math.max(1, Math.ceil(cellCount / 32));
  const n = orgs.length;
  const leadMin = tender.leadMinIncome ?? tender.annualValue;
  const leadAccs = tender.leadAccreditations ?? [];

  const cov = new Uint32Array(n * words);
  const loc = new Uint32Array(n * words);
  const covCount = new Int32Array(n);
  const beta = new Float64Array(n);
  const small = new Uint8Array(n);
  const busy = new Uint8Array(n);
  const capacity = new Float64Array(n);
  const income = new Float64Array(n);
  const eligible = new Uint8Array(n);
  const ids: string[] = [];
  const indexById = new Map<string, number>();
  const covererLists: number[][] = cells.map(() => []);

  for (let i = 0; i < n; i++) {
    const o = orgs[i]!;
    ids.push(o.id);
    indexById.set(o.id, i);
    const services = new Set(o.services);
    const areas = new Set(o.areas);
    const accs = new Set(o.accreditations);
    for (let c = 0; c < cellCount; c++) {
      const cell = cells[c]!;
      if (!services.has(cell.service) || !areas.has(cell.area)) continue;
      if (cell.accreditation !== undefined && !accs.has(cell.accreditation)) continue;
      cov[i * words + (c >>> 5)]! |= 1 << (c & 31);
      covCount[i]!++;
      covererLists[c]!.push(i);
      if (o.home === cell.area) loc[i * words + (c >>> 5)]! |= 1 << (c & 31);
    }
    small[i] = o.income < SMALL_INCOME_LIMIT ? 1 : 0;
    busy[i] = Math.min(o.activeBids, BUSY_CAP);
    beta[i] = weights.members + weights.small * small[i]! + weights.busy * busy[i]!;
    capacity[i] = o.capacity;
    income[i] = o.income;
    eligible[i] = o.canLead && o.income >= leadMin && leadAccs.every((a) => accs.has(a)) ? 1 : 0;
  }

  const rank = new Int32Array(n).fill(n);
  const leads = [...Array(n).keys()].filter((i) => eligible[i] === 1);
  leads.sort((a, b) => compareLeads(income, ids, a, b));
  leads.forEach((org, r) => (rank[org] = r));

  const partnerSets: Set<number>[] = ids.map(() => new Set<number>());
  for (let i = 0; i < n; i++) {
    for (const pid of orgs[i]!.partners) {
      const j = indexById.get(pid);
      if (j === undefined || j === i) continue;
      partnerSets[i]!.add(j);
      partnerSets[j]!.add(i);
    }
  }
  const partners = partnerSets.map((s) => Int32Array.from([...s].sort((a, b) => a - b)));

  const allCells = new Uint32Array(words);
  for (let c = 0; c < cellCount; c++) allCells[c >>> 5]! |= 1 << (c & 31);

  let total = 0;
  let integral = true;
  for (let i = 0; i < n; i++) {
    total += capacity[i]!;
    if (!Number.isInteger(capacity[i]!)) integral = false;
  }

  return {
    n,
    cellCount,
    words,
    ids,
    cov,
    loc,
    covCount,
    beta,
    small,
    busy,
    capacity,
    income,
    eligible,
    rank,
    partners,
    coverers: covererLists.map((l) => Int32Array.from(l)),
    weights,
    annualValue: tender.annualValue,
    maxMembers: tender.maxMembers ?? DEFAULT_MAX_MEMBERS,
    top: instance.top ?? DEFAULT_TOP,
    allCells,
    exactCapacity: integral && total <= Number.MAX_SAFE_INTEGER,
  };
}

function definedOnly(w: Partial<MatchWeights>): Partial<MatchWeights> {
  return Object.fromEntries(Object.entries(w).filter(([, v]) => v !== undefined));
}

/** Lead order: higher income first, then the smaller id. */
export function compareLeads(income: Float64Array, ids: string[], a: number, b: number): number {
  if (income[a] !== income[b]) return income[b]! - income[a]!;
  return compareIds(ids[a]!, ids[b]!);
}

/** Ids compare by UTF-16 code units, as JavaScript's default sort does. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A member set with everything the order and the answer need. */
export interface Evaluated {
  /** Member indices sorted by id. */
  members: number[];
  score: number;
  breakdown: MatchBreakdown;
  capacity: number;
  /** Best eligible member, or -1. */
  lead: number;
  coveredCells: number;
  /** Every cell covered, a lead, capacity ≥ V, nobody but the lead covering nothing. */
  feasible: boolean;
  /** Nobody but the lead (if any) covers nothing: the rule partial consortia keep too. */
  noPassengers: boolean;
}

export function evaluateSet(model: MatchModel, set: readonly number[]): Evaluated {
  const { words, cov, loc, ids, weights } = model;
  const members = [...set].sort((a, b) => compareIds(ids[a]!, ids[b]!));
  const once = new Uint32Array(words);
  const twice = new Uint32Array(words);
  const local = new Uint32Array(words);
  let small = 0;
  let busy = 0;
  let ties = 0;
  let capacity = 0;
  let lead = -1;
  for (const m of members) {
    for (let w = 0; w < words; w++) {
      const c = cov[m * words + w]!;
      twice[w]! |= once[w]! & c;
      once[w]! |= c;
      local[w]! |= loc[m * words + w]!;
    }
    small += model.small[m]!;
    busy += model.busy[m]!;
    capacity += model.capacity[m]!;
    if (model.eligible[m] === 1 && (lead < 0 || model.rank[m]! < model.rank[lead]!)) lead = m;
  }
  for (let a = 0; a < members.length; a++) {
    for (let b = a + 1; b < members.length; b++) {
      if (isPartner(model, members[a]!, members[b]!)) ties++;
    }
  }
  let coveredCells = 0;
  let redundant = 0;
  let localCells = 0;
  for (let w = 0; w < words; w++) {
    coveredCells += popcount(once[w]!);
    redundant += popcount(twice[w]!);
    localCells += popcount(local[w]!);
  }
  const breakdown: MatchBreakdown = {
    local: localCells,
    redundant,
    small,
    ties,
    members: members.length,
    busy,
  };
  const noPassengers = members.every((m) => m === lead || model.covCount[m]! > 0);
  const feasible =
    members.length >= 1 &&
    members.length <= model.maxMembers &&
    lead >= 0 &&
    noPassengers &&
    coveredCells === model.cellCount &&
    capacity >= model.annualValue;
  return { members, score: scoreOf(weights, breakdown), breakdown, capacity, lead, coveredCells, feasible, noPassengers };
}

export function scoreOf(w: MatchWeights, b: MatchBreakdown): number {
  return (
    w.local * b.local +
    w.redundant * b.redundant +
    w.small * b.small +
    w.ties * b.ties +
    w.members * b.members +
    w.busy * b.busy
  );
}

export function isPartner(model: MatchModel, a: number, b: number): boolean {
  const list = model.partners[a]!;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = list[mid]!;
    if (v === b) return true;
    if (v < b) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * MATCHING.md's order: higher score, fewer members, larger total capacity, then the sorted
 * id lists compared lexicographically. Negative when `a` comes first.
 */
export function compareEvaluated(model: MatchModel, a: Evaluated, b: Evaluated): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.members.length !== b.members.length) return a.members.length - b.members.length;
  if (a.capacity !== b.capacity) return b.capacity - a.capacity;
  return compareIdLists(model, a.members, b.members);
}

export function compareIdLists(model: MatchModel, a: readonly number[], b: readonly number[]): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const c = compareIds(model.ids[a[i]!]!, model.ids[b[i]!]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Stable names for cells in the coverage map: `service@area`, with the accreditation
 * (`service@area+CQC`) only where two cells share a service and area, and a `#n` suffix only
 * for exact repeats.
 */
export function cellKeys(cells: readonly MatchCell[]): string[] {
  const base = cells.map((c) => `${c.service}@${c.area}`);
  const baseCount = countOf(base);
  const withAcc = cells.map((c, i) =>
    baseCount.get(base[i]!)! > 1 && c.accreditation !== undefined ? `${base[i]!}+${c.accreditation}` : base[i]!,
  );
  const accCount = countOf(withAcc);
  const seen = new Map<string, number>();
  return withAcc.map((k) => {
    if (accCount.get(k)! === 1) return k;
    const nth = (seen.get(k) ?? 0) + 1;
    seen.set(k, nth);
    return `${k}#${nth}`;
  });
}

function countOf(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}
