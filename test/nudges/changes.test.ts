// What happens to scheduled nudges when their task changes: re-dated, completed, snoozed —
// both when the scheduler can update Redis and when it cannot (so stale jobs are still
// queued and only the worker's check against MongoDB stands between them and a user).
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../src/core/app.js';
import { allHandlers } from '../../src/core/handlers/index.js';
import { replyText } from '../../src/core/reply.js';
import { BullScheduler } from '../../src/queue/bull.scheduler.js';
import type { NudgeOutcome } from '../../jobs/nudge.worker.js';
import { redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, eventually, jobsDueBy, queuedNudges, sleep, type World } from './fixtures/world.js';

// Monday 4 January 2027, 08:00 in London.
const NOW = new Date('2027-01-04T08:00:00Z');
const SUBMISSION = new Date('2027-03-26T12:00:00Z');
// Days become fractions of a second: a task due 11 January is escalated after about 1 s;
// one due 26 February gets its first reminder after about 3.8 s and its escalation after
// about 5.1 s, which leaves every command in these tests time to act before then.
const SCALE = 1e-6;
const FAR = '26/02/2027';

let world: World | undefined;
let dead: BullScheduler | undefined;
afterEach(async () => {
  await dead?.close();
  await world?.close();
  world = undefined;
  dead = undefined;
});

/** A world whose workers report what became of every nudge job. */
async function setUp(): Promise<{ w: World; outcomes: [NudgeOutcome, string][]; ws: string; c: string }> {
  const outcomes: [NudgeOutcome, string][] = [];
  // Nudges due 2 s away or more are queued in slot jobs, sooner ones in jobs of their own:
  // a task due FAR has slot jobs, one re-dated to next week jobs of its own.
  const w = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: SCALE, slotAheadMs: 2_000, workers: { onNudge: (o, key) => void outcomes.push([o, key]) } });
  world = w;
  const s = await seedWorkspace(w.store, { submission: SUBMISSION });
  return { w, outcomes, ws: s.ws, c: s.consortium.ref };
}

/** The same core, but its scheduler's Redis is a closed port: commands succeed, Redis hears nothing. */
function coreWithoutRedis(w: World): { say(ws: string, user: string, text: string): Promise<{ outcome: string; text: string; ms: number }> } {
  dead = new BullScheduler({ store: w.store, redisUrl: 'redis://127.0.0.1:1', prefix: w.prefix, clock: w.clock, timeScale: SCALE, commandTimeoutMs: 500 });
  const core = new Core({ store: w.store, clock: w.clock, scheduler: dead, notifier: w.notifier }, allHandlers());
  return {
    async say(ws, user, text) {
      const started = Date.now();
      const r = await core.handle({ actor: { workspaceId: ws, platform: 'console', userId: user }, text });
      return { outcome: r.outcome, text: replyText(r), ms: Date.now() - started };
    },
  };
}

const version = (key: string) => key.split(':')[2];

/** When the last nudge Redis holds for a task is due (ISO). */
async function lastQueued(w: World, ref: string): Promise<string> {
  const at = (await queuedNudges(w)).filter((n) => n.key.includes(`:${ref}:`)).map((n) => n.at).sort();
  expect(at.length).toBeGreaterThan(0);
  return at.at(-1) as string;
}

/** Versions of K-1 that Redis holds jobs for. */
async function queuedVersions(w: World): Promise<string[]> {
  const keys = (await queuedNudges(w)).map((n) => n.key);
  return [...new Set(keys.filter((k) => k.includes(':K-1:')).map((k) => version(k) ?? '?'))].sort();
}

describe('a re-dated task', () => {
  it('gets the nudges of its new date and never those of the old one', async () => {
    const { w, ws, c } = await setUp();
    await w.say(ws, 'amara', `task add ${c} "Method statements" due ${FAR} owner food-bank`);
    expect(await queuedVersions(w)).toEqual(['1']);
    expect((await w.say(ws, 'amara', 'task due K-1 11/01/2027')).outcome).toBe('ok');
    // The old date's jobs left Redis with the change.
    expect(await queuedVersions(w)).not.toContain('1');
    await eventually('the new escalation arrives', () => w.notifier.keys().includes('escalate:K-1:2:esc'), 10_000);
    await sleep(300);
    expect(w.notifier.keys().filter((k) => version(k) !== '2')).toEqual([]);
    expect(w.notifier.keys().sort()).toEqual(['escalate:K-1:2:esc', 'overdue:K-1:2:od', 'overdue:K-1:2:od', 'remind:K-1:2:d0', 'remind:K-1:2:d1', 'remind:K-1:2:d3']);
  });

  it('is refused the old nudges by the worker when Redis missed the change', async () => {
    const { w, outcomes, ws, c } = await setUp();
    await w.say(ws, 'amara', `task add ${c} "Method statements" due ${FAR} owner food-bank`);
    const oldLast = await lastQueued(w, 'K-1');
    expect(new Set((await queuedNudges(w)).filter((n) => n.key.includes(':K-1:')).map((n) => n.kind))).toEqual(new Set(['slot']));
    const offline = coreWithoutRedis(w);
    const moved = await offline.say(ws, 'amara', 'task due K-1 11/01/2027');
    expect(moved.outcome).toBe('ok');
    expect(moved.ms).toBeLessThan(3_000);
    // Redis still holds the old date's jobs, and nothing of the new date's until a sweep.
    await eventually('the old date\'s jobs have all run', async () => (await jobsDueBy(w, oldLast)) === 0, 15_000);
    expect(w.notifier.delivered).toEqual([]);
    // Five jobs of their own for the task's new date (due within 2 s), and a slot job for each
    // of the five instants of the consortium's countdown nobody had queued.
    expect(await w.workers?.sweepNow()).toBe(10);
    await eventually('the new escalation arrives', () => w.notifier.keys().includes('escalate:K-1:2:esc'), 10_000);
    // Jobs of its own found their nudge gone; slot jobs worked out only what is owed now.
    expect(outcomes.filter(([, k]) => version(k) === '1').every(([o]) => o === 'stale')).toBe(true);
    expect(w.notifier.keys().filter((k) => k.includes(':K-1:') && version(k) !== '2')).toEqual([]);
    expect(w.notifier.keys()).toContain('escalate:K-1:2:esc');
  });
});

describe('a completed task', () => {
  it('gets no nudges, whether or not Redis heard it was done', async () => {
    const { w, outcomes, ws, c } = await setUp();
    await w.say(ws, 'amara', `task add ${c} "Pricing" due ${FAR}`);
    await w.say(ws, 'amara', `task add ${c} "Social value" due ${FAR}`);
    const last = await lastQueued(w, 'K-2');
    expect((await w.say(ws, 'amara', 'task done K-1')).outcome).toBe('ok');
    const offline = coreWithoutRedis(w);
    expect((await offline.say(ws, 'amara', 'task done K-2')).outcome).toBe('ok');
    await eventually('K-2\'s jobs have all run', async () => (await jobsDueBy(w, last)) === 0, 15_000);
    await sleep(300);
    expect(w.notifier.delivered).toEqual([]);
    // K-1's jobs were removed when it was done; K-2's ran and found nothing owed.
    expect(outcomes.filter(([, k]) => k.includes(':K-1:'))).toEqual([]);
    expect(outcomes.filter(([, k]) => k.includes(':K-2:')).every(([o]) => o === 'stale')).toBe(true);
  });
});

describe('a snoozed task', () => {
  it('has its next reminder held until the snooze ends, and the rest unchanged', async () => {
    const { w, ws, c } = await setUp();
    await w.say(ws, 'amara', `task add ${c} "Policies" due ${FAR}`);
    // Hold reminders until Thursday 25 February, 15:00: the 7-, 3- and 1-day reminders fall in
    // that time; the latest, most telling one is sent when the snooze ends.
    expect((await w.say(ws, 'amara', 'task snooze K-1 25/02/2027 15:00')).outcome).toBe('ok');
    await eventually('the escalation arrives', () => w.notifier.keys().includes('escalate:K-1:1:esc'), 15_000);
    const reminders = w.notifier.delivered.filter((d) => d.key.startsWith('remind:')).map((d) => [d.key.replace(/~.*$/, '~'), d.dueAt]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(reminders).toEqual([
      ['remind:K-1:1:d1~', '2027-02-25T15:00:00.000Z'],
      ['remind:K-1:1:d0', '2027-02-26T09:00:00.000Z'],
    ]);
    expect(w.notifier.delivered.find((d) => d.key.includes('~'))?.text).toContain('snoozed');
  });
});
