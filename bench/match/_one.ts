import { generateInstance } from './generator.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
const inst = generateInstance(process.argv[2] as 'large', Number(process.argv[3]));
const t = performance.now();
const r = solveMatchDetailed(inst, { maxNodes: Number(process.argv[4] ?? 1e9) });
console.log((performance.now() - t).toFixed(0), r.stats);
