import { describe, it } from 'vitest';
import { smallVariant, VARIANTS } from './variants.js';
import { expectSameAsOracle } from './exhaustive.helpers.js';

// Half of the variants here, half in exhaustive-corners.test.ts, so that both files run in
// parallel in a few seconds each.
const SEEDS = 20;

describe('engine against exhaustive enumeration (30 organisations, 12 cells)', () => {
  for (const variant of VARIANTS.slice(0, 7)) {
    it(`agrees on ${SEEDS} seeded instances: ${variant}`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) expectSameAsOracle(smallVariant(seed, variant), `${variant} #${seed}`);
    });
  }
});
