// The nudge ledger's lifetime, on the real FerretDB and Redis: records go after
// LEDGER_KEEP_DAYS, and nothing the sweeper could still send depends on a record that went.
import mongoose from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { CATCH_UP_DAYS, type Nudge } from '../../src/core/nudges/nudge.policy.js';
import { LEDGER_KEEP_DAYS, NudgeLedger } from '../../src/queue/nudge.ledger.js';
import { redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, eventually, queuedNudges, sleep, type World } from './fixtures/world.js';

// Monday 14 June 2027, 08:00 in London, before working hours.
const NOW = new Date('2027-06-14T07:00:00Z');
const DAY = 86_400_000;
const SUBMISSION = new Date('2027-09-01T11:00:00Z');

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function nudge(slot: string, dueAt: Date): Nudge {
  return { key: `remind:K-9:1:${slot}`, kind: 'remind', subject: 'K-9', version: '1', slot, dueAt, audience: 'owner' };
}

describe('nudge ledger lifetime', () => {
  it('keeps a catch-up horizon well inside the time records are kept', () => {
    expect(LEDGER_KEEP_DAYS).toBeGreaterThanOrEqual(CATCH_UP_DAYS * 2);
  });

  it('purges records written before the keep period and keeps the rest', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-6, workers: false });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    const ledger = new NudgeLedger(world.store);
    const old = new Date(NOW.getTime() - (LEDGER_KEEP_DAYS + 1) * DAY);
    const recent = new Date(NOW.getTime() - (LEDGER_KEEP_DAYS - 1) * DAY);
    await ledger.settle(s.ws, [nudge('d7', old)], old);
    await ledger.settle(s.ws, [nudge('d3', recent)], recent);
    // Another workspace's old record is not this workspace's to purge.
    await ledger.settle('W2', [nudge('d7', old)], old);
    expect(await ledger.purge([s.ws], NOW)).toBe(1);
    expect([...(await ledger.settledKeys(s.ws, ['remind:K-9:1:d7', 'remind:K-9:1:d3']))]).toEqual(['remind:K-9:1:d3']);
    expect([...(await ledger.settledKeys('W2', ['remind:K-9:1:d7']))]).toEqual(['remind:K-9:1:d7']);
    expect(await ledger.purge([s.ws], NOW)).toBe(0);
  });

  it('a sweep sends nothing for a task overdue for months, whose records are gone, and still catches up a recent one', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-6 });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    const tasks = world.store.scoped(s.ws).tasks;
    const task = (ref: string, due: Date) => tasks.insert({ ref, consortiumRef: s.consortium.ref, title: `Task ${ref}`, due, owner: { kind: 'user', id: 'amara' }, status: 'open', createdBy: 'coord', version: 1 });
    // Due 70 days ago: every nudge it ever had is past the horizon, and the ledger kept none.
    await task('K-9', new Date(NOW.getTime() - 70 * DAY));
    // Due last Friday at 17:30: its "due today" reminder was missed and is caught up.
    await task('K-10', new Date('2027-06-11T16:30:00Z'));
    const w = world;
    await w.workers?.sweepNow();
    expect((await queuedNudges(w)).filter((n) => n.key.includes(':K-9:'))).toEqual([]);
    await eventually('the missed reminder of the recent task arrives', () => w.notifier.keys().includes('remind:K-10:1:d0'));
    await sleep(300);
    expect(w.notifier.keys().filter((k) => k.includes(':K-9:'))).toEqual([]);
  });

  it('a task command reads nothing from the ledger (on FerretDB each read scans every workspace\'s records), yet settles what is past', async () => {
    // Monday 18 January 2027, 08:00: a task due on Wednesday has missed its 7- and 3-day reminders.
    world = await createWorld(import.meta.url, { now: new Date('2027-01-18T08:00:00Z'), redisUrl: redisUrl(), timeScale: 1e-6, workers: false });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    const reads: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === 'nudgerecords' && !method.startsWith('insert') && !method.startsWith('create')) reads.push(method);
    });
    try {
      const added = await world.say(s.ws, 'amara', `task add ${s.consortium.ref} "Pricing schedule" due 20/01/2027`);
      expect(added.outcome).toBe('ok');
    } finally {
      mongoose.set('debug', false);
    }
    expect(reads).toEqual([]);
    expect([...(await new NudgeLedger(world.store).settledKeys(s.ws, ['remind:K-1:1:d7', 'remind:K-1:1:d3', 'remind:K-1:1:d1']))].sort()).toEqual(['remind:K-1:1:d3', 'remind:K-1:1:d7']);
  });

  it('a sweep reads every workspace\'s ledger at once, and checks late nudges again before queueing them', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-6, workers: false });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    const tasks = world.store.scoped(s.ws).tasks;
    // Both due last Friday at 17:30, so each "due today" reminder is late.
    for (const ref of ['K-10', 'K-11']) await tasks.insert({ ref, consortiumRef: s.consortium.ref, title: `Task ${ref}`, due: new Date('2027-06-11T16:30:00Z'), owner: { kind: 'user', id: 'amara' }, status: 'open', createdBy: 'coord', version: 1 });
    const ledger = new NudgeLedger(world.store);
    const since = new Date(NOW.getTime() - 15 * DAY);
    const before = await ledger.settledByWorkspace([s.ws, 'W-none'], since);
    expect(before?.get(s.ws)?.has('remind:K-10:1:d0')).toBe(false);
    expect(before?.get('W-none')?.size).toBe(0);
    // Delivered after the sweep read the ledger: the sweep must not queue it again.
    await ledger.settle(s.ws, [{ ...nudge('d0', new Date('2027-06-11T08:00:00Z')), key: 'remind:K-10:1:d0', subject: 'K-10' }], NOW);
    await world.scheduler.syncWorkspace((await world.store.workspaces.get(s.ws))!, 'sweep', before?.get(s.ws));
    // Late nudges go in jobs of their own.
    const queued = (await queuedNudges(world)).filter((n) => n.kind === 'single').map((n) => n.key);
    expect(queued).toContain('remind:K-11:1:d0');
    expect(queued).not.toContain('remind:K-10:1:d0');
    expect((await ledger.settledByWorkspace([s.ws], since))?.get(s.ws)?.has('remind:K-10:1:d0')).toBe(true);
    // Records of nudges due before `since` are not read.
    expect((await ledger.settledByWorkspace([s.ws], new Date('2027-06-12T00:00:00Z')))?.get(s.ws)?.has('remind:K-10:1:d0')).toBe(false);
  });
  it('writes entries with only the fields it is read by, and still reads entries written with more', async () => {
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-6, workers: false });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    const ledger = new NudgeLedger(world.store);
    const due = new Date(NOW.getTime() - DAY);
    await ledger.settle(s.ws, [nudge('d1', due)], NOW);
    const raw = world.store.connection.collection('nudgerecords');
    const written = await raw.findOne({ workspaceId: s.ws, key: 'remind:K-9:1:d1' });
    // Every field costs the database work on each of thousands of inserts a minute.
    expect(Object.keys(written ?? {}).sort()).toEqual(['_id', 'attempts', 'claimedAt', 'dueAt', 'key', 'workspaceId']);
    // An entry as earlier versions wrote it (kind, subject and deliveredAt besides) still counts.
    await raw.insertOne({ workspaceId: s.ws, key: 'remind:K-9:1:d0#done', kind: 'remind', subject: 'K-9', dueAt: due, claimedAt: due, deliveredAt: due, attempts: 2 });
    expect([...(await ledger.settledKeys(s.ws, ['remind:K-9:1:d0', 'remind:K-9:1:d1', 'remind:K-9:1:d3']))].sort()).toEqual(['remind:K-9:1:d0', 'remind:K-9:1:d1']);
    expect(await ledger.deliveries(s.ws)).toEqual(new Map([['remind:K-9:1:d0', { attempts: 2, deliveredAt: due }]]));
    expect((await ledger.settledByWorkspace([s.ws], new Date(NOW.getTime() - 2 * DAY))).get(s.ws)).toEqual(new Set(['remind:K-9:1:d0', 'remind:K-9:1:d1']));
  });
});
