/** Runs the engine and the exhaustive oracle on the same instance and compares whole answers. */
import { expect } from 'vitest';
import { solveMatchDetailed } from '../../src/core/matching/match.engine.js';
import { exhaustiveMatch } from '../../bench/match/exhaustive.oracle.js';
import type { MatchInstance } from '../../src/core/matching/match.types.js';

export function expectSameAsOracle(inst: MatchInstance, label: string): boolean {
  const oracle = exhaustiveMatch(inst);
  const engine = solveMatchDetailed(inst);
  expect(engine.stats.provenOptimal, label).toBe(true);
  expect(engine.answer, label).toEqual(oracle);
  // Dominance only removes work, never answers.
  expect(solveMatchDetailed(inst, { dominance: false }).answer, `${label} without dominance`).toEqual(oracle);
  return oracle.feasible;
}
