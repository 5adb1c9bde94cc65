/**
 * The best partial consortium for the gap report: at most M members, nobody but the lead
 * covering nothing, the most cells covered, then the highest score, then MATCHING.md's order.
 * Same enumeration as the main search (child i takes L[i] and bans L[0..i-1]), with a bound
 * on the cells and on the score any completion could still add.
 */
import { compareEvaluated, evaluateSet, popcount } from './match.model.js';
import type { Evaluated, MatchModel } from './match.model.js';
import type { Roles } from './match.dominance.js';

export interface PartialResult {
  best: Evaluated | null;
  nodes: number;
  complete: boolean;
}

export function searchBestPartial(model: MatchModel, roles: Roles, maxNodes = Infinity): PartialResult {
  const pool: number[] = [];
  for (let o = 0; o < model.n; o++) if (roles.asMember[o] === 1 || roles.asLead[o] === 1) pool.push(o);
  const state: State = { model, roles, best: null, nodes: 0, maxNodes, stopped: false };
  grow(state, [], pool, new Uint32Array(model.words), new Uint32Array(model.words), new Uint32Array(model.words));
  return { best: state.best, nodes: state.nodes, complete: !state.stopped };
}

interface State {
  model: MatchModel;
  roles: Roles;
  best: Evaluated | null;
  nodes: number;
  maxNodes: number;
  stopped: boolean;
}

function better(model: MatchModel, a: Evaluated, b: Evaluated | null): boolean {
  if (b === null) return true;
  if (a.coveredCells !== b.coveredCells) return a.coveredCells > b.coveredCells;
  return compareEvaluated(model, a, b) < 0;
}

function topOf(model: MatchModel, set: readonly number[]): number {
  let top = -1;
  for (const m of set) if (model.eligible[m] === 1 && (top < 0 || model.rank[m]! < model.rank[top]!)) top = m;
  return top;
}

function grow(
  s: State,
  set: number[],
  cand: number[],
  once: Uint32Array,
  twice: Uint32Array,
  local: Uint32Array,
): void {
  if (s.stopped) return;
  if (++s.nodes > s.maxNodes) {
    s.stopped = true;
    return;
  }
  const { model, roles } = s;
  const W = model.words;
  const top = topOf(model, set);
  let current: Evaluated | null = null;
  if (set.length > 0 && (top < 0 || roles.asLead[top] === 1)) {
    current = evaluateSet(model, set);
    if (better(model, current, s.best)) s.best = current;
  }
  const room = model.maxMembers - set.length;
  if (room === 0 || cand.length === 0) return;

  // Bounds: cells still coverable, and the doubled score gain (as in the main search).
  const w = model.weights;
  const wl = Math.max(0, w.local);
  const wr = Math.max(0, w.redundant);
  const fresh: number[] = [];
  const gain2: number[] = [];
  const key = new Map<number, number>();
  for (const o of cand) {
    let f = 0;
    let l = 0;
    let d1 = 0;
    let d0 = 0;
    for (let j = 0; j < W; j++) {
      const c = model.cov[o * W + j]!;
      f += popcount(c & ~once[j]!);
      l += popcount(model.loc[o * W + j]! & ~local[j]!);
      d1 += popcount(c & once[j]! & ~twice[j]!);
      d0 += popcount(c & ~once[j]!);
    }
    let tp = 0;
    for (const p of model.partners[o]!) if (set.includes(p)) tp++;
    const tf = Math.min(room - 1, model.partners[o]!.length - tp);
    const t2 = w.ties > 0 ? w.ties * (2 * tp + tf) : 2 * w.ties * tp;
    const g = 2 * model.beta[o]! + t2 + 2 * wl * l + wr * (2 * d1 + d0);
    fresh.push(f);
    gain2.push(g);
    key.set(o, f * 1e9 + g);
  }
  const coveredNow = popcountAll(once, W);
  const coverBound = Math.min(model.cellCount, coveredNow + sumTop(fresh, room));
  const best = s.best;
  if (best !== null) {
    if (coverBound < best.coveredCells) return;
    const scoreNow = current?.score ?? evaluateSet(model, set).score;
    if (coverBound === best.coveredCells && scoreNow + Math.floor(sumTop(gain2, room) / 2) < best.score) return;
  }

  const order = [...cand].sort((a, b) => key.get(b)! - key.get(a)! || a - b);
  const banned = new Set<number>();
  for (const o of order) {
    const nextSet = [...set, o];
    const nextTop = topOf(model, nextSet);
    const leadOnly = nextSet.find((m) => roles.asMember[m] === 0);
    banned.add(o);
    const next: number[] = [];
    for (const q of cand) {
      if (banned.has(q)) continue;
      const outranks = model.eligible[q] === 1 && (nextTop < 0 || model.rank[q]! < model.rank[nextTop]!);
      if (outranks ? leadOnly !== undefined : roles.asMember[q] === 0) continue;
      next.push(q);
    }
    const nOnce = new Uint32Array(W);
    const nTwice = new Uint32Array(W);
    const nLocal = new Uint32Array(W);
    for (let j = 0; j < W; j++) {
      const c = model.cov[o * W + j]!;
      nTwice[j] = twice[j]! | (c & once[j]!);
      nOnce[j] = once[j]! | c;
      nLocal[j] = local[j]! | model.loc[o * W + j]!;
    }
    grow(s, nextSet, next, nOnce, nTwice, nLocal);
    if (s.stopped) return;
  }
}

function popcountAll(bits: Uint32Array, words: number): number {
  let n = 0;
  for (let j = 0; j < words; j++) n += popcount(bits[j]!);
  return n;
}

/** Sum of the `room` largest positive values. */
function sumTop(values: number[], room: number): number {
  const sorted = values.filter((v) => v > 0).sort((a, b) => b - a);
  let sum = 0;
  for (let i = 0; i < room && i < sorted.length; i++) sum += sorted[i]!;
  return sum;
}
