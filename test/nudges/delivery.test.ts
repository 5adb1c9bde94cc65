// Nudges end to end on the real FerretDB and Redis: scheduled by commands, delivered by the
// BullMQ workers through the notifier port, recorded once in the ledger.
import { afterEach, describe, expect, it } from 'vitest';
import { NudgeLedger } from '../../src/queue/nudge.ledger.js';
import { NUDGE_JOB_OPTIONS, isSlotJob } from '../../src/queue/nudge.jobs.js';
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

/**
 * A task due Fri 29 Jan 2027 with its slot for the reminder 3 working days before (Tue 26
 * Jan, 09:00) started and waiting: an hour is 18 ms, so that instant is about 3.5 s away and
 * its slot starts 1.5 s before. Returns the slot's job id and the real time it is due.
 */
async function slotWaitingForItsInstant(): Promise<{ w: World; s: Awaited<ReturnType<typeof seedWorkspace>>; slotId: string | undefined; runAt: number | undefined }> {
  world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 5e-6, slotAheadMs: 100, slotLeadMs: 1_500 });
  const w = world;
  const s = await seedWorkspace(w.store, { submission: SUBMISSION });
  expect((await w.say(s.ws, 'amara', `task add ${s.consortium.ref} "Pricing" due 29/01/2027`)).outcome).toBe('ok');
  const slot = (await w.scheduler.queue.getDelayed(0, 100)).find((j) => isSlotJob(j.data) && j.data.at === '2027-01-26T09:00:00.000Z');
  const runAt = slot && isSlotJob(slot.data) ? slot.data.runAt : undefined;
  await eventually('the slot starts', async () => (await w.scheduler.queue.getActive()).some((j) => j.id === slot?.id), 5_000);
  return { w, s, slotId: slot?.id, runAt };
}

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
    const ledger = await new NudgeLedger(w.store).deliveries(s.ws);
    expect([...ledger.keys()].sort()).toEqual(['escalate:K-1:1:esc', 'overdue:K-1:1:od', 'remind:K-1:1:d0', 'remind:K-1:1:d1']);
    expect([...ledger.values()].every((e) => e.attempts === 1)).toBe(true);
    const settled = await new NudgeLedger(w.store).settledKeys(s.ws, ['remind:K-1:1:d7', 'remind:K-1:1:d3']);
    expect(settled.size).toBe(2);
    // A question about many keys (here with a thousand that were never due), asked in
    // chunks, gets the same answer.
    const asked = ['remind:K-1:1:d7', 'remind:K-1:1:d1', 'overdue:K-1:1:od', ...Array.from({ length: 1000 }, (_, i) => `remind:K-${i + 2}:1:d1`)];
    const many = await new NudgeLedger(w.store).settledKeys(s.ws, asked);
    expect([...many].sort()).toEqual(['overdue:K-1:1:od', 'remind:K-1:1:d1', 'remind:K-1:1:d7']);
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

  it('delivers every nudge of a slot once, however often it is queued, and retries only a send that failed', async () => {
    // Every nudge is at least 0.1 s away (an hour is 18 ms), so each goes in its instant's slot
    // job, which waits in the delayed set until its instant (no lead).
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 5e-6, slotAheadMs: 100, slotLeadMs: 0 });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    for (const title of ['Pricing', 'Social value', 'Policies']) {
      expect((await world.say(s.ws, 'amara', `task add ${s.consortium.ref} "${title}" due 20/01/2027`)).outcome).toBe('ok');
    }
    const jobs = await world.scheduler.queue.getDelayed(0, 100);
    expect(jobs.every((j) => isSlotJob(j.data))).toBe(true);
    // Three tasks due together share each instant: four task slots, beside the countdown's.
    const morning = '2027-01-20T09:00:00.000Z';
    expect(jobs.filter((j) => isSlotJob(j.data) && j.data.at === morning)).toHaveLength(1);
    // The morning's slot queued again under other ids, and one of its nudges in a job of its own.
    for (const id of ['copy-1', 'copy-2']) await world.scheduler.queue.add('slot', { ws: s.ws, at: morning }, { ...NUDGE_JOB_OPTIONS, jobId: id });
    await world.scheduler.queue.add('remind', { ws: s.ws, key: 'remind:K-1:1:d0', dueAt: morning }, { ...NUDGE_JOB_OPTIONS, jobId: 'copy-3' });
    // The chat platform refuses one send of that morning, once.
    world.notifier.failOnce.add('remind:K-2:1:d0 → u/priya');
    const w = world;
    const taskSends = () => w.notifier.delivered.filter((d) => d.key.includes(':K-')).map((d) => `${d.key} → ${d.to}`);
    // Each task (owned by the lead, Priya's organisation): reminders 1 day before and on the
    // morning, the overdue nudge, the escalation to the coordinator.
    await eventually('every task nudge is delivered', () => new Set(taskSends()).size === 3 * 4, 15_000);
    await sleep(500);
    expect(taskSends()).toHaveLength(3 * 4);
    const ledger = await new NudgeLedger(w.store).deliveries(s.ws);
    // The refused send was retried with its slot; the others of the slot were not sent again.
    expect(ledger.get('remind:K-2:1:d0')?.attempts).toBe(2);
    expect(ledger.get('remind:K-3:1:d0')?.attempts).toBe(1);
    expect(w.notifier.failOnce.size).toBe(0);
  });

  it('starts a slot before its instant and sends at the instant what is owed then, not what was', async () => {
    const { w, s, runAt } = await slotWaitingForItsInstant();
    expect(typeof runAt).toBe('number');
    const startedAt = Date.now();
    expect(startedAt).toBeLessThan(runAt as number);
    // While it waits for its instant: one task is finished, another added with a nudge then.
    expect((await w.say(s.ws, 'amara', 'task done K-1')).outcome).toBe('ok');
    expect((await w.say(s.ws, 'amara', `task add ${s.consortium.ref} "Social value" due 29/01/2027`)).outcome).toBe('ok');
    expect(Date.now()).toBeLessThan(runAt as number);
    await eventually('the new task\'s reminder arrives', () => w.notifier.keys().includes('remind:K-2:1:d3'), 5_000);
    await sleep(300);
    const sent = w.notifier.delivered.find((d) => d.key === 'remind:K-2:1:d3');
    expect(sent?.at).toBeGreaterThanOrEqual(runAt as number);
    expect(w.notifier.keys()).not.toContain('remind:K-1:1:d3');
    expect(count(w.notifier.keys(), 'remind:K-2:1:d3')).toBe(1);
  });

  it('hands a slot waiting for its instant back to the queue when its process closes, and another worker sends it then', async () => {
    const { w, slotId, runAt: due } = await slotWaitingForItsInstant();
    const runAt = due ?? 0;
    const closing = Date.now();
    await w.workers?.close();
    // It did not hold the close up until its instant…
    expect(Date.now() - closing).toBeLessThan(1_000);
    expect(Date.now()).toBeLessThan(runAt);
    expect(await w.scheduler.queue.getJobState(slotId as string)).toBe('delayed');
    expect(w.notifier.keys()).not.toContain('remind:K-1:1:d3');
    // …and a worker started afterwards sends it at its instant, once.
    await w.startWorkers();
    await eventually('the reminder arrives', () => w.notifier.keys().includes('remind:K-1:1:d3'), 5_000);
    await sleep(300);
    expect(w.notifier.delivered.find((d) => d.key === 'remind:K-1:1:d3')?.at).toBeGreaterThanOrEqual(runAt);
    expect(count(w.notifier.keys(), 'remind:K-1:1:d3')).toBe(1);
  });

  it('lets slots early for their instant hold at most half the worker\'s places; one past that waits in the queue, and both send at their instant', async () => {
    // Two places, so one slot may wait holding one; two workspaces owe a reminder at the same instant.
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 5e-6, slotAheadMs: 100, slotLeadMs: 1_500, workers: { concurrency: 2 } });
    const w = world;
    for (const ws of ['W1', 'W2']) {
      const s = await seedWorkspace(w.store, { ws, submission: SUBMISSION });
      expect((await w.say(ws, 'amara', `task add ${s.consortium.ref} "Pricing" due 29/01/2027`)).outcome).toBe('ok');
    }
    const slots = (await w.scheduler.queue.getDelayed(0, 100)).filter((j) => isSlotJob(j.data) && j.data.at === '2027-01-26T09:00:00.000Z');
    expect(slots).toHaveLength(2);
    const runAt = new Map(slots.map((j) => (isSlotJob(j.data) ? [j.data.ws, j.data.runAt ?? 0] : ['', 0])));
    // Both have started: one waits holding its place, the other went back to the queue.
    await eventually('both slots start', async () => {
      const jobs = await Promise.all(slots.map((j) => w.scheduler.queue.getJob(j.id as string)));
      return jobs.every((j) => j?.processedOn !== undefined);
    }, 5_000);
    expect(Date.now()).toBeLessThan(Math.min(...runAt.values()));
    const states = await Promise.all(slots.map((j) => w.scheduler.queue.getJobState(j.id as string)));
    expect(states.sort()).toEqual(['active', 'delayed']);
    await eventually('both reminders arrive', () => w.notifier.delivered.filter((d) => d.key === 'remind:K-1:1:d3').length === 2, 5_000);
    await sleep(300);
    const sent = w.notifier.delivered.filter((d) => d.key === 'remind:K-1:1:d3');
    expect(sent.map((d) => d.ws).sort()).toEqual(['W1', 'W2']);
    for (const d of sent) {
      const due = runAt.get(d.ws) ?? 0;
      expect(d.at).toBeGreaterThanOrEqual(due);
      expect(d.at - due).toBeLessThan(1_500);
    }
  });

  it('shares the work between several workers on one Redis, each nudge delivered once', async () => {
    const byWorker: Record<string, number> = { a: 0, b: 0 };
    world = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-9, workers: { onNudge: () => void (byWorker.a = (byWorker.a ?? 0) + 1) } });
    await world.startWorkers({ onNudge: () => void (byWorker.b = (byWorker.b ?? 0) + 1) });
    const s = await seedWorkspace(world.store, { submission: SUBMISSION });
    const data = world.store.scoped(s.ws);
    for (let i = 1; i <= 12; i++) {
      await data.tasks.insert({ ref: `K-${i}`, consortiumRef: s.consortium.ref, title: `Task ${i}`, due: new Date('2027-01-20T17:30:00Z'), owner: { kind: 'user', id: 'amara' }, status: 'open', createdBy: 'amara', version: 1 });
      await world.scheduler.taskChanged(s.ws, `K-${i}`);
    }
    const w = world;
    await eventually('every nudge is delivered', () => new Set(w.notifier.keys()).size === 12 * 4, 15_000);
    await sleep(300);
    const sends = w.notifier.delivered.map((d) => `${d.key} → ${d.to}`);
    expect(sends).toHaveLength(12 * 5);
    expect(new Set(sends).size).toBe(12 * 5);
    expect(byWorker.a).toBeGreaterThan(0);
    expect(byWorker.b).toBeGreaterThan(0);
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
});
