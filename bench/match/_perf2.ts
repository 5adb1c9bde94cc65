import { generateInstance } from './generator.js';
import { compileModel } from '../../src/core/matching/match.model.js';
import { prunedRoles } from '../../src/core/matching/match.dominance.js';
import { searchTopK } from '../../src/core/matching/match.search.js';
const scale = (process.argv[2] ?? 'medium') as 'medium' | 'large';
const seeds = (process.argv[3] ?? '1').split(',').map(Number);
for (const seed of seeds) {
  const inst = generateInstance(scale, seed);
  let t = performance.now();
  const model = compileModel(inst);
  const tc = performance.now() - t; t = performance.now();
  const roles = prunedRoles(model, model.top + model.maxMembers - 1);
  const td = performance.now() - t; t = performance.now();
  let mem = 0, lead = 0, both = 0;
  for (let i = 0; i < model.n; i++) { mem += roles.asMember[i]!; lead += roles.asLead[i]!; both += roles.asMember[i]! & roles.asLead[i]!; }
  const r = searchTopK(model, roles, model.top);
  const ts = performance.now() - t;
  console.log(seed, { tc: tc.toFixed(0), td: td.toFixed(0), ts: ts.toFixed(0), nodes: r.nodes, mem, lead, both, elig: model.eligible.reduce((a, b) => a + b, 0), V: model.annualValue });
}
