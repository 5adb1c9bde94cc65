import { generateInstance } from './generator.js';
import { exhaustiveMatch } from './exhaustive.oracle.js';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
import { isDeepStrictEqual } from 'node:util';
function diff(a: unknown, b: unknown, path = ''): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) { const d = diff((a as any)[k], (b as any)[k], path + '.' + k); if (d) return d; }
  return `${path}: key order?`;
}
let bad = 0;
for (let seed = 1; seed <= 20; seed++) {
  const inst = generateInstance('small', seed);
  const o = exhaustiveMatch(inst);
  const e = solveMatchDetailed(inst);
  const d = diff(o, e.answer);
  if (d) { bad++; console.log(seed, d); }
}
console.log({ bad });
