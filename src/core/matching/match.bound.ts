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
 * Completions must also add the missing capacity and cover the cells left: the best sum of
 * bounds over at most `room` candidates that do (a small knapsack, match.knapsack.ts) is
 * another bound, and often the tightest late in the search. Cheap feasibility
 * tests cut the rest: capacity, a possible lead, and enough coverers for what is uncovered.
 */
import { popcount } from './match.model.js';
import type { MatchModel } from './match.model.js';
import type { Roles } from './match.dominance.js';
import { RequirementKnapsack } from './match.knapsack.js';

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
  /** The chosen members have the lead they need (or need none). */
  leadOk: boolean;
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
/** Missing capacity is measured in steps of 1/CAPACITY_STEPS, rounded up in each member's favour. */
const CAPACITY_STEPS = 24;
/** Up to this many uncovered cells are tracked one by one in the requirement knapsack. */
const FEW_CELLS = 4;

export class NodeBounds {
  private readonly l2: Float64Array;
  private readonly r2: Float64Array;
  private readonly credit: Float64Array;
  private readonly freshTop: TopSums;
  /** Per candidate: uncovered cells it covers, and its share of the missing capacity. */
  private readonly fresh: Int32Array;
  private readonly share: Int32Array;
  private readonly mostFresh: Int32Array;
  private readonly cellMask: Int32Array;
  private readonly fewCells = new Int32Array(FEW_CELLS);
  private readonly needs = new RequirementKnapsack();
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
    this.freshTop = new TopSums(model.maxMembers, 1);
    this.fresh = new Int32Array(n);
    this.share = new Int32Array(n);
    this.cellMask = new Int32Array(n);
    this.mostFresh = new Int32Array(model.cellCount);
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
    if (!this.mayComplete(node, cand, len)) return null;
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
      // Completions must still add the missing capacity and, when few are left, the cells.
      const capLeft = model.annualValue - node.capacity;
      const shares = capLeft > 0 ? CAPACITY_STEPS : 0;
      const few = this.fewUncovered();
      const joint = shares > 0 || few > 0;
      if (joint) {
        for (let i = 0; i < len; i++) {
          const o = cand[i]!;
          this.share[o] = shares > 0 ? Math.ceil((shares * Math.min(capLeft, model.capacity[o]!)) / capLeft) : 0;
          this.cellMask[o] = few > 0 ? this.maskOf(o, few) : 0;
        }
        const best = this.needs.solve(this.share, this.cellMask, m2, cand, len, shares, few, room);
        if (best < target) return null;
      }

      // Keep a candidate only if, with the best room - 1 others, it could reach the target.
      const rest = [0, 1, 2, 3].map((f) => this.sums.total(f, 0, room - 1) + capOf[f]!);
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
          joint ? v + this.needs.rest(shares - this.share[o]!, this.cellMask[o]!) : Infinity,
        );
        if (best >= target) cand[kept++] = o;
      }
      len = kept;
    }
    return this.feasibility(node, cand, len, anyUncovered, cellCount);
  }

  /** Cheap tests before any bound: enough capacity within reach, and a possible lead. */
  private mayComplete(node: NodeView, cand: Int32Array, len: number): boolean {
    const { model } = this;
    const caps = this.caps;
    caps.reset(node.room);
    let leadCoverers = node.leadOk ? 1 : 0;
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      caps.add(0, model.capacity[o]!);
      if (leadCoverers === 0 && this.canTakeLead(o, node.top)) leadCoverers = 1;
    }
    return leadCoverers > 0 && node.capacity + caps.total(0, 0, node.room) >= model.annualValue;
  }

  /** Lists the uncovered cells if there are 1..FEW_CELLS of them; returns how many (else 0). */
  private fewUncovered(): number {
    const { cellCount } = this.model;
    let few = 0;
    for (let c = 0; c < cellCount; c++) {
      if ((this.uncovered[c >>> 5]! & (1 << (c & 31))) === 0) continue;
      if (few === FEW_CELLS) return 0;
      this.fewCells[few++] = c;
    }
    return few;
  }

  private maskOf(o: number, few: number): number {
    const { cov, words } = this.model;
    let mask = 0;
    for (let i = 0; i < few; i++) {
      const c = this.fewCells[i]!;
      if ((cov[o * words + (c >>> 5)]! & (1 << (c & 31))) !== 0) mask |= 1 << i;
    }
    return mask;
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
      this.fresh[o] = d0;
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
      sums.add(0, v);
      sums.add(1, v - l2);
      sums.add(2, v - r2);
      sums.add(3, v - l2 - r2);
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
    caps.reset(node.room);
    const uncovered = this.uncovered;
    let leadCoverers = 0;
    const fresh = this.freshTop;
    fresh.reset(node.room);
    const most = this.mostFresh;
    most.fill(0);
    for (let i = 0; i < len; i++) {
      const o = cand[i]!;
      caps.add(0, model.capacity[o]!);
      if (this.canTakeLead(o, node.top)) leadCoverers++;
      if (!anyUncovered) continue;
      const gained = this.fresh[o]!;
      for (let j = 0; j < W; j++) {
        let bits = cov[o * W + j]! & uncovered[j]!;
        while (bits !== 0) {
          const low = bits & -bits;
          const c = j * 32 + 31 - Math.clz32(low);
          counts[c]!++;
          if (gained > most[c]!) most[c] = gained;
          bits ^= low;
        }
      }
      fresh.add(0, gained);
    }
    if (node.capacity + caps.total(0, 0, node.room) < model.annualValue) return null;
    if (!node.leadOk && leadCoverers === 0) return null;
    let cell = -1;
    let cellCoverers = Infinity;
    if (anyUncovered) {
      let left = 0;
      // Dual bound on the members needed to cover what is left: charge each cell 1 over the
      // most any of its coverers could cover; no member is charged more than 1 in total.
      let members = 0;
      for (let c = 0; c < cellCount; c++) {
        if ((uncovered[c >>> 5]! & (1 << (c & 31))) === 0) continue;
        left++;
        const k = counts[c]!;
        if (k === 0) return null;
        members += 1 / most[c]!;
        if (k < cellCoverers) {
          cellCoverers = k;
          cell = c;
        }
      }
      // The room best coverers together must reach every uncovered cell.
      if (fresh.total(0, 0) < left || members > node.room + 1e-9) return null;
    }
    return { len, cell, cellCoverers, leadCoverers, restTop2: this.sums.total(0, 0, node.room - 1) };
  }
}

/** Running sums of the largest `room` values in several series. */
class TopSums {
  private readonly vals: Float64Array[];
  private readonly lens: Int32Array;
  private room: number;

  constructor(maxRoom: number, series: number) {
    this.room = maxRoom;
    this.vals = Array.from({ length: series }, () => new Float64Array(maxRoom));
    this.lens = new Int32Array(series);
  }

  reset(room = this.room): void {
    this.room = room;
    this.lens.fill(0);
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
