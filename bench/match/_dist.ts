import { generateInstance } from './generator.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
const [scale, from, to, maxNodes] = [process.argv[2] as 'large', Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 200000)];
const times: number[] = [];
for (let seed = from; seed <= to; seed++) {
  const inst = generateInstance(scale, seed);
  const t = performance.now();
  const r = solveMatchDetailed(inst, { maxNodes });
  const ms = performance.now() - t; times.push(ms);
  console.log(seed, ms.toFixed(0), r.stats.nodes, r.stats.provenOptimal, r.answer.feasible);
}
times.sort((a, b) => a - b); console.log('median', times[Math.floor(times.length / 2)]!.toFixed(0));
