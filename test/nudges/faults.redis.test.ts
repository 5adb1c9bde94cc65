// Redis losing the schedule: flushed, or down while a task is added. MongoDB holds the
// truth, so either only delays nudges. Each test has its own redis-server, since
// FLUSHALL or stopping the shared one would break the tests running beside it.
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { MAINTENANCE_QUEUE, NUDGE_QUEUE, SWEEP_SCHEDULER_ID } from '../../src/queue/nudge.jobs.js';
import { loadWorkspaceNudges } from '../../src/queue/nudge.source.js';
import { seedWorkspace } from './fixtures/seed.js';
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from './fixtures/redis.server.js';
import { createWorld, eventually, sleep, type World } from './fixtures/world.js';

let world: World | undefined;
let redis: PrivateRedis | undefined;
afterEach(async () => {
  await world?.close();
  await redis?.close();
  world = undefined;
  redis = undefined;
});

async function jobIds(url: string, prefix: string): Promise<string[]> {
  const q = new Queue(NUDGE_QUEUE, { connection: { url }, prefix });
  try {
    return (await q.getDelayed(0, 1000)).map((j) => j.id ?? '?').sort();
  } finally {
    await q.close();
  }
}

const counts = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());

describe.runIf(redisServerAvailable())('Redis losing the schedule', () => {
  it('after FLUSHALL, the sweeper restores every pending nudge, and each is delivered once', async () => {
    redis = await startPrivateRedis();
    // Monday 21 December 2026; every nudge below falls 5 to 8 s away at this scale, leaving
    // time to schedule, flush and sweep before the first.
    // All are queued in slot jobs, one for each instant the workspace owes nudges at, which
    // wait in the delayed set until then (no lead: none has started when Redis is flushed).
    world = await createWorld(import.meta.url, { now: new Date('2026-12-21T08:00:00Z'), redisUrl: redis.url, timeScale: 1.75e-6, slotAheadMs: 1_000, slotLeadMs: 0, workers: { watchdogMs: 300 } });
    const s = await seedWorkspace(world.store, { submission: new Date('2027-02-12T12:00:00Z'), conversationId: 'CH-1' });
    for (const due of ['05/02/2027', '04/02/2027', '03/02/2027']) await world.say(s.ws, 'amara', `task add ${s.consortium.ref} "Task due ${due}" due ${due} owner food-bank`);
    await world.scheduler.consortiumChanged(s.ws, s.consortium.ref);
    const nudges = [...(await loadWorkspaceNudges((await world.store.workspaces.get(s.ws))!, world.store.scoped(s.ws))).values()].flat();
    expect(nudges).toHaveLength(3 * 6 + 5);
    const before = await jobIds(redis.url, world.prefix);
    expect(before).toHaveLength(new Set(nudges.map((n) => n.dueAt.getTime())).size);
    expect(before.every((id) => id.startsWith('s/'))).toBe(true);

    await redis.flushAll();
    expect(await jobIds(redis.url, world.prefix)).toEqual([]);
    const w = world;
    const restored = await w.workers?.sweepNow();
    expect(restored).toBe(before.length);
    expect(await jobIds(redis.url, w.prefix)).toEqual(before);
    // The workers noticed too: the sweeper's own schedule is back.
    const maint = new Queue(MAINTENANCE_QUEUE, { connection: { url: redis.url }, prefix: w.prefix });
    await eventually('the sweeper\'s job scheduler is restored', async () => Boolean(await maint.getJobScheduler(SWEEP_SCHEDULER_ID)), 3_000).finally(() => maint.close());

    await eventually('every nudge is delivered', () => new Set(w.notifier.keys()).size === nudges.length, 30_000);
    await sleep(500);
    const delivered = counts(w.notifier.delivered.map((d) => `${d.key} → ${d.to}`));
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(w.notifier.keys())).toEqual(new Set(nudges.map((n) => n.key)));
  }, 60_000);

  it('a task added while Redis is down is saved, and its nudges arrive once Redis is back', async () => {
    redis = await startPrivateRedis();
    world = await createWorld(import.meta.url, { now: new Date('2027-01-18T08:00:00Z'), redisUrl: redis.url, timeScale: 5e-6, workers: { watchdogMs: 300 } });
    const s = await seedWorkspace(world.store, { submission: new Date('2027-02-26T12:00:00Z') });
    await world.say(s.ws, 'amara', 'tasks mine'); // the scheduler's connection is up before Redis goes
    await redis.stop();

    const started = Date.now();
    const r = await world.say(s.ws, 'amara', `task add ${s.consortium.ref} "Pricing schedule" due 20/01/2027 owner food-bank`);
    expect(r.outcome).toBe('ok');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await world.store.scoped(s.ws).tasks.count({ ref: 'K-1' })).toBe(1);
    await sleep(500);
    expect(world.notifier.delivered).toEqual([]);

    // An empty Redis comes back; the workers' watchdog sees the schedule gone and sweeps.
    await redis.start();
    const w = world;
    await eventually('the escalation arrives', () => w.notifier.keys().includes('escalate:K-1:1:esc'), 30_000);
    await sleep(300);
    const taskKeys = w.notifier.keys().filter((k) => k.includes(':K-1:'));
    expect(taskKeys.sort()).toEqual(['escalate:K-1:1:esc', 'overdue:K-1:1:od', 'overdue:K-1:1:od', 'remind:K-1:1:d0', 'remind:K-1:1:d1']);
  }, 60_000);
});
