import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { solveMatch } from '../../src/core/matching/match.engine.js';
import { exhaustiveMatch } from '../../bench/match/exhaustive.oracle.js';
import type { MatchInstance, MatchOrg } from '../../src/core/matching/match.types.js';

// Tiny instances drawn from small vocabularies so that ties, shared homes, repeated cells,
// idle leads and unknown partner ids all turn up often.
const services = ['advice', 'food', 'youth'];
const areas = ['north', 'south', 'east'];
const accreditations = ['CQC', 'ISO'];

const orgArb = (id: string, ids: string[]): fc.Arbitrary<MatchOrg> =>
  fc.record({
    id: fc.constant(id),
    services: fc.subarray(services, { minLength: 1 }),
    areas: fc.subarray(areas, { minLength: 1 }),
    home: fc.constantFrom(...areas),
    income: fc.constantFrom(20_000, 400_000, 999_999, 1_000_000, 3_000_000),
    canLead: fc.boolean(),
    accreditations: fc.subarray(accreditations),
    capacity: fc.integer({ min: 0, max: 6 }).map((x) => x * 25_000),
    activeBids: fc.integer({ min: 0, max: 5 }),
    partners: fc.subarray([...ids, 'stranger']),
  });

const instanceArb: fc.Arbitrary<MatchInstance> = fc.integer({ min: 1, max: 9 }).chain((n) => {
  const ids = Array.from({ length: n }, (_, i) => `o${i}`);
  return fc.record({
    tender: fc.record({
      id: fc.constant('T'),
      annualValue: fc.integer({ min: 0, max: 8 }).map((x) => x * 25_000),
      leadMinIncome: fc.constantFrom(0, 400_000, 1_000_000, 2_000_000),
      leadAccreditations: fc.constantFrom([], [], [], ['ISO']),
      maxMembers: fc.integer({ min: 1, max: 4 }),
      cells: fc.array(
        fc
          .tuple(fc.constantFrom(...services), fc.constantFrom(...areas), fc.constantFrom(undefined, undefined, undefined, ...accreditations))
          .map(([service, area, accreditation]) => (accreditation === undefined ? { service, area } : { service, area, accreditation })),
        { minLength: 1, maxLength: 4 },
      ),
    }),
    orgs: fc.tuple(...ids.map((id) => orgArb(id, ids))),
    weights: fc.record(
      {
        local: fc.integer({ min: -6, max: 12 }),
        redundant: fc.integer({ min: -6, max: 12 }),
        small: fc.integer({ min: -6, max: 12 }),
        ties: fc.integer({ min: -6, max: 12 }),
        members: fc.integer({ min: -12, max: 6 }),
        busy: fc.integer({ min: -6, max: 6 }),
      },
      { requiredKeys: [] },
    ),
    top: fc.integer({ min: 1, max: 6 }),
  });
});

describe('engine properties on random tiny instances', () => {
  it('gives exactly the exhaustive answer', () => {
    let feasible = 0;
    let multiple = 0;
    fc.assert(
      fc.property(instanceArb, (inst) => {
        const oracle = exhaustiveMatch(inst);
        expect(solveMatch(inst)).toEqual(oracle);
        if (oracle.feasible) feasible++;
        if (oracle.proposals.length > 1) multiple++;
      }),
      { numRuns: 3000, seed: 20240611 },
    );
    // The generator must exercise both outcomes, or the property proves little.
    expect(feasible).toBeGreaterThan(300);
    expect(3000 - feasible).toBeGreaterThan(300);
    expect(multiple).toBeGreaterThan(100);
  });

  it('does not depend on the order organisations are listed in', () => {
    fc.assert(
      fc.property(instanceArb, fc.integer(), (inst, salt) => {
        const shuffled = { ...inst, orgs: [...inst.orgs].sort((a, b) => hash(a.id, salt) - hash(b.id, salt)) };
        expect(solveMatch(shuffled)).toEqual(solveMatch(inst));
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

function hash(s: string, salt: number): number {
  let h = salt | 0;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1);
  return h;
}
