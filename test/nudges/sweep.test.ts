// The sweeper and the scheduler at the scale of many workspaces, on the real FerretDB and
// Redis: a sweep reads what it needs for several workspaces in one query each (on FerretDB
// every filtered query scans the whole collection), the ledger once for all of them, its own
// schedule does not sweep again the moment it is made, and a sync that takes a while still
// queues each job for its instant.
import { afterEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { MAINTENANCE_QUEUE, SWEEP_SCHEDULER_ID, isSlotJob } from '../../src/queue/nudge.jobs.js';
import { NudgeLedger } from '../../src/queue/nudge.ledger.js';
import { loadWorkspaceNudges } from '../../src/queue/nudge.source.js';
import { redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, eventually, queuedNudges, sleep, type World } from './fixtures/world.js';

// Monday 14 June 2027, 08:00 in London, before working hours.
const NOW = new Date('2027-06-14T07:00:00Z');
const SUBMISSION = new Date('2027-09-01T11:00:00Z');

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('sweeper', () => {
  it('sweeps six workspaces with one read of the tasks of all of them, and queues every nudge each owes', async () => {
    // A day is 86 s: nothing falls due while the test counts what is queued.
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-3, workers: { sweepOnStart: false } });
    const ids = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6'];
    for (const ws of ids) {
      const s = await seedWorkspace(world.store, { ws, submission: SUBMISSION });
      await world.store.scoped(ws).tasks.insert({ ref: 'K-1', consortiumRef: s.consortium.ref, title: `Pricing for ${ws}`, due: new Date('2027-06-25T16:00:00Z'), owner: { kind: 'user', id: 'amara' }, status: 'open', createdBy: 'coord', version: 1 });
    }
    await world.scheduler.queue.obliterate({ force: true });
    world.store.cache?.clear();
    const taskQueries: unknown[] = [];
    world.store.connection.set('debug', (collection: string, method: string, query: unknown) => {
      if (collection === 'tasks' && method === 'find') taskQueries.push(query);
    });
    const added = await world.workers!.sweepNow();
    world.store.connection.set('debug', false);
    expect(taskQueries).toHaveLength(1);
    expect(JSON.stringify(taskQueries[0])).toContain('W6');
    // Every workspace's task got its reminders back, as many as it owes.
    expect(added).toBeGreaterThan(0);
    let owed = 0;
    for (const ws of ids) owed += ((await loadWorkspaceNudges((await world.store.workspaces.get(ws))!, world.store.scoped(ws))).get('K-1') ?? []).filter((n) => n.dueAt > NOW).length;
    expect(owed).toBeGreaterThanOrEqual(ids.length * 4);
    expect((await queuedNudges(world)).filter((n) => n.key.split(':')[1] === 'K-1')).toHaveLength(owed);
  });

  it('makes its schedule for one period on, so a process told not to sweep as it starts does not (nor one that sweeps itself, twice)', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-6, workers: false });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    await world.store.scoped(s.ws).tasks.insert({ ref: 'K-1', consortiumRef: s.consortium.ref, title: 'Pricing', due: new Date('2027-06-25T16:00:00Z'), owner: { kind: 'user', id: 'amara' }, status: 'open', createdBy: 'coord', version: 1 });
    const workers = await world.startWorkers({ sweepOnStart: false, sweepEveryMs: 60_000 });
    const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: { url: redisUrl() }, prefix: world.prefix });
    try {
      expect((await maintenance.getJobScheduler(SWEEP_SCHEDULER_ID))?.every).toBe(60_000);
      await sleep(1_500);
      // Nothing was swept: the seeded task's nudges are not queued yet.
      expect(await queuedNudges(world)).toHaveLength(0);
      const next = (await maintenance.getJobs(['waiting', 'delayed', 'active', 'prioritized'])).filter((j) => j.name === 'sweep');
      expect(next).toHaveLength(1);
      expect(next[0]!.timestamp + next[0]!.delay).toBeGreaterThan(Date.now() + 50_000);
      expect(await workers.sweepNow()).toBeGreaterThan(0);
    } finally {
      await maintenance.close();
    }
  });

  it('queues each slot for its instant as of when the job goes in, not as of when the sync began reading', async () => {
    // An hour is a second; the clock has moved on an hour once the records are read.
    const scale = 1 / 3_600;
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: scale, workers: false });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    await world.store.scoped(s.ws).tasks.insert({ ref: 'K-1', consortiumRef: s.consortium.ref, title: 'Pricing', due: new Date('2027-06-16T16:00:00Z'), owner: { kind: 'user', id: 'amara' }, status: 'open', createdBy: 'coord', version: 1 });
    let reads = 0;
    const later = new Date(NOW.getTime() + 3_600_000);
    world.clock.now = () => new Date(reads++ === 0 ? NOW : later);
    await world.scheduler.syncWorkspace((await world.store.workspaces.get(s.ws))!);
    const slots = (await world.scheduler.queue.getDelayed(0, 1_000)).filter((j) => isSlotJob(j.data));
    expect(slots.length).toBeGreaterThan(0);
    for (const job of slots) {
      if (!isSlotJob(job.data)) continue;
      const owed = (new Date(job.data.at).getTime() - later.getTime()) * scale;
      expect(Math.abs((job.data.runAt ?? 0) - job.timestamp - owed)).toBeLessThan(250);
    }
  });

  it('reads the ledger once for every workspace\'s sent digests, not once a workspace, and owes none again', async () => {
    // Wednesday 20 January 2027: this week's digests have gone.
    world = await createWorld(import.meta.url, { now: new Date('2027-01-20T10:00:00Z'), redisUrl: redisUrl(), timeScale: 1e-9, workers: { sweepOnStart: false } });
    const ids = ['W1', 'W2', 'W3'];
    for (const ws of ids) {
      const s = await seedWorkspace(world.store, { ws, submission: new Date('2027-02-26T12:00:00Z'), conversationId: `CH-${ws}` });
      // Finished last week: in the digest, and owing no nudge the sweep would check again.
      await world.store.scoped(ws).tasks.insert({ ref: 'K-1', consortiumRef: s.consortium.ref, title: 'Agreement', due: new Date('2027-01-14T16:00:00Z'), owner: { kind: 'user', id: 'amara' }, status: 'done', doneAt: new Date('2027-01-13T12:00:00Z'), createdBy: 'coord', version: 1 });
      expect(await world.workers!.digestNow(ws)).toBe(1);
    }
    const ledger = world.store.connection.models.NudgeRecord!.collection.collectionName;
    const ledgerQueries: string[] = [];
    world.store.connection.set('debug', (collection: string, method: string) => {
      if (collection === ledger && method !== 'insertMany' && method !== 'insertOne') ledgerQueries.push(method);
    });
    await world.workers!.sweepNow();
    world.store.connection.set('debug', false);
    expect(ledgerQueries).toHaveLength(1);
    const q = new Queue(MAINTENANCE_QUEUE, { connection: { url: redisUrl() }, prefix: world.prefix });
    try {
      // No digest is caught up: each workspace has had this week's.
      expect((await q.getJobs(['waiting', 'delayed', 'active', 'prioritized'])).filter((j) => j.id?.startsWith('digest-catch-up'))).toHaveLength(0);
    } finally {
      await q.close();
    }
    expect(world.notifier.keys().filter((k) => k.startsWith('digest:'))).toHaveLength(3);
  });

  it('checks the late nudges of the workspaces it sweeps together in one read of the ledger, and queues each once', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-6, workers: { sweepOnStart: false } });
    const ids = ['W1', 'W2', 'W3'];
    for (const ws of ids) {
      const s = await seedWorkspace(world.store, { ws, submission: SUBMISSION });
      // Due last Friday at 17:30: its "due today" reminder is late.
      await world.store.scoped(ws).tasks.insert({ ref: 'K-1', consortiumRef: s.consortium.ref, title: 'Pricing', due: new Date('2027-06-11T16:30:00Z'), owner: { kind: 'user', id: 'amara' }, status: 'open', createdBy: 'coord', version: 1 });
    }
    // W2's was settled already: it is not queued.
    await new NudgeLedger(world.store).settle('W2', [{ key: 'remind:K-1:1:d0', kind: 'remind', subject: 'K-1', version: '1', slot: 'd0', dueAt: new Date('2027-06-11T08:00:00Z'), audience: 'owner' }], NOW);
    await world.scheduler.queue.obliterate({ force: true });
    const ledger = world.store.connection.models.NudgeRecord!.collection.collectionName;
    const ledgerQueries: string[] = [];
    world.store.connection.set('debug', (collection: string, method: string) => {
      if (collection === ledger && method === 'find') ledgerQueries.push(method);
    });
    await world.workers!.sweepNow();
    world.store.connection.set('debug', false);
    // One read of every workspace's ledger, one of the late nudges of all three.
    expect(ledgerQueries).toHaveLength(2);
    // Queued to go at once, and delivered, once each.
    const w = world;
    const sent = () => w.notifier.delivered.filter((d) => d.key === 'remind:K-1:1:d0').map((d) => d.ws).sort();
    await eventually('the late reminders arrive', () => sent().length >= 2, 5_000);
    await sleep(300);
    expect(sent()).toEqual(['W1', 'W3']);
  });
});
