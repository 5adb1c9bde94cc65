import { describe, expect, it } from 'vitest';
import { solveMatch } from '../../src/core/matching/match.engine.js';
import { instance, lead, org } from './builders.js';

const advice = { service: 'advice', area: 'Southmead' };
const youth = { service: 'youth-work', area: 'Filton' };
const food = { service: 'food-support', area: 'Lockleaze' };

describe('gap report', () => {
  it('reports the area nobody covers and the best partial consortium without it', () => {
    const answer = solveMatch(
      instance([advice, youth, food], [lead('lead'), org('pantry', { services: ['food-support'], areas: ['Lockleaze'] })]),
    );
    expect(answer.feasible).toBe(false);
    expect(answer.proposals).toEqual([]);
    const gaps = answer.gaps!;
    expect(gaps.reasons).toEqual(['uncoverable-cells']);
    expect(gaps.uncoverableCells).toEqual([youth]);
    expect(gaps.bestPartial).toMatchObject({ members: ['lead', 'pantry'], lead: 'lead', covered: 2, uncovered: [youth] });
  });

  it('says when no organisation can lead', () => {
    const answer = solveMatch(instance([advice], [org('a', { income: 900_000, canLead: true }), org('b')], {}, 30_000));
    const gaps = answer.gaps!;
    expect(gaps.hasEligibleLead).toBe(false);
    expect(gaps.eligibleLeads).toBe(0);
    expect(gaps.reasons).toEqual(['no-eligible-lead']);
    expect(gaps.bestPartial?.lead).toBeNull();
    expect(gaps.bestPartial?.covered).toBe(1);
  });

  it('compares the pool capacity with the annual value', () => {
    const answer = solveMatch(instance([advice], [lead('lead', { capacity: 100_000 }), org('a', { capacity: 50_000 })], {}, 400_000));
    const gaps = answer.gaps!;
    expect(gaps.reasons).toEqual(['pool-capacity-short']);
    expect(gaps.poolCapacity).toBe(150_000);
    expect(gaps.annualValue).toBe(400_000);
  });

  it('says when the M largest together fall short though the pool would not', () => {
    const orgs = [lead('lead', { capacity: 100_000 }), ...['a', 'b', 'c', 'd'].map((id) => org(id, { capacity: 90_000 }))];
    const gaps = solveMatch(instance([advice], orgs, {}, 400_000)).gaps!;
    expect(gaps.poolCapacity).toBe(460_000);
    expect(gaps.capacityWithinMaxMembers).toBe(370_000);
    expect(gaps.reasons).toEqual(['capacity-within-max-members-short']);
  });

  it('explains a combination that cannot be made within the member limit', () => {
    const cells = ['a', 'b', 'c', 'd', 'e'].map((area) => ({ service: 'advice', area }));
    const orgs = [lead('lead', { areas: ['a'] }), ...['b', 'c', 'd', 'e'].map((area) => org(area, { areas: [area], home: area }))];
    const gaps = solveMatch(instance(cells, orgs)).gaps!;
    expect(gaps.reasons).toEqual(['no-combination']);
    // Four cells either way; the four small local organisations score more than any set
    // with the lead, and a partial consortium needs no lead.
    expect(gaps.bestPartial).toEqual({
      members: ['b', 'c', 'd', 'e'],
      lead: null,
      covered: 4,
      uncovered: [{ service: 'advice', area: 'a' }],
      score: 4 * 10 + 4 * 5 - 4 * 8,
    });
  });

  it('prefers the partial consortium that covers more cells over one that scores more', () => {
    const cells = [advice, food];
    const orgs = [
      org('local-advice', { income: 10_000 }),
      org('pantry', { services: ['food-support'], areas: ['Lockleaze'], home: 'Filton', activeBids: 3 }),
    ];
    const gaps = solveMatch(instance(cells, orgs)).gaps!;
    expect(gaps.bestPartial?.members).toEqual(['local-advice', 'pantry']);
    expect(gaps.bestPartial?.uncovered).toEqual([]);
  });

  it('has no partial consortium when nobody covers anything or can lead', () => {
    const gaps = solveMatch(instance([advice], [org('a', { services: ['youth-work'] })])).gaps!;
    expect(gaps.bestPartial).toBeNull();
  });
});
