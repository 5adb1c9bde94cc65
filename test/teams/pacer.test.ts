// Pacing per conversation against Teams' per-thread limits, on a clock the test moves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pacer, TEAMS_THREAD_LIMITS } from '../../adapters/teams/teams.pacer.js';
import { retryAfterMs } from '../../adapters/teams/teams.transport.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('the pacer', () => {
  it('lets 7 messages go at once, holds the 8th a second and the 9th two', () => {
    const c = clock();
    const p = new Pacer(TEAMS_THREAD_LIMITS, c.now);
    const waits = Array.from({ length: 9 }, () => p.reserve('conv'));
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 0, 1000, 2000]);
  });

  it('spaces every window by the margin it is given, for sends that arrive late', () => {
    const c = clock();
    const p = new Pacer(TEAMS_THREAD_LIMITS, c.now, 150);
    const waits = Array.from({ length: 9 }, () => p.reserve('conv'));
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 0, 1150, 2150]);
  });

  it('paces each conversation on its own', () => {
    const c = clock();
    const p = new Pacer(TEAMS_THREAD_LIMITS, c.now);
    for (let i = 0; i < 7; i++) p.reserve('a');
    expect(p.reserve('b')).toBe(0);
    expect(p.reserve('a')).toBe(1000);
  });

  it('never lets any window hold more than its limit, whatever the arrival times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 120 }), (gaps) => {
        const c = clock();
        const p = new Pacer(TEAMS_THREAD_LIMITS, c.now);
        const sent: number[] = [];
        for (const gap of gaps) {
          c.advance(gap);
          sent.push(c.now() + p.reserve('conv'));
        }
        for (let i = 1; i < sent.length; i++) expect(sent[i]).toBeGreaterThanOrEqual(sent[i - 1] as number);
        for (const w of TEAMS_THREAD_LIMITS) {
          for (const t of sent) expect(sent.filter((x) => x > t - w.ms && x <= t).length).toBeLessThanOrEqual(w.max);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('Retry-After', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    const now = Date.parse('2027-01-15T12:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Fri, 15 Jan 2027 12:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({}))).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});
