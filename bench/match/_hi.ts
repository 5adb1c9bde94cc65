import { generateInstance } from './generator.js';
import { loadHighs, highsTopK } from './highs.oracle.js';
import { exhaustiveMatch } from './exhaustive.oracle.js';
import { solveMatch } from '../../src/core/matching/match.engine.js';
import { smallVariant } from '../../test/matching/variants.js';
const highs = await loadHighs();
let bad = 0;
for (let seed = 1; seed <= 15; seed++) {
  for (const v of ['as-generated', 'capacity-pressure', 'odd-weights', 'dense-partners', 'clones-and-equal-capacity'] as const) {
    const inst = smallVariant(seed, v);
    const h = highsTopK(highs, inst);
    const o = exhaustiveMatch(inst);
    const a = h.proposals.map((p) => p.members.join(',') + ':' + p.score).join(' | ');
    const b = o.proposals.map((p) => p.members.join(',') + ':' + p.score).join(' | ');
    if (a !== b) { bad++; console.log(seed, v, '\n H', a, '\n O', b); }
  }
}
console.log('bad', bad);
const inst = generateInstance({ orgs: 300, grid: 4, tenderAreas: 4, tenderServices: 5, maxMembers: 5, value: [500_000, 1_500_000] }, 3);
let t = performance.now();
const h = highsTopK(highs, inst);
console.log('highs', (performance.now() - t).toFixed(0), h.provenOptimal, h.solves, h.proposals.map((p) => p.score).join(','));
t = performance.now();
const e = solveMatch(inst);
console.log('engine', (performance.now() - t).toFixed(0), e.proposals.map((p) => p.score).join(','));
console.log(JSON.stringify(h.proposals.map(p => p.members)) === JSON.stringify(e.proposals.map(p => p.members)));
