/**
 * MILP oracle: the MATCHING.md model solved by HiGHS (WebAssembly), written independently of
 * the engine. Top-k by no-good cuts: each proposal is the best set not found before.
 *
 * Variables: x_o ∈ {0,1} per organisation that could be in any consortium (covers a cell or
 * can lead; the others could only be idle non-leads, which the model forbids anyway);
 * u_i ∈ [0,1] per eligible lead in lead order, u_i = "one of the first i leads is in", forced
 * to that OR by u_i ≥ u_{i-1}, u_i ≥ x_i, u_i ≤ u_{i-1} + x_i, so u_i − u_{i-1} = 1 exactly
 * for the lead of the set; ℓ_c (cell c local), ρ_c (cell c covered twice), t_e (partner pair
 * both in). Constraints: every cell covered, u_last = 1 (a lead), Σx ≤ M, Σ capacity·x ≥ V,
 * and an organisation covering nothing is in only as the lead: x_i ≤ u_i − u_{i-1}. ℓ, ρ and
 * t are linearised in the direction their weight pushes them (ℓ_c ≤ Σ local coverers for a
 * positive weight, ℓ_c ≥ each of them for a negative one; ρ_c ≤ Σ coverers − 1, or binary
 * with (deg − 1)·ρ_c ≥ Σ − 1; t ≤ x_a, x_b, or t ≥ x_a + x_b − 1).
 *
 * Order: stage A maximises (M+1)·score − |S|, which is exact integer arithmetic for "higher
 * score, then fewer members"; stage B fixes that value and maximises total capacity. The
 * last tie-break (sorted ids) is not modelled: when two sets tie on score, size and capacity
 * HiGHS returns either. Scores and capacities reported here are recomputed literally from
 * the returned sets, not read from the solver.
 */
import * as highsModule from 'highs';
import type { Highs, Model } from 'highs';
import { literalModel } from './exhaustive.oracle.js';
import type { MatchInstance } from '../../src/core/matching/match.types.js';

export interface HighsProposal {
  members: string[];
  score: number;
  capacity: number;
}

export interface HighsResult {
  proposals: HighsProposal[];
  /** False when a solve hit its time limit, so the list may be wrong or short. */
  provenOptimal: boolean;
  /** How many leading proposals were proven before any limit was hit. */
  provenCount: number;
  solves: number;
  ms: number;
}

export interface HighsOptions {
  /**
   * Seconds for the whole top-k; each solve gets what is left (each proposal takes two).
   * When it runs out the answer so far is returned with `provenOptimal: false`.
   * @defaultValue 600
   */
  budget?: number;
  top?: number;
}

// The package's typings describe its CommonJS build; under ESM its default export is the
// loader itself, which TypeScript cannot see, hence the cast.
const highsLoader = (highsModule as unknown as { default: () => Promise<Highs> }).default;

let loaded: Promise<Highs> | null = null;

export function loadHighs(): Promise<Highs> {
  loaded ??= highsLoader();
  return loaded;
}

interface Row {
  lower: number;
  upper: number;
  cols: number[];
  vals: number[];
}

export function highsTopK(highs: Highs, instance: MatchInstance, opts: HighsOptions = {}): HighsResult {
  const started = performance.now();
  const lit = literalModel(instance);
  const { weights: w, M, V, cells, pool } = lit;
  const top = opts.top ?? instance.top ?? 5;
  const inf = highs.infinity;

  // Columns.
  const cost: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const integer: number[] = [];
  const addCol = (c: number, lo: number, hi: number, isInt: boolean): number => {
    cost.push(c);
    lower.push(lo);
    upper.push(hi);
    integer.push(isInt ? 1 : 0);
    return cost.length - 1;
  };
  const scale = M + 1;
  const usable = pool.map((_, i) => lit.leadFlags[i]! || lit.coverRows[i]!.some(Boolean));
  const xCol = new Map<number, number>();
  pool.forEach((o, i) => {
    if (!usable[i]) return;
    const beta = w.members + (o.income < 1_000_000 ? w.small : 0) + w.busy * Math.min(o.activeBids, 3);
    xCol.set(i, addCol(scale * beta - 1, 0, 1, true));
  });
  const rows: Row[] = [];
  const row = (lo: number, hi: number, cols: number[], vals: number[]): void => {
    rows.push({ lower: lo, upper: hi, cols, vals });
  };
  const xs = [...xCol.values()];

  // Lead chain.
  const leads = pool.map((_, i) => i).filter((i) => lit.leadFlags[i]);
  leads.sort((a, b) => lit.leadOrder(pool[a]!, pool[b]!));
  if (leads.length === 0) return { proposals: [], provenOptimal: true, provenCount: 0, solves: 0, ms: performance.now() - started };
  let prevU = -1;
  leads.forEach((i, k) => {
    const x = xCol.get(i)!;
    const u = addCol(0, k === leads.length - 1 ? 1 : 0, 1, false);
    if (prevU >= 0) row(0, inf, [u, prevU], [1, -1]);
    row(0, inf, [u, x], [1, -1]);
    row(-inf, 0, prevU >= 0 ? [u, prevU, x] : [u, x], prevU >= 0 ? [1, -1, -1] : [1, -1]);
    if (!lit.coverRows[i]!.some(Boolean)) row(-inf, 0, prevU >= 0 ? [x, u, prevU] : [x, u], prevU >= 0 ? [1, -1, 1] : [1, -1]);
    prevU = u;
  });

  // Cells: cover, local, redundant.
  cells.forEach((cell, c) => {
    const coverers = [...xCol.keys()].filter((i) => lit.coverRows[i]![c]);
    const cx = coverers.map((i) => xCol.get(i)!);
    row(1, inf, cx, cx.map(() => 1));
    const locals = coverers.filter((i) => pool[i]!.home === cell.area).map((i) => xCol.get(i)!);
    if (w.local !== 0 && locals.length > 0) {
      const l = addCol(scale * w.local, 0, 1, false);
      if (w.local > 0) row(-inf, 0, [l, ...locals], [1, ...locals.map(() => -1)]);
      else for (const x of locals) row(0, inf, [l, x], [1, -1]);
    }
    if (w.redundant !== 0 && cx.length >= 2) {
      if (w.redundant > 0) {
        const r = addCol(scale * w.redundant, 0, 1, false);
        row(-inf, -1, [r, ...cx], [1, ...cx.map(() => -1)]);
      } else {
        const r = addCol(scale * w.redundant, 0, 1, true);
        row(-1, inf, [r, ...cx], [cx.length - 1, ...cx.map(() => -1)]);
      }
    }
  });

  // Partner ties, symmetric: one pair per edge.
  if (w.ties !== 0) {
    const indexOf = new Map(pool.map((o, i) => [o.id, i]));
    const seen = new Set<string>();
    pool.forEach((o, a) => {
      for (const pid of o.partners) {
        const b = indexOf.get(pid);
        if (b === undefined || b === a || !usable[a] || !usable[b]) continue;
        const key = a < b ? `${a},${b}` : `${b},${a}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const xa = xCol.get(a)!;
        const xb = xCol.get(b)!;
        const t = addCol(scale * w.ties, 0, 1, false);
        if (w.ties > 0) {
          row(-inf, 0, [t, xa], [1, -1]);
          row(-inf, 0, [t, xb], [1, -1]);
        } else {
          row(-1, inf, [t, xa, xb], [1, -1, -1]);
        }
      }
    });
  }

  row(-inf, M, xs, xs.map(() => 1));
  row(V, inf, xs, [...xCol.keys()].map((i) => pool[i]!.capacity));

  const model = highs.createModel(toModelData(highs, cost, lower, upper, integer, rows));
  const proposals: HighsResult['proposals'] = [];
  let proven = true;
  let provenCount = 0;
  let solves = 0;
  try {
    const deadline = started + 1000 * (opts.budget ?? 600);
    const left = (): number => Math.max(0.01, (deadline - performance.now()) / 1000);
    model.options.set({ output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0.5 });
    const { maximize } = highs.constants.objectiveSense;
    const status = highs.constants.modelStatus;
    const capCosts: number[] = new Array<number>(cost.length).fill(0);
    for (const [i, col] of xCol) capCosts[col] = pool[i]!.capacity;
    const inOrder = [...xCol.entries()];
    for (let k = 0; k < top; k++) {
      // Stage A: best (M+1)·score − |S|.
      model.changeObjectiveSense(maximize);
      model.changeColsCost({ kind: 'range', from: 0, to: cost.length - 1 }, cost);
      model.options.set({ time_limit: left() });
      const a = model.run();
      solves++;
      if (a.modelStatus === status.infeasible) break;
      if (a.modelStatus !== status.optimal) proven = false;
      if (!hasSolution(model) || a.modelStatus !== status.optimal) break;
      const value = Math.round(model.getObjectiveValue());
      const start = model.getSolution().colValue;
      // Stage B: among those, the most capacity, starting from stage A's answer.
      const fix = model.getDimensions().numRows;
      model.addRow(value - 0.5, inf, { indices: cost.map((_, j) => j).filter((j) => cost[j] !== 0), values: cost.filter((c) => c !== 0) });
      model.changeColsCost({ kind: 'range', from: 0, to: cost.length - 1 }, capCosts);
      model.setSolution({ colValue: start });
      model.options.set({ time_limit: left() });
      const b = model.run();
      solves++;
      if (b.modelStatus !== status.optimal) proven = false;
      const solution = hasSolution(model) ? model.getSolution().colValue : null;
      model.deleteRows({ kind: 'range', from: fix, to: fix });
      if (solution === null) break;
      const members = inOrder.filter(([, col]) => solution[col]! > 0.5).map(([i]) => pool[i]!.id);
      const scored = lit.scoreIds(members);
      proposals.push({ members: scored.ids, score: scored.score, capacity: scored.capacity });
      if (proven) provenCount = proposals.length;
      // No-good cut: not exactly this set again.
      const inSet = new Set(members);
      model.addRow(-inf, members.length - 1, {
        indices: inOrder.map(([, col]) => col),
        values: inOrder.map(([i]) => (inSet.has(pool[i]!.id) ? 1 : -1)),
      });
    }
  } finally {
    model.dispose();
  }
  return { proposals, provenOptimal: proven, provenCount, solves, ms: performance.now() - started };
}

function hasSolution(model: Model): boolean {
  return Number(model.info.get('primal_solution_status')) === 2;
}

function toModelData(highs: Highs, cost: number[], lower: number[], upper: number[], integer: number[], rows: Row[]) {
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const r of rows) {
    indices.push(...r.cols);
    values.push(...r.vals);
    starts.push(indices.length);
  }
  return {
    numCols: cost.length,
    numRows: rows.length,
    sense: highs.constants.objectiveSense.maximize,
    colCost: cost,
    colLower: lower,
    colUpper: upper,
    rowLower: rows.map((r) => r.lower),
    rowUpper: rows.map((r) => r.upper),
    matrix: { format: 'csr' as const, numRows: rows.length, numCols: cost.length, starts, indices, values },
    integrality: integer as (0 | 1)[],
  };
}
