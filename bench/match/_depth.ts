import { generateInstance } from './generator.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
const inst = generateInstance('large', Number(process.argv[2]));
const r = solveMatchDetailed(inst, { maxNodes: Number(process.argv[3] ?? 1e9) });
console.log(r.stats);
for (const [d, v] of Object.entries((globalThis as any).DEPTH)) { const a = v as number[]; console.log(d, 'visited', a[0], 'survived', a[1], 'avgCand', (a[2]!/a[0]!).toFixed(0), 'avgKept', (a[3]!/a[1]!).toFixed(0)); }
