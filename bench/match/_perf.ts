import { generateInstance } from './generator.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
const scale = (process.argv[2] ?? 'medium') as 'medium' | 'large';
const count = Number(process.argv[3] ?? 3);
const maxNodes = Number(process.argv[4] ?? 2e6);
for (let seed = 1; seed <= count; seed++) {
  const inst = generateInstance(scale, seed);
  const t0 = performance.now();
  const r = solveMatchDetailed(inst, { maxNodes });
  const ms = performance.now() - t0;
  console.log(seed, ms.toFixed(0) + 'ms', JSON.stringify(r.stats), r.answer.proposals.map((p) => p.score + '/' + p.members.length).join(' '));
}
