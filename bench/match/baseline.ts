/**
 * The status quo (MATCHING.md, Benchmark): the largest eligible lead first, then the
 * largest organisations that cover the most uncovered cells, which is how consortia tend to
 * form without help. Largest means highest income. When every cell is covered but capacity
 * falls short, the largest remaining organisations that cover something join until it is
 * met or the consortium is full. One consortium, not a ranked list.
 */
import { literalModel } from './exhaustive.oracle.js';
import type { Scored } from './exhaustive.oracle.js';
import type { MatchInstance } from '../../src/core/matching/match.types.js';

export interface BaselineResult {
  /** The consortium formed, scored literally; null when there is no eligible lead at all. */
  set: Scored | null;
  feasible: boolean;
}

export function statusQuo(instance: MatchInstance): BaselineResult {
  const lit = literalModel(instance);
  const { pool, cells, M, V, coverRows, leadFlags } = lit;
  const bySize = pool.map((_, i) => i).sort((a, b) => pool[b]!.income - pool[a]!.income || a - b);
  const leadIdx = bySize.find((i) => leadFlags[i]);
  if (leadIdx === undefined) return { set: null, feasible: false };
  const chosen = [leadIdx];
  const covered = cells.map((_, c) => coverRows[leadIdx]![c]!);
  while (chosen.length < M && covered.some((c) => !c)) {
    let best = -1;
    let bestGain = 0;
    for (const i of bySize) {
      if (chosen.includes(i)) continue;
      const gain = cells.reduce((g, _, c) => g + (!covered[c] && coverRows[i]![c] ? 1 : 0), 0);
      // bySize is income order, so the first with the most new cells is the largest.
      if (gain > bestGain) {
        best = i;
        bestGain = gain;
      }
    }
    if (best < 0) break;
    chosen.push(best);
    cells.forEach((_, c) => (covered[c] ||= coverRows[best]![c]!));
  }
  let capacity = chosen.reduce((s, i) => s + pool[i]!.capacity, 0);
  for (const i of bySize) {
    if (capacity >= V || chosen.length >= M) break;
    if (chosen.includes(i) || !coverRows[i]!.some(Boolean)) continue;
    chosen.push(i);
    capacity += pool[i]!.capacity;
  }
  const set = lit.score(chosen.sort((a, b) => a - b));
  return { set, feasible: set.feasible };
}
