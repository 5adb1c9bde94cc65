import { describe, expect, it } from 'vitest';
import { smallVariant, VARIANTS } from './variants.js';
import { expectSameAsOracle } from './exhaustive.helpers.js';

const SEEDS = 20;

describe('engine against exhaustive enumeration, corner variants', () => {
  for (const variant of VARIANTS.slice(7)) {
    it(`agrees on ${SEEDS} seeded instances: ${variant}`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) expectSameAsOracle(smallVariant(seed, variant), `${variant} #${seed}`);
    });
  }

  it('sees both feasible and infeasible instances among the variants', () => {
    let feasible = 0;
    let infeasible = 0;
    for (const variant of ['capacity-pressure', 'repeated-cells'] as const) {
      for (let seed = 1; seed <= 10; seed++) {
        if (expectSameAsOracle(smallVariant(seed, variant), `${variant} #${seed}`)) feasible++;
        else infeasible++;
      }
    }
    expect(feasible).toBeGreaterThan(3);
    expect(infeasible).toBeGreaterThan(3);
  });
});
