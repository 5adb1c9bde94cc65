import { generateInstance } from './generator.js';
import { loadHighs, highsTopK } from './highs.oracle.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
const highs = await loadHighs();
const scale = process.argv[2] as 'medium' | 'large';
for (const seed of process.argv.slice(3).map(Number)) {
  const inst = generateInstance(scale, seed);
  let t = performance.now();
  const e = solveMatchDetailed(inst, { maxNodes: 300000 });
  const te = performance.now() - t;
  t = performance.now();
  const h = highsTopK(highs, inst, { timeLimit: 60 });
  console.log(seed, 'engine', te.toFixed(0), e.stats.provenOptimal, e.answer.proposals.map((p) => p.score).join(','), '| highs', (performance.now() - t).toFixed(0), h.provenOptimal, h.solves, h.proposals.map((p) => p.score).join(','),
    JSON.stringify(h.proposals.map((p) => p.members)) === JSON.stringify(e.answer.proposals.map((p) => p.members)));
}
