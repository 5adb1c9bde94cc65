import { generateInstance } from './generator.js';
import { compileModel } from '../../src/core/matching/match.model.js';
import { prunedRoles } from '../../src/core/matching/match.dominance.js';
const seed = Number(process.argv[2]);
const inst = generateInstance((process.argv[3] ?? 'large') as 'large', seed);
const model = compileModel(inst);
const roles = prunedRoles(model, model.top + model.maxMembers - 1);
console.log('V', inst.tender.annualValue, 'L', inst.tender.leadMinIncome, 'leadAccs', inst.tender.leadAccreditations);
const cells = inst.tender.cells;
const areas = [...new Set(cells.map(c => c.area))];
const services = [...new Set(cells.map(c => c.service + (c.accreditation ? '/' + c.accreditation : '')))];
console.log('areas', areas, 'services', services);
const cnt = model.coverers.map((l) => l.filter((o) => roles.asMember[o] || roles.asLead[o]).length);
console.log('coverers (pruned)', cnt.join(' '));
console.log('coverers (all)', model.coverers.map(l => l.length).join(' '));
// local-capable per cell
const locals = cells.map((_, c) => { let k = 0; for (let o = 0; o < model.n; o++) if ((roles.asMember[o] || roles.asLead[o]) && (model.loc[o * model.words + (c >>> 5)]! & (1 << (c & 31)))) k++; return k; });
console.log('local coverers', locals.join(' '));
