import { generateInstance } from './generator.js';
import { solveMatch } from '../../src/core/matching/match.engine.js';
const seed = Number(process.argv[2]);
const inst = generateInstance((process.argv[3] ?? 'large') as 'large', seed);
const a = solveMatch(inst, { maxNodes: Number(process.argv[4] ?? 1e9) });
for (const p of a.proposals) {
  console.log(p.score, JSON.stringify(p.breakdown));
  for (const id of p.members) { const o = inst.orgs.find(x => x.id === id)!; const cells = Object.entries(p.coverage).filter(([,v]) => v.includes(id)).length; console.log('  ', id, o.home, o.services.join('/'), o.areas.length, 'inc', o.income, 'cap', o.capacity, 'bids', o.activeBids, 'lead', o.canLead, 'cells', cells, 'p', o.partners.length); }
}
