/**
 * Upper bounds for a search node: the best score any completion of the chosen members could
 * reach, and which candidates could still be part of one that reaches the k-th best.
 *
 * Values are doubled so that half credits stay integral. A candidate's bound is its member
 * terms, the cells it would make local, and redundancy: full credit on cells covered once
 * so far, half on cells not yet covered (two newcomers are needed there). A partner tie
 * between two candidates is credited once, to the weaker of the two. Summing the best
 * `room` candidates over-counts shared cells, so three more forms replace the local and/or
 * redundancy credits by the cells left to earn them on, and the smallest of the four holds.
 *
 * The cells still uncovered must be covered; Lagrange multipliers μ ≥ 0 on those covering
 * constraints give every μ a valid bound (reward each candidate with the μ of the cells it
 * would cover, charge Σμ once), and a few subgradient steps per node tighten it. Children
 * start from their parent's μ.
 */
import { popcount } from './match.model.js';
import type { MatchModel } from './match.model.js';
import type { Roles } from './match.dominance.js';

/** What the search knows about a node. */
export interface NodeView {
  once: Uint32Array;
  twice: Uint32Array;
  local: Uint32Array;
  /** Score and capacity of the members chosen so far. */
  score: number;
  capacity: number;
  /** Best-ranked eligible member so far, or -1. */
  top: number;
  room: number;
  /** The chosen members already form a feasible consortium. */
  complete: boolean;
  /** The k-th best score so far, or -Infinity. */
  threshold: number;
  /** Receives each kept candidate's doubled bound, by organisation. */
  m2: Float64Array;
}

export interface NodeStats {
  /** Candidates kept, compacted to the front of the list. */
  len: number;
  /** Uncovered cell with fewest coverers, or -1 when all are covered. */
  cell: number;
  cellCoverers: number;
  /** Candidates that could become the lead. */
  leadCoverers: number;
  /** Bound on what room - 1 more candidates add, doubled. */
  restTop2: number;
}

const FORMS = 4;

export class NodeBounds {
  private readonly l2: Float64Array;
  private readonly r2: Float64Array;
  private readonly credit: Float64Array;
  private readonly refHit1: Uint32Array;
  private readonly refHit2: Uint32Array;
  private readonly refLocal: Uint32Array;
  private readonly refIn: Int32Array;
  private refMark = 0;
  private readonly refValue: Float64Array;
  private readonly refTop: TopSums;
  private m2: Float64Array;
  private readonly mark: Int32Array;
  private stamp = 0;
  private readonly uncovered: Uint32Array;
  private readonly counts: Int32Array;
  private readonly sums: TopSums;
  private readonly caps: TopSums;

  constructor(
    private readonly model: MatchModel,
    private readonly roles: Roles,
    private readonly inSet: Uint8Array,
  ) {
    const n = model.n;
    this.l2 = new Float64Array(n);
    this.r2 = new Float64Array(n);
    this.credit = new Float64Array(n);
    this.refHit1 = new Uint32Array(model.words);
    this.refHit2 = new Uint32Array(model.words);
    this.refLocal = new Uint32Array(model.words);
    this.refIn = new Int32Array(n);
    this.refValue = new Float64Array(n);
    this.refTop = new TopSums(model.maxMembers, 1);
    this.m2 = new Float64Array(0);
    this.mark = new Int32Array(n);
    this.uncovered = new Uint32Array(model.words);
    this.counts = new Int32Array(model.cellCount);
    this.sums = new TopSums(model.maxMembers, FORMS);
    this.caps = new TopSums(model.maxMembers, 1);
  }

  canTakeLead(o: number, top: number): boolean {
    return this.roles.asLead[o] === 1 && (top < 0 || this.model.rank[o]! < this.model.rank[top]!);
  }

  /**
   * Bounds the node; null when it cannot reach the threshold or cannot be completed.
   * Compacts the kept candidates to the front of `cand`.
   */
  measure(node: NodeView, cand: Int32Array, len: number): NodeStats | null {
    const { model } = this;
    const { words: W, cellCount } = model;
    const { room, m2 } = node;
    const w = model.weights;
    const wl = w.local > 0 ? w.local : 0;
    const wr = w.redundant > 0 ? w.redundant : 0;
    const need = node.complete ? 0 : 1;
    const uncovered = this.uncovered;
    let anyUncovered = false;
    for (let j = 0; j < W; j++) {
      uncovered[j] = model.allCells[j]! & ~node.once[j]!;
      if (uncovered[j] !== 0) anyUncovered = true;
    }
    this.m2 = m2;
    this.baseValues(node, cand, len);
    this.collect(cand, len, room);
    const target = node.threshold === -Infinity ? -Infinity : 2 * (node.threshold - node.score);

    if (target > -Infinity) {
      let localLeft = 0;
      let twiceLeft = 0;
      for (let j = 0; j < W; j++) {
        localLeft += popcount(model.allCells[j]! & ~node.local[j]!);
        twiceLeft += popcount(model.allCells[j]! & ~node.twice[j]!);
      }
      const capL2 = 2 * wl * localLeft;
      const capR2 = 2 * wr * twiceLeft;
      const capOf = [0, capL2, capR2, capL2 + capR2];
      let gain2 = Infinity;
      for (let f = 0; f < FORMS; f++) gain2 = Math.min(gain2, this.sums.total(f, need) + capOf[f]!);
      if (gain2 < target) return null;
      const ref = this.referenceBound(node, cand, len);
      if (ref.total(need) < target) return null;

      // Keep a candidate only if, with the best room - 1 others, it could reach the target.
      const rest = [0, 1, 2, 3].map((f) => this.sums.total(f, 0, room - 1) + capOf[f]!);
      const refRest = ref.rest;
      let kept = 0;
      for (let i = 0; i < len; i++) {
        const o = cand[i]!;
        const v = m2[o]!;
        const l2 = this.l2[o]!;
        const r2 = this.r2[o]!;
        const best = Math.min(
          v + rest[0]!,
          v - l2 + rest[1]!,
          v - r2 + rest[2]!,
          v - l2 - r2 + rest[3]!,
          ref.value[o]! + refRest,
        );
        if (best >= target) cand[kept++] = o;
      }
      len = kept;
    }
    return this.feasibility(node, cand, len, anyUncovered, cellCount);
  }

  /**
   * The bound relative to a reference set R (the best `room` candidates): the part of the
   * score that is a coverage-like function g is submodular, so any completion T has
   * g(T) ≤ g(R) + Σ_{o∈T} g(o | R), and member terms add as they are. Credits: local on cells
   * R does not already make local; redundancy in full on cells covered once so far that R
   * misses, and half per newcomer on uncovered cells until R has put two there.
   */
  private referenceBound(
    node: NodeView,
    cand: Int32Array,
    len: number,
  ): { value: Float64Array; rest: number; total: (need: number) => number } {
    const { model } = this;
    const { words: W, cov, loc } = model;
    const w = model.weights;
    const wl = w.local > 0 ? w.local : 0;
    const wr = w.redundant > 0 ? w.redundant : 0;
    const { once, twice, local, room } = node;
    const ref = this.sums.counted(0, 0);
    const hit1 = this.refHit1;
    const hit2 = this.refHit2;
    const refLocal = this.refLocal;
    hit1.fill(0);
    hit2.fill(0);
    refLocal.fill(0);
    this.refMark++;
    let g2 = 0;
    for (const o of ref) {
      this.refIn[o] = this.refMark;
      g2 += this.credit[o]!;
      for (let j = 0; j < W; j++) {
        const c = cov[o * W + j]!;
        hit2[j]! |= hit1[j]! & c;
        hit1[j]! |= c;
        refLocal[j]! |= loc[o * W + j]! & ~local[j]!;
      }
    }
    for (let j = 0; j < W; j++) {
      const single = once[j]! & ~twice[j]!;
      const zero = model.allCells[j]! & ~once[j]!;
      g2 += 2 * wl * popcount(refLocal[j]!);
      g2 += 2 * wr * popcount(single & hit1[j]!);
      g2 += wr * (popcount(zero & hit1[j]!) + popcount(zero & hit2[j]!));
    }
    const value = this.refValue;
    const top = this.refTop;
    top.reset(room);
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      let v = 2 * model.beta[o]! + 2 * w.ties * this.tiesWithChosen(o);
      if (this.refIn[o] !== this.refMark) {
        v += this.credit[o]!;
        let l = 0;
        let full = 0;
        let half = 0;
        for (let j = 0; j < W; j++) {
          const c = cov[o * W + j]!;
          const single = once[j]! & ~twice[j]!;
          const zero = model.allCells[j]! & ~once[j]!;
          l += popcount(loc[o * W + j]! & ~local[j]! & ~refLocal[j]!);
          full += popcount(c & single & ~hit1[j]!);
          half += popcount(c & zero & ~hit2[j]!);
        }
        v += 2 * wl * l + 2 * wr * full + wr * half;
      }
      value[o] = v;
      top.add(0, v, o);
    }
    return { value, rest: g2 + top.total(0, 0, room - 1), total: (need) => g2 + top.total(0, need) };
  }

  private tiesWithChosen(o: number): number {
    const partners = this.model.partners[o]!;
    let tp = 0;
    for (let p = 0; p < partners.length; p++) tp += this.inSet[partners[p]!]!;
    return tp;
  }

  /** Member terms, ties, local and redundancy credits of every candidate, into m2/l2/r2. */
  private baseValues(node: NodeView, cand: Int32Array, len: number): void {
    const { model } = this;
    const { words: W, cov, loc } = model;
    const w = model.weights;
    const wl = w.local > 0 ? w.local : 0;
    const wr = w.redundant > 0 ? w.redundant : 0;
    const { once, twice, local, m2, room } = node;
    const mark = ++this.stamp;
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
      this.l2[o] = 2 * wl * l;
      this.r2[o] = wr * (2 * d1 + d0);
      m2[o] = 2 * model.beta[o]! + 2 * w.ties * tp + this.l2[o]! + this.r2[o]!;
      this.credit[o] = 0;
      this.mark[o] = mark;
    }
    if (w.ties <= 0) return;
    // Credits first, then add them, so every candidate compares uncredited values.
    const credit = this.credit;
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      const partners = model.partners[o]!;
      let received = 0;
      for (let p = 0; p < partners.length; p++) {
        const q = partners[p]!;
        if (this.mark[q] !== mark) continue;
        if (m2[o]! < m2[q]! || (m2[o] === m2[q] && o < q)) received++;
      }
      credit[o] = 2 * w.ties * Math.min(room - 1, received);
    }
    for (let i = 0; i < len; i++) m2[cand[i]!]! += credit[cand[i]!]!;
  }

  private collect(cand: Int32Array, len: number, room: number): void {
    const sums = this.sums;
    sums.reset(room);
    const m2 = this.m2;
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      const v = m2[o]!;
      const l2 = this.l2[o]!;
      const r2 = this.r2[o]!;
      sums.add(0, v, o);
      sums.add(1, v - l2, o);
      sums.add(2, v - r2, o);
      sums.add(3, v - l2 - r2, o);
    }
  }

  /** Capacity, lead and cover checks on the kept candidates, and the cell to branch on. */
  private feasibility(
    node: NodeView,
    cand: Int32Array,
    len: number,
    anyUncovered: boolean,
    cellCount: number,
  ): NodeStats | null {
    const { model } = this;
    const { words: W, cov } = model;
    const counts = this.counts;
    counts.fill(0);
    const caps = this.caps;
    caps.reset();
    const uncovered = this.uncovered;
    let leadCoverers = 0;
    let maxNewCover = 0;
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      caps.add(0, model.capacity[o]!, o);
      if (this.canTakeLead(o, node.top)) leadCoverers++;
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
    if (node.capacity + caps.total(0, 0, node.room) < model.annualValue) return null;
    const hasLead = node.top >= 0 && this.roles.asLead[node.top] === 1;
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
      if (Math.ceil(left / maxNewCover) > node.room) return null;
    }
    return { len, cell, cellCoverers, leadCoverers, restTop2: this.sums.total(0, 0, node.room - 1) };
  }
}

/** Running sums of the largest `room` values in several series, remembering who they are. */
class TopSums {
  private readonly vals: Float64Array[];
  private readonly who: Int32Array[];
  private readonly lens: Int32Array;
  private room: number;

  constructor(maxRoom: number, series: number) {
    this.room = maxRoom;
    this.vals = Array.from({ length: series }, () => new Float64Array(maxRoom));
    this.who = Array.from({ length: series }, () => new Int32Array(maxRoom));
    this.lens = new Int32Array(series);
  }

  reset(room = this.room): void {
    this.room = room;
    this.lens.fill(0);
  }

  add(s: number, v: number, id: number): void {
    const vals = this.vals[s]!;
    const who = this.who[s]!;
    let len = this.lens[s]!;
    if (len === this.room) {
      if (v <= vals[len - 1]!) return;
      len--;
    }
    let i = len;
    while (i > 0 && vals[i - 1]! < v) {
      vals[i] = vals[i - 1]!;
      who[i] = who[i - 1]!;
      i--;
    }
    vals[i] = v;
    who[i] = id;
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

  /** The candidates `total(s, need)` counted. */
  counted(s: number, need: number): number[] {
    const vals = this.vals[s]!;
    const out: number[] = [];
    for (let i = 0; i < this.lens[s]!; i++) {
      if (i < need || vals[i]! > 0) out.push(this.who[s]![i]!);
      else break;
    }
    return out;
  }
}
