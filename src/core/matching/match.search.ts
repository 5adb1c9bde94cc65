/**
 * Exact top-k search over member sets: depth-first branch and bound.
 *
 * Every set is reached at most once. A node holds the members chosen so far and the
 * candidates still allowed; it branches on a list L that every completion must draw from
 * (the coverers of the uncovered cell with fewest of them, else the possible leads when the
 * lead is missing, else every candidate), and child i takes L[i] and bans L[0..i-1] for its
 * whole subtree. A node is cut when the best score any completion could reach is below the
 * k-th best found so far; the bound adds each remaining place's best possible marginal gain,
 * with the local and redundancy gains also capped by the cells left to gain them on.
 */
import { evaluateSet, compareEvaluated, popcount } from './match.model.js';
import type { Evaluated, MatchModel } from './match.model.js';
import type { Roles } from './match.dominance.js';

export interface SearchLimits {
  /** Stop after this many nodes; the answer is then the best found, not proven. */
  maxNodes?: number;
}

export interface SearchResult {
  best: Evaluated[];
  nodes: number;
  /** False when a limit stopped the search before it proved the answer. */
  complete: boolean;
}

export function searchTopK(model: MatchModel, roles: Roles, k: number, limits: SearchLimits = {}): SearchResult {
  const search = new TopKSearch(model, roles, k, limits.maxNodes ?? Infinity);
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
  private readonly coverCount: Int32Array;
  private readonly l2: Float64Array;
  private readonly t2: Float64Array;
  private readonly candMark: Int32Array;
  private markStamp = 0;
  private readonly r2: Float64Array;
  private readonly uncovered: Uint32Array;
  private readonly order: Int32Array[];

  constructor(
    private readonly model: MatchModel,
    private readonly roles: Roles,
    private readonly k: number,
    private readonly maxNodes: number,
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
    this.coverCount = new Int32Array(model.cellCount + 1);
    this.l2 = new Float64Array(n);
    this.t2 = new Float64Array(n);
    this.candMark = new Int32Array(n);
    this.r2 = new Float64Array(n);
    this.uncovered = new Uint32Array(words);
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
    const hasLead = top >= 0 && this.roles.asLead[top] === 1;
    let covered = true;
    for (let w = 0; w < W; w++) if (once[w] !== model.allCells[w]) covered = false;
    const complete = depth > 0 && covered && hasLead && this.cap[depth]! >= model.annualValue;
    if (complete) this.offer(depth);
    const room = this.M - depth;
    if (room === 0) return;

    const cand = this.cand[depth]!;
    if (this.candLen[depth]! === 0) return;
    const stats = this.measure(depth, cand, this.candLen[depth]!, room, complete);
    (globalThis as any).DEPTH ??= {}; const D = (globalThis as any).DEPTH; D[depth] ??= [0,0,0,0]; D[depth][0]++; D[depth][2] += this.candLen[depth]!;
    if (stats === null) return;
    D[depth][1]++; D[depth][3] += stats.len;
    const len = stats.len;

    // Branch list: whatever every completion must include one of.
    const order = this.order[depth]!;
    let olen = 0;
    let suffixBound = false;
    if (stats.cell >= 0 && (hasLead || stats.cellCoverers <= stats.leadCoverers)) {
      const c = stats.cell;
      const bit = 1 << (c & 31);
      const word = c >>> 5;
      for (let i = 0; i < len; i++) {
        const o = cand[i]!;
        if ((model.cov[o * W + word]! & bit) !== 0) order[olen++] = o;
      }
    } else if (!hasLead) {
      for (let i = 0; i < len; i++) {
        const o = cand[i]!;
        if (this.canTakeLead(o, top)) order[olen++] = o;
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
      this.pop(depth, o);
      this.banned[o] = stamp;
      if (this.stopped) return;
    }
  }

  /** Whether `o` can end up as the lead given the current best-ranked eligible member. */
  private canTakeLead(o: number, top: number): boolean {
    return this.roles.asLead[o] === 1 && (top < 0 || this.model.rank[o]! < this.model.rank[top]!);
  }

  /**
   * Fills the marginal bounds of the candidates, drops those that cannot be in any set
   * reaching the k-th best score, and decides whether the node can still reach it; returns
   * null to cut the node. Compacts `cand` in place and returns its new length.
   */
  private measure(
    depth: number,
    cand: Int32Array,
    len: number,
    room: number,
    complete: boolean,
  ): { len: number; cell: number; cellCoverers: number; leadCoverers: number; restTop2: number } | null {
    const { model } = this;
    const { words: W, cov, loc, weights: w, cellCount } = model;
    const once = this.once[depth]!;
    const twice = this.twice[depth]!;
    const local = this.local[depth]!;
    const top = this.top[depth]!;
    const m2 = this.m2[depth]!;
    const l2s = this.l2;
    const r2s = this.r2;
    const wl = w.local > 0 ? w.local : 0;
    const wr = w.redundant > 0 ? w.redundant : 0;
    const need = complete ? 0 : 1;
    const sums = new TopSums(room, 4);

    // Pass 1: each candidate's doubled marginal bound, split into base, local and redundancy.
    const mark = ++this.markStamp;
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      let l = 0;
      let d1 = 0;
      let d0 = 0;
      for (let j = 0; j < W; j++) {
        const c = cov[o * W + j]!;
        l += popcount(loc[o * W + j]! & ~local[j]!);
        d1 += popcount(c & once[j]! & ~twice[j]!);
        d0 += popcount(c & ~once[j]!);
      }
      const partners = model.partners[o]!;
      let tp = 0;
      for (let p = 0; p < partners.length; p++) tp += this.inSet[partners[p]!]!;
      const l2 = 2 * wl * l;
      const r2 = wr * (2 * d1 + d0);
      m2[o] = 2 * model.beta[o]! + 2 * w.ties * tp + l2 + r2;
      l2s[o] = l2;
      r2s[o] = r2;
      this.candMark[o] = mark;
    }
    // A tie between two candidates is worth w.ties once; its whole value is credited to the
    // endpoint with the lower bound (any split is a valid bound, and this one rarely lets a
    // strong candidate claim ties with partners that will never join).
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      if (w.ties > 0) {
        const partners = model.partners[o]!;
        let received = 0;
        for (let p = 0; p < partners.length; p++) {
          const q = partners[p]!;
          if (this.candMark[q] !== mark) continue;
          if (m2[o]! < m2[q]! || (m2[o] === m2[q] && o < q)) received++;
        }
        this.t2[o] = 2 * w.ties * Math.min(room - 1, received);
      } else {
        this.t2[o] = 0;
      }
    }
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      const v = m2[o]! + this.t2[o]!;
      m2[o] = v;
      const l2 = l2s[o]!;
      const r2 = r2s[o]!;
      sums.add(0, v);
      sums.add(1, v - l2);
      sums.add(2, v - r2);
      sums.add(3, v - l2 - r2);
    }

    const thr = this.threshold();
    if (thr > -Infinity) {
      let localLeft = 0;
      let twiceLeft = 0;
      for (let j = 0; j < W; j++) {
        localLeft += popcount(model.allCells[j]! & ~local[j]!);
        twiceLeft += popcount(model.allCells[j]! & ~twice[j]!);
      }
      const capL2 = 2 * wl * localLeft;
      const capR2 = 2 * wr * twiceLeft;
      const gain2 = Math.min(
        sums.total(0, need),
        sums.total(1, need) + capL2,
        sums.total(2, need) + capR2,
        sums.total(3, need) + capL2 + capR2,
      );
      const target = 2 * (thr - this.score[depth]!);
      if (gain2 < target) return null;
      // A candidate stays only if some set of at most `room` including it could reach the
      // threshold: its own bound plus the best room - 1 others, in each capped form.
      const rest0 = sums.total(0, 0, room - 1);
      const rest1 = sums.total(1, 0, room - 1) + capL2;
      const rest2 = sums.total(2, 0, room - 1) + capR2;
      const rest3 = sums.total(3, 0, room - 1) + capL2 + capR2;
      let kept = 0;
      for (let i = 0; i < len; i++) {
        const o = cand[i]!;
        const v = m2[o]!;
        const l2 = l2s[o]!;
        const r2 = r2s[o]!;
        const best = Math.min(v + rest0, v - l2 + rest1, v - r2 + rest2, v - l2 - r2 + rest3);
        if (best >= target) cand[kept++] = o;
      }
      len = kept;
    }

    // Pass 2: feasibility of what is left: capacity, a lead, every cell still coverable.
    const counts = this.coverCount;
    counts.fill(0);
    const caps = new TopSums(room, 1);
    let leadCoverers = 0;
    let maxNewCover = 0;
    const uncovered = this.uncovered;
    let anyUncovered = false;
    for (let j = 0; j < W; j++) {
      uncovered[j] = model.allCells[j]! & ~once[j]!;
      if (uncovered[j] !== 0) anyUncovered = true;
    }
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      caps.add(0, model.capacity[o]!);
      if (this.canTakeLead(o, top)) leadCoverers++;
      if (!anyUncovered) continue;
      let fresh = 0;
      for (let j = 0; j < W; j++) {
        let bits = cov[o * W + j]! & uncovered[j]!;
        while (bits !== 0) {
          const low = bits & -bits;
          counts[j * 32 + 31 - Math.clz32(low)]!++;
          fresh++;
          bits ^= low;
        }
      }
      if (fresh > maxNewCover) maxNewCover = fresh;
    }
    if (this.cap[depth]! + caps.total(0, 0) < model.annualValue) return null;
    const hasLead = top >= 0 && this.roles.asLead[top] === 1;
    if (!hasLead && leadCoverers === 0) return null;
    let cell = -1;
    let cellCoverers = Infinity;
    if (anyUncovered) {
      let left = 0;
      for (let c = 0; c < cellCount; c++) {
        if ((uncovered[c >>> 5]! & (1 << (c & 31))) === 0) continue;
        left++;
        const k = counts[c]!;
        if (k === 0) return null;
        if (k < cellCoverers) {
          cellCoverers = k;
          cell = c;
        }
      }
      if (Math.ceil(left / maxNewCover) > room) return null;
    }
    return { len, cell, cellCoverers, leadCoverers, restTop2: sums.total(0, 0, room - 1) };
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

  private pop(depth: number, o: number): void {
    this.inSet[o] = 0;
    void depth;
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

/** Running sums of the largest `room` values in several series. */
class TopSums {
  private readonly vals: Float64Array[];
  private readonly lens: Int32Array;

  constructor(
    private readonly room: number,
    series: number,
  ) {
    this.vals = Array.from({ length: series }, () => new Float64Array(room));
    this.lens = new Int32Array(series);
  }

  add(s: number, v: number): void {
    const vals = this.vals[s]!;
    let len = this.lens[s]!;
    if (len === this.room) {
      if (v <= vals[len - 1]!) return;
      len--;
    }
    let i = len;
    while (i > 0 && vals[i - 1]! < v) {
      vals[i] = vals[i - 1]!;
      i--;
    }
    vals[i] = v;
    this.lens[s] = len + 1;
  }

  /** Sum of up to `limit` largest values: the first `need` always, the rest when positive. */
  total(s: number, need: number, limit = this.room): number {
    const vals = this.vals[s]!;
    const len = Math.min(this.lens[s]!, limit);
    let sum = 0;
    for (let i = 0; i < len; i++) {
      const v = vals[i]!;
      if (i < need || v > 0) sum += v;
      else break;
    }
    return sum;
  }
}
