import { generateInstance } from './generator.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
const configs: Record<string, (d: number) => number> = {
  none: () => 1,
  root: (d) => (d === 0 ? 30 : 1),
  shallow: (d) => (d <= 1 ? 12 : 3),
  all2: () => 2,
  deep: (d) => (d <= 2 ? 10 : 2),
};
for (const seed of process.argv.slice(2).map(Number)) {
  const inst = generateInstance('large', seed);
  for (const [name, f] of Object.entries(configs)) {
    (globalThis as any).ITERS = f;
    const t = performance.now();
    const r = solveMatchDetailed(inst, { maxNodes: 300000 });
    console.log(seed, name, (performance.now() - t).toFixed(0), r.stats.nodes, r.stats.provenOptimal, r.answer.proposals.map(p => p.score).join(','));
  }
}
