// Nudges turned off, by a person or for the whole workspace: honoured when delivering.
import { afterEach, describe, expect, it } from 'vitest';
import { NudgeLedger } from '../../src/queue/nudge.ledger.js';
import { redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, eventually, type World } from './fixtures/world.js';

// Monday 18 January 2027, 08:00 in London, before working hours.
const NOW = new Date('2027-01-18T08:00:00Z');
const SUBMISSION = new Date('2027-02-26T12:00:00Z');

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('nudges turned off', () => {
  it('leaves out a person who turned nudges off, when it delivers', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 5e-6 });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    // Settings are not consulted when scheduling, only when delivering.
    expect((await world.say(s.ws, 'amara', 'settings nudges off')).outcome).toBe('ok');
    await world.say(s.ws, 'amara', `task add ${s.consortium.ref} "Pricing schedule" due 20/01/2027 owner food-bank`);
    const w = world;
    await eventually('the escalation arrives', () => w.notifier.keys().includes('escalate:K-1:1:esc'), 12_000);
    expect(w.notifier.delivered.map((d) => `${d.key} → ${d.to}`).sort()).toEqual(['escalate:K-1:1:esc → u/coord', 'overdue:K-1:1:od → u/priya']);
  });

  it('sends nothing when the coordinator turned nudges off for everyone, and settles them', async () => {
    const outcomes: string[] = [];
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 5e-6, workers: { onNudge: (o, key) => void outcomes.push(`${key} ${o}`) } });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    await world.say(s.ws, 'coord', 'settings nudges off everyone');
    await world.say(s.ws, 'amara', `task add ${s.consortium.ref} "Pricing schedule" due 20/01/2027`);
    await eventually('the escalation job has run', () => outcomes.some((o) => o.startsWith('escalate:K-1:1:esc')), 12_000);
    expect(world.notifier.delivered).toEqual([]);
    expect(outcomes.sort()).toEqual(['escalate:K-1:1:esc nobody', 'overdue:K-1:1:od nobody', 'remind:K-1:1:d0 nobody', 'remind:K-1:1:d1 nobody']);
    // Settled: turning nudges back on later does not bring these back.
    const settled = await new NudgeLedger(world.store).settledKeys(s.ws, ['remind:K-1:1:d1', 'overdue:K-1:1:od']);
    expect(settled.size).toBe(2);
  });
});
