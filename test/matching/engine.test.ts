import { describe, expect, it } from 'vitest';
import { solveMatch, solveMatchDetailed } from '../../src/core/matching/match.engine.js';
import { instance, lead, org } from './builders.js';

const advice = { service: 'advice', area: 'Southmead' };
const food = { service: 'food-support', area: 'Lockleaze' };

describe('solveMatch', () => {
  it('proposes the consortium that covers every cell and scores best', () => {
    const answer = solveMatch(
      instance(
        [advice, food],
        [
          lead('big', { services: ['advice'], areas: ['Southmead'], home: 'Filton' }),
          org('pantry', { services: ['food-support'], areas: ['Lockleaze'], home: 'Lockleaze' }),
          org('far', { services: ['food-support'], areas: ['Lockleaze'], home: 'Filton' }),
        ],
      ),
    );
    expect(answer.feasible).toBe(true);
    const best = answer.proposals[0]!;
    expect(best.members).toEqual(['big', 'pantry']);
    expect(best.lead).toBe('big');
    // local: pantry is based where it delivers; small: pantry; members 2.
    expect(best.breakdown).toEqual({ local: 1, redundant: 0, small: 1, ties: 0, members: 2, busy: 0 });
    expect(best.score).toBe(10 * 1 + 5 * 1 - 8 * 2);
    expect(best.coverage).toEqual({ 'advice@Southmead': ['big'], 'food-support@Lockleaze': ['pantry'] });
  });

  it('chooses the eligible lead with the highest income and lists the others as alternatives', () => {
    const answer = solveMatch(
      instance(
        [advice],
        [
          lead('b-lead', { income: 3_000_000 }),
          lead('a-lead', { income: 3_000_000 }),
          lead('c-lead', { income: 5_000_000, services: [], partners: ['a-lead'] }),
        ],
        { weights: { members: 0 }, top: 1 },
      ),
    );
    const best = answer.proposals[0]!;
    expect(best.members).toEqual(['a-lead', 'b-lead', 'c-lead']);
    expect(best.lead).toBe('c-lead');
    expect(best.alternatives).toEqual(['a-lead', 'b-lead']);
  });

  it('counts a partner tie when only one side lists the other', () => {
    const one = instance(
      [advice, food],
      [
        lead('lead', { partners: ['pantry'] }),
        org('pantry', { services: ['food-support'], areas: ['Lockleaze'] }),
      ],
    );
    const other = instance(
      [advice, food],
      [lead('lead'), org('pantry', { services: ['food-support'], areas: ['Lockleaze'], partners: ['lead'] })],
    );
    expect(solveMatch(one).proposals[0]!.breakdown.ties).toBe(1);
    expect(solveMatch(other).proposals[0]!.breakdown.ties).toBe(1);
  });

  it('keeps nobody in a consortium for nothing, except its lead', () => {
    const answer = solveMatch(
      instance(
        [advice],
        [lead('lead', { services: [] }), org('doer'), org('idle', { services: ['youth-work'], partners: ['doer'] })],
        { weights: { ties: 50 } },
      ),
    );
    for (const p of answer.proposals) expect(p.members).not.toContain('idle');
    expect(answer.proposals[0]!.members).toEqual(['doer', 'lead']);
  });

  it('needs the members to reach the annual value between them', () => {
    const cells = [advice];
    const orgs = [lead('lead', { capacity: 100_000 }), org('a', { capacity: 150_000 }), org('b', { capacity: 60_000 })];
    const answer = solveMatch(instance(cells, orgs, {}, 300_000));
    expect(answer.proposals.map((p) => p.members)).toEqual([['a', 'b', 'lead']]);
  });

  it('breaks equal scores by fewer members, then larger capacity, then ids', () => {
    const orgs = [lead('lead'), org('x', { capacity: 30_000 }), org('y', { capacity: 40_000 }), org('w', { capacity: 40_000 })];
    const answer = solveMatch(instance([advice], orgs, { weights: { local: 0, redundant: 0, small: 8 } }, 100_000));
    // Adding a small member is worth exactly 0, so every set ties on score.
    expect(answer.proposals.map((p) => p.members)).toEqual([
      ['lead'],
      ['lead', 'w'],
      ['lead', 'y'],
      ['lead', 'x'],
      ['lead', 'w', 'y'],
    ]);
    expect(new Set(answer.proposals.map((p) => p.score))).toEqual(new Set([-8]));
  });

  it('returns at most `top` proposals and five by default', () => {
    const orgs = [lead('lead'), ...Array.from({ length: 6 }, (_, i) => org(`o${i}`))];
    expect(solveMatch(instance([advice], orgs)).proposals).toHaveLength(5);
    expect(solveMatch(instance([advice], orgs, { top: 2 })).proposals).toHaveLength(2);
  });

  it('takes default weights for those an instance leaves out', () => {
    const orgs = [lead('lead', { home: 'Filton' }), org('local')];
    const withDefaults = solveMatch(instance([advice], orgs)).proposals[0]!;
    const partial = solveMatch(instance([advice], orgs, { weights: { local: 100 } })).proposals[0]!;
    expect(partial.score - withDefaults.score).toBe(90 * partial.breakdown.local);
  });

  it('names cells that share a service and area by their accreditation', () => {
    const cells = [
      { service: 'advice', area: 'Southmead' },
      { service: 'advice', area: 'Southmead', accreditation: 'AQS' },
    ];
    const answer = solveMatch(instance(cells, [lead('lead', { accreditations: ['AQS'] })]));
    expect(Object.keys(answer.proposals[0]!.coverage)).toEqual(['advice@Southmead', 'advice@Southmead+AQS']);
  });

  it('needs the lead to hold the accreditations the tender asks of it', () => {
    const inst = instance([advice], [lead('plain'), lead('certified', { income: 1_500_000, accreditations: ['ISO 9001'] })]);
    inst.tender.leadAccreditations = ['ISO 9001'];
    for (const p of solveMatch(inst).proposals) expect(p.lead).toBe('certified');
  });
});

describe('solveMatchDetailed', () => {
  it('says when a node limit stopped the search before it proved the answer', async () => {
    const { generateInstance } = await import('../../bench/match/generator.js');
    const inst = generateInstance('medium', 1);
    const cut = solveMatchDetailed(inst, { maxNodes: 3 });
    expect(cut.stats.provenOptimal).toBe(false);
    const full = solveMatchDetailed(inst);
    expect(full.stats.provenOptimal).toBe(true);
    expect(full.stats.candidates).toBeLessThanOrEqual(inst.orgs.length);
  });
});
