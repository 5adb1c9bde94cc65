import { exhaustiveMatch } from './exhaustive.oracle.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
import { smallVariant, VARIANTS } from '../../test/matching/variants.js';
import { isDeepStrictEqual } from 'node:util';
function diff(a: unknown, b: unknown, path = ''): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) { const d = diff((a as any)[k], (b as any)[k], path + '.' + k); if (d) return d; }
  return `${path}: key order?`;
}
let bad = 0; const feas: Record<string, number> = {};
for (const v of VARIANTS) for (let seed = 1; seed <= Number(process.argv[2] ?? 20); seed++) {
  const inst = smallVariant(seed, v);
  const o = exhaustiveMatch(inst);
  feas[v] = (feas[v] ?? 0) + (o.feasible ? 1 : 0);
  for (const dom of [true, false]) {
    const e = solveMatchDetailed(inst, { dominance: dom });
    const d = diff(o, e.answer);
    if (d) { bad++; if (bad < 15) console.log(v, seed, dom, d); }
  }
}
console.log({ bad, feas });
