// The weekly digest of each formed consortium, and its job scheduler.
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { MAINTENANCE_QUEUE, digestSchedulerId } from '../../src/queue/nudge.jobs.js';
import { redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, type World } from './fixtures/world.js';

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
});
