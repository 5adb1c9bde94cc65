// The weekly digest of each formed consortium, and its job scheduler.
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { MAINTENANCE_QUEUE, digestJobId, digestSchedulerId } from '../../src/queue/nudge.jobs.js';
import { redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, eventually, sleep, type World } from './fixtures/world.js';

const SUBMISSION = new Date('2027-02-26T12:00:00Z');

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('weekly digest', () => {
  it('goes once a week to each formed consortium, and its schedule follows the workspace\'s hours and zone', async () => {
    world = await createWorld(import.meta.url, { now: new Date('2027-01-18T09:05:00Z'), redisUrl: redisUrl(), timeScale: 1e-9 });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION, conversationId: 'CH-9' });
    await world.say(s.ws, 'priya', `task add ${s.consortium.ref} "Agreement" due 21/01/2027`);
    await world.say(s.ws, 'priya', `task add ${s.consortium.ref} "Go/no-go" due 14/01/2027`);
    const workers = world.workers;
    if (!workers) throw new Error('no workers');
    expect(await workers.digestNow(s.ws)).toBe(1);
    expect(await workers.digestNow(s.ws)).toBe(0);
    const digests = world.notifier.delivered.filter((d) => d.key.startsWith('digest:'));
    expect(digests.map((d) => [d.key, d.to])).toEqual([['digest:C-1:2027-W03:mon', 'c/CH-9']]);
    expect(digests[0]?.text).toContain('Due this week (1)');
    expect(digests[0]?.text).toContain('Overdue (1)');

    await world.say(s.ws, 'coord', 'settings hours 08:30-16:00');
    await workers.sweepNow();
    const q = new Queue(MAINTENANCE_QUEUE, { connection: { url: redisUrl() }, prefix: world.prefix });
    try {
      const sched = await q.getJobScheduler(digestSchedulerId(s.ws));
      expect([sched?.pattern, sched?.tz]).toEqual(['30 8 * * 1', 'Europe/London']);
    } finally {
      await q.close();
    }
  });

  it('waits for the next working morning when Monday is a bank holiday', async () => {
    // Easter Monday 2027, 09:00 in London (BST).
    world = await createWorld(import.meta.url, { now: new Date('2027-03-29T08:00:00Z'), redisUrl: redisUrl(), timeScale: 1e-9 });
    const s = await seedWorkspace(world.store, { submission: new Date('2027-04-30T11:00:00Z'), conversationId: 'CH-9' });
    await world.say(s.ws, 'priya', `task add ${s.consortium.ref} "Agreement" due 31/03/2027`);
    expect(await world.workers?.digestNow(s.ws)).toBe(0);
    expect(world.notifier.delivered.filter((d) => d.key.startsWith('digest:'))).toEqual([]);
    const q = new Queue(MAINTENANCE_QUEUE, { connection: { url: redisUrl() }, prefix: world.prefix });
    try {
      const later = await q.getJob(digestJobId(s.ws, '2027-W13', 'late'));
      expect(later?.opts.delay).toBe(24 * 3_600_000); // Tuesday 09:00
    } finally {
      await q.close();
    }
  });

  it('is caught up by the sweeper when Monday\'s was missed, and only once', async () => {
    // Wednesday 20 January 2027: Monday's digest never ran (Redis was down, say).
    world = await createWorld(import.meta.url, { now: new Date('2027-01-20T10:00:00Z'), redisUrl: redisUrl(), timeScale: 1e-9 });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION, conversationId: 'CH-9' });
    await world.say(s.ws, 'priya', `task add ${s.consortium.ref} "Agreement" due 22/01/2027`);
    const w = world;
    await w.workers?.sweepNow();
    await eventually('the digest arrives', () => w.notifier.keys().includes('digest:C-1:2027-W03:mon'), 10_000);
    await w.workers?.sweepNow();
    await sleep(500);
    expect(w.notifier.keys().filter((k) => k.startsWith('digest:'))).toEqual(['digest:C-1:2027-W03:mon']);
  });
});
