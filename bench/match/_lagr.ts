import { generateInstance } from './generator.js';
import { compileModel, popcount } from '../../src/core/matching/match.model.js';
import { prunedRoles } from '../../src/core/matching/match.dominance.js';
for (const seed of process.argv.slice(2).map(Number)) {
const inst = generateInstance('large', seed);
const m = compileModel(inst);
const roles = prunedRoles(m, m.top + m.maxMembers - 1);
const r = m.maxMembers; const W = m.words; const w = m.weights; const C = m.cellCount;
const orgs: number[] = []; const b: number[] = [], l: number[] = [], d: number[] = [];
for (let o = 0; o < m.n; o++) {
  if (!roles.asMember[o] && !roles.asLead[o]) continue;
  let ll = 0, dd = 0;
  for (let j = 0; j < W; j++) { ll += popcount(m.loc[o*W+j]!); dd += popcount(m.cov[o*W+j]!); }
  orgs.push(o); b.push(2*m.beta[o]! + w.ties * Math.min(r-1, m.partners[o]!.length)); l.push(2*w.local*ll); d.push(w.redundant*dd);
}
const capL = 2*w.local*C, capR = 2*w.redundant*C;
const cells = (o: number) => { const out: number[] = []; for (let c = 0; c < C; c++) if (m.cov[o*W+(c>>>5)]! & (1 << (c&31))) out.push(c); return out; };
const cellsOf = orgs.map(cells);
function L(mu: Float64Array, variant: number): { val: number; chosen: number[] } {
  const vals = orgs.map((_, i) => {
    let v = b[i]! + (variant & 1 ? 0 : l[i]!) + (variant & 2 ? 0 : d[i]!);
    for (const c of cellsOf[i]!) v += 2*mu[c]!;
    return { i, v };
  }).sort((x, y) => y.v - x.v).slice(0, r).filter(x => x.v > 0);
  let val = vals.reduce((s, x) => s + x.v, 0) + (variant & 1 ? capL : 0) + (variant & 2 ? capR : 0);
  for (let c = 0; c < C; c++) val -= 2*mu[c]!;
  return { val: val/2, chosen: vals.map(x => x.i) };
}
let bestAll = Infinity;
for (let variant = 0; variant < 4; variant++) {
  const mu = new Float64Array(C);
  let best = Infinity; let step = 5;
  for (let it = 0; it < 200; it++) {
    const { val, chosen } = L(mu, variant);
    if (val < best) best = val;
    const g = new Float64Array(C).fill(-1);
    for (const i of chosen) for (const c of cellsOf[i]!) g[c]! += 1;
    for (let c = 0; c < C; c++) mu[c] = Math.max(0, mu[c]! - step * g[c]!);
    if (it % 20 === 19) step *= 0.6;
  }
  console.log(seed, 'variant', variant, 'lagrangian', best, 'mu0', L(new Float64Array(C), variant).val);
  bestAll = Math.min(bestAll, best);
}
console.log(seed, 'best', bestAll);
}
{
const seed = Number(process.argv[2]);
const inst = generateInstance('large', seed);
const m = compileModel(inst);
const roles = prunedRoles(m, m.top + m.maxMembers - 1);
const W = m.words;
const rows: any[] = [];
for (let o = 0; o < m.n; o++) {
  if (!roles.asMember[o] && !roles.asLead[o]) continue;
  let ll = 0, dd = 0;
  for (let j = 0; j < W; j++) { ll += popcount(m.loc[o*W+j]!); dd += popcount(m.cov[o*W+j]!); }
  rows.push({ id: m.ids[o], beta: m.beta[o], l: ll, d: dd, p: m.partners[o]!.length, v: m.beta[o]! + 10*ll + dd + 1.5*Math.min(7, m.partners[o]!.length) });
}
rows.sort((a, b) => b.v - a.v);
console.table(rows.slice(0, 20));
}
