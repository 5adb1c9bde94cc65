// Nudges end to end on the real FerretDB and Redis: scheduled by commands, delivered by the
// BullMQ workers through the notifier port, recorded once in the ledger.
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { NudgeLedger } from '../../src/queue/nudge.ledger.js';
import { MAINTENANCE_QUEUE, NUDGE_JOB_OPTIONS, digestSchedulerId } from '../../src/queue/nudge.jobs.js';
import { redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, eventually, sleep, type World } from './fixtures/world.js';

// Monday 18 January 2027, 08:00 in London, before working hours.
const NOW = new Date('2027-01-18T08:00:00Z');
const SUBMISSION = new Date('2027-02-26T12:00:00Z');

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const count = (keys: string[], key: string) => keys.filter((k) => k === key).length;

describe('nudge delivery', () => {
  it('delivers a task\'s reminders, overdue nudge and escalation, each once, to the right people', async () => {
    // The escalation (Tue 26 Jan) is 193 hours away: scaled to about 3.5 s.
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 5e-6 });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    const added = await world.say(s.ws, 'amara', `task add ${s.consortium.ref} "Pricing schedule" due 20/01/2027 owner food-bank`);
    expect(added.outcome).toBe('ok');
    const w = world;
    await eventually('the escalation arrives', () => w.notifier.keys().includes('escalate:K-1:1:esc'), 12_000);
    await sleep(300);
    const got = w.notifier.delivered.map((d) => `${d.key} → ${d.to}`).sort();
    // 7 and 3 working days before had passed when the task was added: never sent.
    expect(got).toEqual([
      'escalate:K-1:1:esc → u/coord',
      'overdue:K-1:1:od → u/amara',
      'overdue:K-1:1:od → u/priya',
      'remind:K-1:1:d0 → u/amara',
      'remind:K-1:1:d1 → u/amara',
    ]);
    expect(w.notifier.delivered.find((d) => d.key === 'remind:K-1:1:d1')?.text).toContain('K-1 "Pricing schedule" (C-1) is due in 1 working day: Wed 20 Jan 2027, 17:30');
    expect(w.notifier.delivered.find((d) => d.key === 'remind:K-1:1:d1')?.dueAt).toBe('2027-01-19T09:00:00.000Z');
    const ledger = await new NudgeLedger(w.store, 1_000).deliveries(s.ws);
    expect([...ledger.keys()].sort()).toEqual(['escalate:K-1:1:esc', 'overdue:K-1:1:od', 'remind:K-1:1:d0', 'remind:K-1:1:d1']);
    expect([...ledger.values()].every((e) => e.attempts === 1)).toBe(true);
    const settled = await new NudgeLedger(w.store, 1_000).settledKeys(s.ws, ['remind:K-1:1:d7', 'remind:K-1:1:d3']);
    expect(settled.size).toBe(2);
  });

  it('delivers once however many times the job is queued or retried', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 5e-6 });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    await world.say(s.ws, 'amara', `task add ${s.consortium.ref} "Pricing schedule" due 20/01/2027`);
    const data = { ws: s.ws, key: 'remind:K-1:1:d1', dueAt: '2027-01-19T09:00:00.000Z' };
    // The same nudge queued under other ids, as a duplicated producer or a replayed job would.
    for (const id of ['copy-1', 'copy-2', 'copy-3']) await world.scheduler.queue.add('remind', data, { ...NUDGE_JOB_OPTIONS, jobId: id });
    const w = world;
    await eventually('the overdue nudge arrives', () => w.notifier.keys().includes('overdue:K-1:1:od'), 8_000);
    await sleep(300);
    expect(count(w.notifier.keys(), 'remind:K-1:1:d1')).toBe(1);
    expect(count(w.notifier.keys(), 'remind:K-1:1:d0')).toBe(1);
  });

  it('counts down to the deadline in the consortium\'s conversation, the last one 4 hours before', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 5e-6 });
    // Deadline Friday 22 January 2027, 12:00: 14 and 7 days before have passed.
    const s = await seedWorkspace(world.store, { submission: new Date('2027-01-22T12:00:00Z'), conversationId: 'CH-1' });
    await world.scheduler.consortiumChanged(s.ws, s.consortium.ref);
    const w = world;
    await eventually('the 4-hour countdown arrives', () => w.notifier.delivered.some((d) => d.key.endsWith(':h4')), 8_000);
    const got = w.notifier.delivered.map((d) => [d.key.split(':')[3], d.to, d.dueAt]).sort((a, b) => String(a[2]).localeCompare(String(b[2])));
    expect(got).toEqual([
      ['d3', 'c/CH-1', '2027-01-19T12:00:00.000Z'],
      ['d1', 'c/CH-1', '2027-01-21T12:00:00.000Z'],
      ['h4', 'c/CH-1', '2027-01-22T08:00:00.000Z'],
    ]);
    expect(w.notifier.delivered.at(-1)?.text).toContain('4 hours to go');
  });

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
    const settled = await new NudgeLedger(world.store, 1_000).settledKeys(s.ws, ['remind:K-1:1:d1', 'overdue:K-1:1:od']);
    expect(settled.size).toBe(2);
  });
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
