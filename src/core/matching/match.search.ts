/**
 * Exact top-k search over member sets: depth-first branch and bound.
 *
 * Every set is reached at most once. A node holds the members chosen so far and the
 * candidates still allowed; it branches on a list L that every completion must draw from
 * (the coverers of the uncovered cell with fewest of them, else the possible leads when the
 * lead is missing, else every candidate), and child i takes L[i] and bans L[0..i-1] for its
 * whole subtree. A node is cut when the best score any completion could reach is below the
 * k-th best found so far (match.bound.ts), and candidates that could not be part of such a
 * completion are dropped from the subtree. Children are tried best bound first, and the
 * loop stops at the first child whose bound falls below the k-th best.
 */
import { evaluateSet, compareEvaluated, popcount } from './match.model.js';
import type { Evaluated, MatchModel } from './match.model.js';
import type { Roles } from './match.dominance.js';
import { NodeBounds } from './match.bound.js';
import type { NodeView } from './match.bound.js';

export interface SearchLimits {
  /** Stop after this many nodes; the answer is then the best found, not proven. */
  maxNodes?: number;
  /**
   * Whether a set needs an eligible lead. Without, a set may have none, but if it has one
   * it is still the lead (the rule partial consortia keep). @defaultValue true
   */
  needsLead?: boolean;
}

export interface SearchResult {
  best: Evaluated[];
  nodes: number;
  /** False when a limit stopped the search before it proved the answer. */
  complete: boolean;
}

export function searchTopK(model: MatchModel, roles: Roles, k: number, limits: SearchLimits = {}): SearchResult {
  const search = new TopKSearch(model, roles, k, limits.maxNodes ?? Infinity, limits.needsLead ?? true);
  search.run();
  return { best: search.best, nodes: search.nodes, complete: !search.stopped };
}

class TopKSearch {
  readonly best: Evaluated[] = [];
  nodes = 0;
  stopped = false;

  private readonly W: number;
  private readonly M: number;
  private readonly members: Int32Array;
  private readonly inSet: Uint8Array;
  private readonly once: Uint32Array[];
  private readonly twice: Uint32Array[];
  private readonly local: Uint32Array[];
  private readonly score: Float64Array;
  private readonly cap: Float64Array;
  /** Best-ranked eligible member at each depth, and a member that can only be the lead. */
  private readonly top: Int32Array;
  private readonly leadOnly: Int32Array;
  private readonly cand: Int32Array[];
  private readonly candLen: Int32Array;
  private readonly banned: Int32Array;
  private banStamp = 0;
  /** Per depth, each candidate's doubled marginal bound, indexed by organisation. */
  private readonly m2: Float64Array[];
  private readonly order: Int32Array[];
  private readonly bounds: NodeBounds;

  constructor(
    private readonly model: MatchModel,
    private readonly roles: Roles,
    private readonly k: number,
    private readonly maxNodes: number,
    private readonly needsLead: boolean,
  ) {
    const { n, words, maxMembers } = model;
    this.W = words;
    this.M = maxMembers;
    this.members = new Int32Array(maxMembers + 1);
    this.inSet = new Uint8Array(n);
    const depths = maxMembers + 1;
    this.once = Array.from({ length: depths }, () => new Uint32Array(words));
    this.twice = Array.from({ length: depths }, () => new Uint32Array(words));
    this.local = Array.from({ length: depths }, () => new Uint32Array(words));
    this.score = new Float64Array(depths);
    this.cap = new Float64Array(depths);
    this.top = new Int32Array(depths).fill(-1);
    this.leadOnly = new Int32Array(depths).fill(-1);
    this.cand = Array.from({ length: depths }, () => new Int32Array(n));
    this.candLen = new Int32Array(depths);
    this.banned = new Int32Array(n);
    this.m2 = Array.from({ length: depths }, () => new Float64Array(n));
    this.bounds = new NodeBounds(model, roles, this.inSet);
    this.order = Array.from({ length: depths }, () => new Int32Array(n));
  }

  run(): void {
    const root = this.cand[0]!;
    let len = 0;
    for (let o = 0; o < this.model.n; o++) {
      if (this.roles.asMember[o] === 1 || this.roles.asLead[o] === 1) root[len++] = o;
    }
    this.candLen[0] = len;
    this.visit(0);
  }

  private threshold(): number {
    return this.best.length < this.k ? -Infinity : this.best[this.k - 1]!.score;
  }

  private visit(depth: number): void {
    if (this.stopped) return;
    if (++this.nodes > this.maxNodes) {
      this.stopped = true;
      return;
    }
    const { model } = this;
    const W = this.W;
    const once = this.once[depth]!;
    const top = this.top[depth]!;
    const leadOk = top >= 0 ? this.roles.asLead[top] === 1 : !this.needsLead;
    let covered = true;
    for (let w = 0; w < W; w++) if (once[w] !== model.allCells[w]) covered = false;
    const complete = depth > 0 && covered && leadOk && this.cap[depth]! >= model.annualValue;
    if (complete) this.offer(depth);
    const room = this.M - depth;
    if (room === 0) return;

    const cand = this.cand[depth]!;
    if (this.candLen[depth]! === 0) return;
    const node: NodeView = {
      once,
      twice: this.twice[depth]!,
      local: this.local[depth]!,
      score: this.score[depth]!,
      capacity: this.cap[depth]!,
      top,
      leadOk,
      room,
      complete,
      threshold: this.threshold(),
      m2: this.m2[depth]!,
    };
    const stats = this.bounds.measure(node, cand, this.candLen[depth]!);
    if (stats === null) return;
    const len = stats.len;

    // Branch list: whatever every completion must include one of.
    const order = this.order[depth]!;
    let olen = 0;
    let suffixBound = false;
    if (stats.cell >= 0 && (leadOk || stats.cellCoverers <= stats.leadCoverers)) {
      const c = stats.cell;
      const bit = 1 << (c & 31);
      const word = c >>> 5;
      for (let i = 0; i < len; i++) {
        const o = cand[i]!;
        if ((model.cov[o * W + word]! & bit) !== 0) order[olen++] = o;
      }
    } else if (!leadOk) {
      for (let i = 0; i < len; i++) {
        const o = cand[i]!;
        if (this.bounds.canTakeLead(o, top)) order[olen++] = o;
      }
    } else {
      for (let i = 0; i < len; i++) order[olen++] = cand[i]!;
      suffixBound = true;
    }
    const m2 = this.m2[depth]!;
    const sorted = Array.from(order.subarray(0, olen)).sort((a, b) => m2[b]! - m2[a]! || a - b);

    const stamp = ++this.banStamp;
    const base2 = 2 * this.score[depth]!;
    for (let i = 0; i < sorted.length; i++) {
      const o = sorted[i]!;
      const thr = this.threshold();
      if (thr > -Infinity) {
        let quick = base2 + m2[o]!;
        if (suffixBound) {
          for (let t = i + 1; t < i + room && t < sorted.length; t++) quick += Math.max(0, m2[sorted[t]!]!);
        } else {
          quick += stats.restTop2;
        }
        if (quick < 2 * thr) break;
      }
      this.push(depth, o, cand, len, stamp);
      this.visit(depth + 1);
      this.inSet[o] = 0;
      this.banned[o] = stamp;
      if (this.stopped) return;
    }
  }

  private push(depth: number, o: number, cand: Int32Array, len: number, stamp: number): void {
    const { model } = this;
    const W = this.W;
    const w = model.weights;
    const d = depth + 1;
    const once = this.once[depth]!;
    const twice = this.twice[depth]!;
    const local = this.local[depth]!;
    const nOnce = this.once[d]!;
    const nTwice = this.twice[d]!;
    const nLocal = this.local[d]!;
    let newLocal = 0;
    let newTwice = 0;
    for (let j = 0; j < W; j++) {
      const c = model.cov[o * W + j]!;
      const l = model.loc[o * W + j]!;
      newLocal += popcount(l & ~local[j]!);
      newTwice += popcount(c & once[j]! & ~twice[j]!);
      nTwice[j] = twice[j]! | (c & once[j]!);
      nOnce[j] = once[j]! | c;
      nLocal[j] = local[j]! | l;
    }
    const partners = model.partners[o]!;
    let ties = 0;
    for (let p = 0; p < partners.length; p++) ties += this.inSet[partners[p]!]!;
    this.score[d] = this.score[depth]! + model.beta[o]! + w.local * newLocal + w.redundant * newTwice + w.ties * ties;
    this.cap[d] = this.cap[depth]! + model.capacity[o]!;
    this.members[depth] = o;
    this.inSet[o] = 1;

    // Lead bookkeeping: a member that cannot be a non-lead must stay the best-ranked.
    let top = this.top[depth]!;
    let leadOnly = this.leadOnly[depth]!;
    if (model.eligible[o] === 1 && (top < 0 || model.rank[o]! < model.rank[top]!)) top = o;
    if (this.roles.asMember[o] === 0) leadOnly = o;
    this.top[d] = top;
    this.leadOnly[d] = leadOnly;

    const next = this.cand[d]!;
    let nlen = 0;
    for (let i = 0; i < len; i++) {
      const q = cand[i]!;
      if (q === o || this.banned[q] === stamp) continue;
      if (model.eligible[q] === 1 && (top < 0 || model.rank[q]! < model.rank[top]!)) {
        // q would become the best-ranked; the current one is demoted, which a lead-only
        // member cannot be.
        if (leadOnly >= 0) continue;
      } else if (this.roles.asMember[q] === 0) {
        continue;
      }
      next[nlen++] = q;
    }
    this.candLen[d] = nlen;
  }

  private offer(depth: number): void {
    const score = this.score[depth]!;
    if (this.best.length >= this.k && score < this.best[this.k - 1]!.score) return;
    const set = Array.from(this.members.subarray(0, depth));
    const ev = evaluateSet(this.model, set);
    const best = this.best;
    let at = best.length;
    while (at > 0 && compareEvaluated(this.model, ev, best[at - 1]!) < 0) at--;
    if (at >= this.k) return;
    best.splice(at, 0, ev);
    if (best.length > this.k) best.pop();
  }
}
