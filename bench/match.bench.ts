/**
 * Matching benchmark (MATCHING.md, Benchmark): seeded instances at three scales; on each, the
 * engine, the oracle (exhaustive enumeration for small, the HiGHS MILP for all scales) and the
 * status-quo baseline. Prints one JSON line per (instance, method), then a summary table, then
 * one JSON line of headline figures per scale.
 *
 *   npm run bench:match                 # small 50, medium 7, large 5
 *   npm run bench:match -- --quick      # small 10, medium 2, large 1
 *   options: --scales=small,medium  --highs-budget=SECONDS (per instance, per scale default)
 *
 * Engines run first for every scale so that the engine's peak RSS is measured before HiGHS
 * (WebAssembly) is loaded; HiGHS gets a time budget per instance and reports honestly when it
 * runs out (provenOptimal false).
 */
import { isDeepStrictEqual } from 'node:util';
import { solveMatchDetailed } from '../src/core/matching/match.engine.js';
import type { MatchAnswer, MatchInstance } from '../src/core/matching/match.types.js';
import { generateInstance } from './match/generator.js';
import type { Scale } from './match/generator.js';
import { exhaustiveMatch } from './match/exhaustive.oracle.js';
import { highsTopK, loadHighs } from './match/highs.oracle.js';
import type { HighsResult } from './match/highs.oracle.js';
import { statusQuo } from './match/baseline.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const scales = (option('scales') ?? 'small,medium,large').split(',') as Scale[];
const COUNTS: Record<Scale, number> = quick ? { small: 10, medium: 2, large: 1 } : { small: 50, medium: 7, large: 5 };
const BUDGET: Record<Scale, number> = { small: 30, medium: 30, large: 45 };
const budgetOverride = option('highs-budget');

interface Row {
  scale: Scale;
  seed: number;
  instance: MatchInstance;
  engine: { answer: MatchAnswer; ms: number; proven: boolean; nodes: number };
  baseline: ReturnType<typeof statusQuo>;
  exhaustive?: { answer: MatchAnswer; ms: number };
  highs?: HighsResult;
}

function line(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function best(answer: MatchAnswer): { score: number | null; members: string[] } {
  const p = answer.proposals[0];
  return p === undefined ? { score: null, members: [] } : { score: p.score, members: p.members };
}

const rows: Row[] = [];

// Warm the JIT on one throwaway instance so the first timed run is not penalised.
solveMatchDetailed(generateInstance('small', 9999));

// Phase 1: engine and baseline.
for (const scale of scales) {
  for (let seed = 1; seed <= COUNTS[scale]; seed++) {
    const instance = generateInstance(scale, seed);
    const t0 = performance.now();
    const solved = solveMatchDetailed(instance);
    const ms = performance.now() - t0;
    const baseline = statusQuo(instance);
    const row: Row = {
      scale,
      seed,
      instance,
      engine: { answer: solved.answer, ms, proven: solved.stats.provenOptimal, nodes: solved.stats.nodes },
      baseline,
    };
    rows.push(row);
    line({ scale, seed, method: 'engine', ms: round(ms), ...best(solved.answer), topScores: solved.answer.proposals.map((p) => p.score), provenOptimal: solved.stats.provenOptimal, nodes: solved.stats.nodes });
    line({
      scale,
      seed,
      method: 'baseline',
      ms: null,
      score: baseline.set?.score ?? null,
      members: baseline.set?.ids ?? [],
      feasible: baseline.feasible,
      provenOptimal: false,
    });
  }
}
const engineRssMb = process.resourceUsage().maxRSS / 1024;

// Phase 2: oracles.
const highs = await loadHighs();
for (const row of rows) {
  const { scale, seed, instance } = row;
  if (scale === 'small') {
    const t0 = performance.now();
    const answer = exhaustiveMatch(instance);
    row.exhaustive = { answer, ms: performance.now() - t0 };
    line({ scale, seed, method: 'exhaustive', ms: round(row.exhaustive.ms), ...best(answer), topScores: answer.proposals.map((p) => p.score), provenOptimal: true, agrees: isDeepStrictEqual(answer, row.engine.answer) });
  }
  const budget = budgetOverride === undefined ? BUDGET[scale] : Number(budgetOverride);
  row.highs = highsTopK(highs, instance, { budget });
  const h = row.highs;
  line({
    scale,
    seed,
    method: 'highs',
    ms: round(h.ms),
    score: h.proposals[0]?.score ?? null,
    members: h.proposals[0]?.members ?? [],
    topScores: h.proposals.map((p) => p.score),
    provenOptimal: h.provenOptimal,
    solves: h.solves,
    agrees: highsAgreement(row),
  });
}
const overallRssMb = process.resourceUsage().maxRSS / 1024;

/**
 * exact: same sets and scores; tuples: same (score, size, capacity) list; when HiGHS ran out
 * of time, the same comparison on the proposals it had proven ('prefix-…'), or 'unproven'.
 */
function highsAgreement(row: Row): 'exact' | 'tuples' | 'differs' | 'prefix-exact' | 'prefix-tuples' | 'prefix-differs' | 'unproven' {
  const h = row.highs!;
  if (!h.provenOptimal) {
    if (h.provenCount === 0) return 'unproven';
    const verdict = compareLists(row, row.engine.answer.proposals.slice(0, h.provenCount), h.proposals.slice(0, h.provenCount));
    return `prefix-${verdict}`;
  }
  return compareLists(row, row.engine.answer.proposals, h.proposals);
}

function compareLists(
  row: Row,
  engine: { members: string[]; score: number }[],
  milp: { members: string[]; score: number }[],
): 'exact' | 'tuples' | 'differs' {
  const same = (a: { members: string[]; score: number }[], b: { members: string[]; score: number }[]): boolean =>
    isDeepStrictEqual(
      a.map((p) => [p.members, p.score]),
      b.map((p) => [p.members, p.score]),
    );
  if (same(engine, milp)) return 'exact';
  const capacityOf = new Map(row.instance.orgs.map((o) => [o.id, o.capacity]));
  const tuple = (p: { members: string[]; score: number }): [number, number, number] => [
    p.score,
    p.members.length,
    p.members.reduce((s, id) => s + capacityOf.get(id)!, 0),
  ];
  return isDeepStrictEqual(engine.map(tuple), milp.map(tuple)) ? 'tuples' : 'differs';
}

// Summary.
interface Headline {
  instances: number;
  engine: { medianMs: number; p95Ms: number; proven: string };
  exhaustive?: { medianMs: number; p95Ms: number };
  highs: { medianMs: number; p95Ms: number; proven: string };
  ratioHighsToEngine: number;
  agreement: {
    exhaustive?: string;
    highsExact: string;
    highsTuples: string;
    highsUnproven: number;
    /** Of the instances HiGHS did not finish, those whose proven leading proposals agree. */
    highsPrefixAgrees: string;
    highsProvenProposals: number;
  };
  smallShare: { engine: number; baseline: number };
  localCoverage: { engine: number; baseline: number };
  baselineFeasible: string;
  engineScoreOverBaseline: number | null;
}
const headline: Record<string, Headline | number | string | boolean> = {};
const table: string[][] = [
  ['scale', 'n', 'engine med/p95 ms', 'highs med/p95 ms', 'ratio', 'exhaustive agree', 'highs agree', 'small share eng/base', 'local cover eng/base'],
];
for (const scale of scales) {
  const rs = rows.filter((r) => r.scale === scale);
  if (rs.length === 0) continue;
  const n = rs.length;
  const engineMs = rs.map((r) => r.engine.ms);
  const highsMs = rs.map((r) => r.highs!.ms);
  const verdicts = rs.map(highsAgreement);
  const exact = verdicts.filter((v) => v === 'exact').length;
  const tuples = verdicts.filter((v) => v === 'exact' || v === 'tuples').length;
  const unproven = verdicts.filter((v) => v.startsWith('prefix') || v === 'unproven').length;
  const prefixAgree = verdicts.filter((v) => v === 'prefix-exact' || v === 'prefix-tuples').length;
  const provenProposals = rs.reduce((s, r) => s + r.highs!.provenCount, 0);
  const exhaustiveAgree = rs.filter((r) => r.exhaustive && isDeepStrictEqual(r.exhaustive.answer, r.engine.answer)).length;
  const share = (members: string[], r: Row): number => {
    const small = new Set(r.instance.orgs.filter((o) => o.income < 1_000_000).map((o) => o.id));
    return members.length === 0 ? 0 : members.filter((id) => small.has(id)).length / members.length;
  };
  const engineSets = rs.filter((r) => r.engine.answer.feasible);
  const baseSets = rs.filter((r) => r.baseline.set !== null);
  const engineShare = mean(engineSets.map((r) => share(r.engine.answer.proposals[0]!.members, r)));
  const baseShare = mean(baseSets.map((r) => share(r.baseline.set!.ids, r)));
  const engineLocal = mean(engineSets.map((r) => r.engine.answer.proposals[0]!.breakdown.local / r.instance.tender.cells.length));
  const baseLocal = mean(baseSets.map((r) => r.baseline.set!.breakdown.local / r.instance.tender.cells.length));
  const both = rs.filter((r) => r.engine.answer.feasible && r.baseline.feasible);
  const h: Headline = {
    instances: n,
    engine: { medianMs: round(median(engineMs)), p95Ms: round(p95(engineMs)), proven: `${rs.filter((r) => r.engine.proven).length}/${n}` },
    highs: { medianMs: round(median(highsMs)), p95Ms: round(p95(highsMs)), proven: `${n - unproven}/${n}` },
    ratioHighsToEngine: round(median(highsMs) / median(engineMs)),
    agreement: {
      highsExact: `${exact}/${n}`,
      highsTuples: `${tuples}/${n}`,
      highsUnproven: unproven,
      highsPrefixAgrees: `${prefixAgree}/${unproven}`,
      highsProvenProposals: provenProposals,
    },
    smallShare: { engine: round(engineShare, 3), baseline: round(baseShare, 3) },
    localCoverage: { engine: round(engineLocal, 3), baseline: round(baseLocal, 3) },
    baselineFeasible: `${rs.filter((r) => r.baseline.feasible).length}/${n}`,
    engineScoreOverBaseline: both.length === 0 ? null : round(mean(both.map((r) => r.engine.answer.proposals[0]!.score - r.baseline.set!.score)), 1),
  };
  if (scale === 'small') {
    const ex = rs.map((r) => r.exhaustive!.ms);
    h.exhaustive = { medianMs: round(median(ex)), p95Ms: round(p95(ex)) };
    h.agreement.exhaustive = `${exhaustiveAgree}/${n}`;
  }
  headline[scale] = h;
  table.push([
    scale,
    String(n),
    `${h.engine.medianMs} / ${h.engine.p95Ms}`,
    `${h.highs.medianMs} / ${h.highs.p95Ms}`,
    `${h.ratioHighsToEngine}x`,
    h.agreement.exhaustive ?? '-',
    `${exact}/${n} exact, ${tuples}/${n} tuples${unproven ? `; ${unproven} unfinished, proven prefix agrees ${prefixAgree}/${unproven}` : ''}`,
    `${h.smallShare.engine} / ${h.smallShare.baseline}`,
    `${h.localCoverage.engine} / ${h.localCoverage.baseline}`,
  ]);
}
headline.peakRssMb = round(overallRssMb);
headline.enginePeakRssMb = round(engineRssMb);
headline.quick = quick;
headline.node = process.version;

const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
process.stdout.write('\n');
for (const r of table) process.stdout.write(`${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}\n`);
process.stdout.write(
  `\nengine peak RSS ${round(engineRssMb)} MB (before HiGHS is loaded); process peak ${round(overallRssMb)} MB. ratio = highs median / engine median.\n`,
);
line({ matchBench: headline });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank 95th percentile. */
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.95 * s.length) - 1)]!;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
