import { generateInstance } from './generator.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
(globalThis as any).ITERS = () => 1;
const inst = generateInstance('large', Number(process.argv[2]));
const r = solveMatchDetailed(inst, { maxNodes: Number(process.argv[3] ?? 1e9) });
console.log(r.stats, (globalThis as any).CUT);
