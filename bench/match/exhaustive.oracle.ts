/**
 * Exhaustive oracle: enumerates every member set of up to M organisations and applies
 * MATCHING.md literally, with its own code (nothing shared with the engine but the types),
 * so that agreement means something. Only for small pools: C(n, ≤M) sets.
 */
import type {
  MatchAnswer,
  MatchBreakdown,
  MatchCell,
  MatchGapReason,
  MatchInstance,
  MatchOrg,
  MatchProposal,
  MatchWeights,
} from '../../src/core/matching/match.types.js';

const DEFAULTS: MatchWeights = { local: 10, redundant: 2, small: 5, ties: 3, members: -8, busy: -2 };

/** A member set as MATCHING.md sees it. */
export interface Scored {
  members: MatchOrg[];
  ids: string[];
  lead: MatchOrg | null;
  score: number;
  breakdown: MatchBreakdown;
  capacity: number;
  covered: boolean[];
  feasible: boolean;
  noPassengers: boolean;
}

export interface OracleStats {
  sets: number;
}

/**
 * MATCHING.md applied literally to one instance: who covers what, who can lead, and the
 * score, capacity and feasibility of any set of organisations (by index into `pool`, which
 * is the instance's organisations sorted by id). Shared by the oracles and the baseline.
 */
export function literalModel(instance: MatchInstance) {
  const { tender, orgs } = instance;
  const weights: MatchWeights = { ...DEFAULTS };
  for (const [k, v] of Object.entries(instance.weights ?? {})) if (v !== undefined) weights[k as keyof MatchWeights] = v;
  const M = tender.maxMembers ?? 6;
  const V = tender.annualValue;
  const L = tender.leadMinIncome ?? V;
  const leadAccs = tender.leadAccreditations ?? [];
  const cells = tender.cells;

  const covers = (o: MatchOrg, c: MatchCell): boolean =>
    o.services.includes(c.service) &&
    o.areas.includes(c.area) &&
    (c.accreditation === undefined || o.accreditations.includes(c.accreditation));
  const isLead = (o: MatchOrg): boolean => o.canLead && o.income >= L && leadAccs.every((a) => o.accreditations.includes(a));
  const leadOrder = (a: MatchOrg, b: MatchOrg): number => b.income - a.income || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const partnered = (a: MatchOrg, b: MatchOrg): boolean => a.partners.includes(b.id) || b.partners.includes(a.id);

  // Precomputed per organisation so that enumerating ~10^5 sets stays quick; sets are built
  // from the pool sorted by id, so every set comes out sorted.
  const pool = [...orgs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const coverRows = pool.map((o) => cells.map((c) => covers(o, c)));
  const leadFlags = pool.map(isLead);
  const score = (set: number[]): Scored => {
    const members = set.map((i) => pool[i]!);
    let lead: MatchOrg | null = null;
    for (const i of set) if (leadFlags[i] && (lead === null || leadOrder(pool[i]!, lead) < 0)) lead = pool[i]!;
    const covered: boolean[] = [];
    let local = 0;
    let redundant = 0;
    cells.forEach((cell, c) => {
      let coverers = 0;
      let isLocal = false;
      for (const i of set) {
        if (!coverRows[i]![c]) continue;
        coverers++;
        if (pool[i]!.home === cell.area) isLocal = true;
      }
      covered.push(coverers > 0);
      if (isLocal) local++;
      if (coverers >= 2) redundant++;
    });
    let small = 0;
    let busy = 0;
    let capacity = 0;
    let ties = 0;
    for (let a = 0; a < members.length; a++) {
      const o = members[a]!;
      if (o.income < 1_000_000) small++;
      busy += Math.min(o.activeBids, 3);
      capacity += o.capacity;
      for (let b = a + 1; b < members.length; b++) if (partnered(o, members[b]!)) ties++;
    }
    const breakdown = { local, redundant, small, ties, members: members.length, busy };
    const value =
      weights.local * local +
      weights.redundant * redundant +
      weights.small * small +
      weights.ties * ties +
      weights.members * members.length +
      weights.busy * busy;
    const noPassengers = set.every((i) => pool[i] === lead || coverRows[i]!.some(Boolean));
    const feasible = lead !== null && noPassengers && covered.every(Boolean) && capacity >= V;
    return { members, ids: members.map((o) => o.id), lead, score: value, breakdown, capacity, covered, feasible, noPassengers };
  };

  const indexOf = new Map(pool.map((o, i) => [o.id, i]));
  const scoreIds = (ids: readonly string[]): Scored =>
    score([...ids].map((id) => indexOf.get(id)!).sort((x, y) => x - y));
  return { weights, M, V, cells, pool, covers, isLead, leadOrder, coverRows, leadFlags, score, scoreIds };
}

export function exhaustiveMatch(instance: MatchInstance, stats?: OracleStats): MatchAnswer {
  const { M, V, cells, pool, covers, isLead, leadOrder, score } = literalModel(instance);
  const { orgs } = instance;
  const top = instance.top ?? 5;
  if (orgs.length > 40) throw new Error('exhaustive oracle: pool too large');

  const order = (a: Scored, b: Scored): number => {
    if (a.score !== b.score) return b.score - a.score;
    if (a.members.length !== b.members.length) return a.members.length - b.members.length;
    if (a.capacity !== b.capacity) return b.capacity - a.capacity;
    for (let i = 0; i < a.ids.length; i++) if (a.ids[i] !== b.ids[i]) return a.ids[i]! < b.ids[i]! ? -1 : 1;
    return 0;
  };

  const all: Scored[] = [];
  const pick: number[] = [];
  const walk = (from: number): void => {
    if (pick.length > 0) all.push(score(pick));
    if (pick.length === M) return;
    for (let i = from; i < pool.length; i++) {
      pick.push(i);
      walk(i + 1);
      pick.pop();
    }
  };
  walk(0);
  if (stats) stats.sets = all.length;

  const feasible = all.filter((s) => s.feasible).sort(order);
  const keys = keysFor(cells);
  if (feasible.length > 0) {
    const proposals = feasible.slice(0, top).map((s): MatchProposal => {
      const coverage: Record<string, string[]> = {};
      cells.forEach((c, i) => (coverage[keys[i]!] = s.members.filter((o) => covers(o, c)).map((o) => o.id)));
      const alternatives = s.members.filter((o) => isLead(o) && o !== s.lead).sort(leadOrder).map((o) => o.id);
      const p: MatchProposal = { members: s.ids, lead: s.lead!.id, score: s.score, breakdown: s.breakdown, coverage };
      if (alternatives.length > 0) p.alternatives = alternatives;
      return p;
    });
    return { feasible: true, proposals, gaps: null };
  }

  // Partial consortia: the lead (if any) is the best eligible member; nobody else is idle.
  const partials = all
    .filter((s) => s.noPassengers)
    .sort((a, b) => count(b.covered) - count(a.covered) || order(a, b));
  const best = partials[0];
  const uncoverableCells = cells.filter((c) => !orgs.some((o) => covers(o, c)));
  const eligibleLeads = orgs.filter(isLead).length;
  const poolCapacity = orgs.reduce((s, o) => s + o.capacity, 0);
  const usable = orgs
    .filter((o) => isLead(o) || cells.some((c) => covers(o, c)))
    .map((o) => o.capacity)
    .sort((a, b) => b - a);
  const capacityWithinMaxMembers = usable.slice(0, M).reduce((s, v) => s + v, 0);
  const reasons: MatchGapReason[] = [];
  if (uncoverableCells.length > 0) reasons.push('uncoverable-cells');
  if (eligibleLeads === 0) reasons.push('no-eligible-lead');
  if (poolCapacity < V) reasons.push('pool-capacity-short');
  else if (capacityWithinMaxMembers < V) reasons.push('capacity-within-max-members-short');
  if (reasons.length === 0) reasons.push('no-combination');
  return {
    feasible: false,
    proposals: [],
    gaps: {
      reasons,
      uncoverableCells,
      hasEligibleLead: eligibleLeads > 0,
      eligibleLeads,
      poolCapacity,
      capacityWithinMaxMembers,
      annualValue: V,
      maxMembers: M,
      bestPartial:
        best === undefined
          ? null
          : {
              members: best.ids,
              lead: best.lead?.id ?? null,
              covered: count(best.covered),
              uncovered: cells.filter((_, i) => !best.covered[i]),
              score: best.score,
            },
    },
  };
}

function count(flags: boolean[]): number {
  return flags.filter(Boolean).length;
}

/** Coverage keys as MATCHING.md's answer shows them, disambiguated as the engine documents. */
function keysFor(cells: readonly MatchCell[]): string[] {
  const base = cells.map((c) => `${c.service}@${c.area}`);
  const withAcc = cells.map((c, i) =>
    base.filter((b) => b === base[i]).length > 1 && c.accreditation !== undefined ? `${base[i]}+${c.accreditation}` : base[i]!,
  );
  return withAcc.map((k, i) => {
    const same = withAcc.filter((x) => x === k).length;
    if (same === 1) return k;
    return `${k}#${withAcc.slice(0, i + 1).filter((x) => x === k).length}`;
  });
}
