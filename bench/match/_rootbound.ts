import { generateInstance } from './generator.js';
import { compileModel, popcount } from '../../src/core/matching/match.model.js';
import { prunedRoles } from '../../src/core/matching/match.dominance.js';
for (const seed of process.argv.slice(2).map(Number)) {
const inst = generateInstance('large', seed);
const m = compileModel(inst);
const roles = prunedRoles(m, m.top + m.maxMembers - 1);
const r = m.maxMembers; const W = m.words; const w = m.weights;
const vals: {b: number; l: number; d: number; home: string}[] = [];
for (let o = 0; o < m.n; o++) {
  if (!roles.asMember[o] && !roles.asLead[o]) continue;
  let l = 0, d = 0;
  for (let j = 0; j < W; j++) { l += popcount(m.loc[o*W+j]!); d += popcount(m.cov[o*W+j]!); }
  vals.push({ b: 2*m.beta[o]! + w.ties * Math.min(r-1, m.partners[o]!.length), l: 2*w.local*l, d: w.redundant*d, home: inst.orgs[o]!.home });
}
const top = (xs: number[]) => xs.sort((a,b)=>b-a).slice(0,r).filter(x=>x>0).reduce((s,x)=>s+x,0);
const C = m.cellCount;
const capL = 2*w.local*C, capR = 2*w.redundant*C;
const g = Math.min(top(vals.map(v=>v.b+v.l+v.d)), top(vals.map(v=>v.b+v.d))+capL, top(vals.map(v=>v.b+v.l))+capR, top(vals.map(v=>v.b))+capL+capR);
// per-area
const areas = new Map<string, number>(); for (const c of inst.tender.cells) areas.set(c.area, (areas.get(c.area) ?? 0) + 1);
function perArea(useD: boolean) {
  const incs: number[] = [];
  const groups = new Map<string, typeof vals>();
  for (const v of vals) groups.set(v.home, [...(groups.get(v.home) ?? []), v]);
  for (const [home, list] of groups) {
    const cap = 2*w.local*(areas.get(home) ?? 0);
    const a = list.map(v => v.b + (useD? v.d:0) + v.l).sort((x,y)=>y-x).slice(0,r);
    const b = list.map(v => v.b + (useD? v.d:0)).sort((x,y)=>y-x).slice(0,r);
    let sa = 0, sb = 0, prev = 0;
    for (let j = 0; j < Math.min(r, a.length); j++) { sa += a[j]!; sb += b[j]!; const F = Math.min(sa, sb + cap); incs.push(F - prev); prev = F; }
  }
  return top(incs);
}
const pa = Math.min(perArea(true), perArea(false) + capR);
console.log(seed, 'global', g/2, 'perArea', pa/2);
}
