/**
 * The consortium matching engine: exact top-k proposals for a tender under MATCHING.md,
 * or, when no consortium is feasible, the gaps a coordinator can act on. Pure: no I/O.
 */
import { cellKeys, compileModel, evaluateSet } from './match.model.js';
import type { Evaluated, MatchModel } from './match.model.js';
import { allRoles, prunedRoles } from './match.dominance.js';
import type { Roles } from './match.dominance.js';
import { searchTopK } from './match.search.js';
import { searchBestPartial } from './match.partial.js';
import type { MatchAnswer, MatchCell, MatchGapReason, MatchGaps, MatchInstance, MatchProposal } from './match.types.js';

export { validateInstance } from './match.validate.js';
export type { ValidationResult } from './match.validate.js';

export interface SolveOptions {
  /**
   * Stop the search after this many nodes and answer with the best found so far. Unset, the
   * answer is exact; `solveMatchDetailed` reports whether a limit cut it short.
   */
  maxNodes?: number;
  /**
   * Leave out k-dominated roles before searching (exact either way; off is for tests).
   * @defaultValue true
   */
  dominance?: boolean;
}

export interface SolveStats {
  /** False when `maxNodes` stopped a search before it proved its answer. */
  provenOptimal: boolean;
  nodes: number;
  /** Organisations left in some role after dominance, of all in the pool. */
  candidates: number;
}

export function solveMatch(instance: MatchInstance, opts: SolveOptions = {}): MatchAnswer {
  return solveMatchDetailed(instance, opts).answer;
}

export function solveMatchDetailed(
  instance: MatchInstance,
  opts: SolveOptions = {},
): { answer: MatchAnswer; stats: SolveStats } {
  const model = compileModel(instance);
  const k = model.top;
  const M = model.maxMembers;
  const roles = opts.dominance === false ? allRoles(model) : prunedRoles(model, k + M - 1);
  let candidates = 0;
  for (let o = 0; o < model.n; o++) if (roles.asMember[o] === 1 || roles.asLead[o] === 1) candidates++;

  const facts = poolFacts(model, instance.tender.cells);
  const hopeless = facts.uncoverableCells.length > 0 || !facts.hasEligibleLead || facts.capacityWithinMaxMembers < model.annualValue;
  let nodes = 0;
  let proven = true;
  if (!hopeless) {
    const found = searchTopK(model, roles, k, opts.maxNodes === undefined ? {} : { maxNodes: opts.maxNodes });
    nodes += found.nodes;
    proven &&= found.complete;
    if (found.best.length > 0) {
      const keys = cellKeys(instance.tender.cells);
      return {
        answer: { feasible: true, proposals: found.best.map((e) => toProposal(model, keys, e)), gaps: null },
        stats: { provenOptimal: proven, nodes, candidates },
      };
    }
  }
  const partial = bestPartial(instance, model, opts);
  nodes += partial.nodes;
  proven &&= partial.complete;
  const gaps: MatchGaps = { ...facts, bestPartial: null };
  if (partial.best !== null) {
    const p = partial.best;
    gaps.bestPartial = {
      members: p.members.map((m) => model.ids[m]!),
      lead: p.lead >= 0 ? model.ids[p.lead]! : null,
      covered: p.coveredCells,
      uncovered: uncoveredBy(model, instance.tender.cells, p.members),
      score: p.score,
    };
  }
  return { answer: { feasible: false, proposals: [], gaps }, stats: { provenOptimal: proven, nodes, candidates } };
}

/**
 * Most cells covered first: if some consortium of at most M covers every cell anyone covers,
 * the best partial one is the best such set, which the main search finds fastest with the
 * uncoverable cells dropped and neither a lead nor capacity required. Otherwise the general
 * partial search decides.
 */
function bestPartial(
  instance: MatchInstance,
  model: MatchModel,
  opts: SolveOptions,
): { best: Evaluated | null; nodes: number; complete: boolean } {
  const { maxNodes } = opts;
  const rolesOf = (m: MatchModel): Roles => (opts.dominance === false ? allRoles(m) : prunedRoles(m, m.maxMembers));
  const { tender } = instance;
  const coverable = tender.cells.filter((_, c) => model.coverers[c]!.length > 0);
  let nodes = 0;
  if (coverable.length > 0) {
    const reduced = compileModel({
      ...instance,
      tender: { ...tender, cells: coverable, annualValue: 0, leadMinIncome: tender.leadMinIncome ?? tender.annualValue },
      top: 1,
    });
    const roles = rolesOf(reduced);
    const limits = maxNodes === undefined ? { needsLead: false } : { needsLead: false, maxNodes };
    const found = searchTopK(reduced, roles, 1, limits);
    nodes += found.nodes;
    const first = found.best[0];
    if (first !== undefined) return { best: evaluateSet(model, first.members), nodes, complete: found.complete };
    if (!found.complete) return { best: null, nodes, complete: false };
  }
  const general = searchBestPartial(model, rolesOf(model), maxNodes);
  return { best: general.best, nodes: nodes + general.nodes, complete: general.complete };
}

function toProposal(model: MatchModel, keys: string[], e: Evaluated): MatchProposal {
  const ids = model.ids;
  const alternatives = e.members
    .filter((m) => model.eligible[m] === 1 && m !== e.lead)
    .sort((a, b) => model.rank[a]! - model.rank[b]!)
    .map((m) => ids[m]!);
  const coverage: Record<string, string[]> = {};
  keys.forEach((key, c) => {
    const bit = 1 << (c & 31);
    coverage[key] = e.members.filter((m) => (model.cov[m * model.words + (c >>> 5)]! & bit) !== 0).map((m) => ids[m]!);
  });
  const proposal: MatchProposal = {
    members: e.members.map((m) => ids[m]!),
    lead: ids[e.lead]!,
    score: e.score,
    breakdown: e.breakdown,
    coverage,
  };
  if (alternatives.length > 0) proposal.alternatives = alternatives;
  return proposal;
}

function uncoveredBy(model: MatchModel, cells: readonly MatchCell[], members: readonly number[]): MatchCell[] {
  return cells.filter((_, c) => !members.some((m) => (model.cov[m * model.words + (c >>> 5)]! & (1 << (c & 31))) !== 0));
}

/** The facts about the pool that hold whatever the search finds. */
function poolFacts(model: MatchModel, cells: readonly MatchCell[]): Omit<MatchGaps, 'bestPartial'> {
  const uncoverableCells = cells.filter((_, c) => model.coverers[c]!.length === 0);
  let eligibleLeads = 0;
  let poolCapacity = 0;
  const usable: number[] = [];
  for (let o = 0; o < model.n; o++) {
    eligibleLeads += model.eligible[o]!;
    poolCapacity += model.capacity[o]!;
    if (model.eligible[o] === 1 || model.covCount[o]! > 0) usable.push(model.capacity[o]!);
  }
  usable.sort((a, b) => b - a);
  const capacityWithinMaxMembers = usable.slice(0, model.maxMembers).reduce((s, v) => s + v, 0);
  const reasons: MatchGapReason[] = [];
  if (uncoverableCells.length > 0) reasons.push('uncoverable-cells');
  if (eligibleLeads === 0) reasons.push('no-eligible-lead');
  if (poolCapacity < model.annualValue) reasons.push('pool-capacity-short');
  else if (capacityWithinMaxMembers < model.annualValue) reasons.push('capacity-within-max-members-short');
  if (reasons.length === 0) reasons.push('no-combination');
  return {
    reasons,
    uncoverableCells,
    hasEligibleLead: eligibleLeads > 0,
    eligibleLeads,
    poolCapacity,
    capacityWithinMaxMembers,
    annualValue: model.annualValue,
    maxMembers: model.maxMembers,
  };
}
