import { generateInstance } from './generator.js';
import { exhaustiveMatch } from './exhaustive.oracle.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
const inst = generateInstance('small', 13);
const o = exhaustiveMatch(inst);
const e = solveMatchDetailed(inst, {dominance: false});
for (const p of o.proposals) console.log('O', p.members.join(','), p.lead, p.score, JSON.stringify(p.breakdown));
for (const p of e.answer.proposals) console.log('E', p.members.join(','), p.lead, p.score, JSON.stringify(p.breakdown));
console.log(e.stats);
