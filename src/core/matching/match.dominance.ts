/**
 * k-dominance: which roles an organisation can hold in any of the top-k consortia.
 *
 * `a` dominates `b` in a role when swapping `b` for `a` in any consortium where `b` holds
 * that role gives a feasible consortium that comes strictly earlier in MATCHING.md's order:
 * `a` covers every cell `b` covers (and locally every cell `b` covers locally), its own
 * score terms make up for any partner ties `b` could bring that `a` cannot, it has at least
 * `b`'s capacity, and it keeps the lead where it was. If at least k + M - 1 organisations
 * dominate `b` in a role then, in any consortium where `b` holds it, at most M - 1 of them
 * are already members, so k distinct better consortia exist and that consortium is not in
 * the top k: the search can leave `b` out of that role without losing an exact answer.
 *
 * Roles: as a non-lead, a dominator must not become the lead (it is not an eligible lead, or
 * ranks below `b`, which already ranks below the lead); as the lead, a dominator must be an
 * eligible lead ranking above `b`, so it takes `b`'s place as lead.
 */
import { compareIds } from './match.model.js';
import type { MatchModel } from './match.model.js';

export interface Roles {
  /** Can be a member that is not the lead (covers a cell and is not k-dominated as one). */
  asMember: Uint8Array;
  /** Can be the lead (eligible and not k-dominated as lead). */
  asLead: Uint8Array;
}

/** Every role allowed that the model permits at all. */
export function allRoles(model: MatchModel): Roles {
  const asMember = new Uint8Array(model.n);
  const asLead = new Uint8Array(model.n);
  for (let i = 0; i < model.n; i++) {
    asMember[i] = model.covCount[i]! > 0 ? 1 : 0;
    asLead[i] = model.eligible[i]!;
  }
  return { asMember, asLead };
}

/** Roles after removing those held only by organisations with `needed` dominators. */
export function prunedRoles(model: MatchModel, needed: number): Roles {
  const roles = allRoles(model);
  // Dominance compares capacity sums; it is only sound when those sums are exact.
  if (!model.exactCapacity) return roles;
  const leadsByRank = [...Array(model.n).keys()]
    .filter((i) => model.eligible[i] === 1)
    .sort((a, b) => model.rank[a]! - model.rank[b]!);
  // A dominator has at least b's capacity and covers all of b's cells: scan only the
  // coverers of one of b's cells with enough capacity, choosing the cell with fewest.
  const byCapacity = model.coverers.map((list) =>
    Int32Array.from(list).sort((a, b) => model.capacity[b]! - model.capacity[a]!),
  );
  for (let b = 0; b < model.n; b++) {
    const wantMember = roles.asMember[b] === 1;
    const wantLead = roles.asLead[b] === 1;
    if (!wantMember && !wantLead) continue;
    let pool: ArrayLike<number> = leadsByRank;
    let end = model.rank[b]!;
    if (model.covCount[b]! > 0) {
      end = Infinity;
      for (let c = 0; c < model.cellCount; c++) {
        if ((model.cov[b * model.words + (c >>> 5)]! & (1 << (c & 31))) === 0) continue;
        const list = byCapacity[c]!;
        const reach = countAtLeast(model.capacity, list, model.capacity[b]!);
        if (reach < end) {
          end = reach;
          pool = list;
        }
      }
    }
    let memberDominators = 0;
    let leadDominators = 0;
    for (let t = 0; t < end; t++) {
      const a = pool[t]!;
      if (a === b || !dominatesTerms(model, a, b)) continue;
      if (wantMember && memberDominators < needed && keepsLeadAsMember(model, a, b)) memberDominators++;
      if (wantLead && leadDominators < needed && model.eligible[a] === 1 && model.rank[a]! < model.rank[b]!) {
        leadDominators++;
      }
      if ((!wantMember || memberDominators >= needed) && (!wantLead || leadDominators >= needed)) break;
    }
    if (memberDominators >= needed) roles.asMember[b] = 0;
    if (leadDominators >= needed) roles.asLead[b] = 0;
  }
  return roles;
}

/** How many of `list` (sorted by capacity, largest first) have at least `cap`. */
function countAtLeast(capacity: Float64Array, list: Int32Array, cap: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (capacity[list[mid]!]! >= cap) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** As a non-lead, `a` must not outrank the lead: not eligible, or eligible below `b`. */
function keepsLeadAsMember(model: MatchModel, a: number, b: number): boolean {
  if (model.eligible[a] === 0) return true;
  return model.eligible[b] === 1 && model.rank[a]! > model.rank[b]!;
}

/** The role-independent part: cells, score terms and capacity, strictly better in the order. */
function dominatesTerms(model: MatchModel, a: number, b: number): boolean {
  const { words, cov, loc, weights: w } = model;
  const capA = model.capacity[a]!;
  const capB = model.capacity[b]!;
  if (capA < capB) return false;
  for (let i = 0; i < words; i++) {
    const ca = cov[a * words + i]!;
    const cb = cov[b * words + i]!;
    if ((ca & cb) !== cb) return false;
    // Extra cover raises redundancy, which only helps when that weight is not negative.
    if (w.redundant < 0 && ca !== cb) return false;
    const la = loc[a * words + i]!;
    const lb = loc[b * words + i]!;
    if (w.local > 0 && (la & lb) !== lb) return false;
    if (w.local < 0 && (la & lb) !== la) return false;
  }
  const gain = model.beta[a]! - model.beta[b]! - tieSlack(model, a, b);
  if (gain < 0) return false;
  return gain > 0 || capA > capB || compareIds(model.ids[a]!, model.ids[b]!) < 0;
}

/** The most partner-tie score `b` could bring over `a` in a consortium of M. */
function tieSlack(model: MatchModel, a: number, b: number): number {
  const wt = model.weights.ties;
  if (wt === 0) return 0;
  const [from, to, other] = wt > 0 ? [b, a, a] : [a, b, b];
  const fromList = model.partners[from]!;
  const toList = model.partners[to]!;
  let missing = 0;
  let j = 0;
  for (let i = 0; i < fromList.length; i++) {
    const p = fromList[i]!;
    if (p === other) continue;
    while (j < toList.length && toList[j]! < p) j++;
    if (j >= toList.length || toList[j] !== p) missing++;
  }
  return Math.abs(wt) * Math.min(model.maxMembers - 1, missing);
}
