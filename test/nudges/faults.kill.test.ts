// A worker killed with SIGKILL in the middle of a batch: nothing it had claimed is lost,
// and nothing it had delivered is delivered again.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NudgeLedger } from '../../src/queue/nudge.ledger.js';
import { mongoUri, redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, eventually, queuedNudges, sleep, type World } from './fixtures/world.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TASKS = 15;
const GATE = 20;
const CONCURRENCY = 4;

let world: World | undefined;
let dir: string | undefined;
afterEach(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  world = undefined;
  dir = undefined;
});

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

// Each way nudges are queued: a job of their own (due within moments, or late), and the
// slot job of an instant shared by every nudge of the workspace due then.
const MODES = [
  // Every nudge is due at once (the scale squeezes days into microseconds): one big batch.
  { jobs: 'single', scale: 1e-9, slotAheadMs: undefined },
  // Days become 0.86 s: the tasks' 15 reminders of a morning are one slot job, four in all.
  { jobs: 'slot', scale: 1e-5, slotAheadMs: 50 },
] as const;

describe.each(MODES)('a worker killed mid-batch of $jobs jobs', ({ jobs, scale, slotAheadMs }) => {
  it('loses no nudge and repeats none', async () => {
    const now = new Date('2027-01-18T08:00:00Z');
    world = await createWorld(import.meta.url, { now, redisUrl: redisUrl(), timeScale: scale, workers: false, ...(slotAheadMs ? { slotAheadMs } : {}) });
    const w = world;
    const s = await seedWorkspace(w.store, { submission: new Date('2027-02-26T12:00:00Z') });
    const data = w.store.scoped(s.ws);
    for (let i = 1; i <= TASKS; i++) {
      const ref = await data.nextRef('K');
      await data.tasks.insert({ ref, consortiumRef: s.consortium.ref, title: `Task ${i}`, due: new Date(Date.UTC(2027, 0, 20, 17, i)), owner: { kind: 'org', slug: 'food-bank' }, status: 'open', createdBy: 'amara', version: 1 });
      await w.scheduler.taskChanged(s.ws, ref);
    }
    // Each task owes d1, d0 (to amara), overdue (amara and priya) and escalation (coord).
    const expected = new Set<string>();
    for (let i = 1; i <= TASKS; i++) {
      for (const k of [`remind:K-${i}:1:d1 → u/amara`, `remind:K-${i}:1:d0 → u/amara`, `overdue:K-${i}:1:od → u/amara`, `overdue:K-${i}:1:od → u/priya`, `escalate:K-${i}:1:esc → u/coord`]) expected.add(k);
    }

    const queued = await queuedNudges(w);
    expect(queued).toHaveLength(TASKS * 4);
    expect(queued.every((n) => n.kind === jobs)).toBe(true);

    dir = mkdtempSync(path.join(tmpdir(), 'consortia-kill-'));
    const out = path.join(dir, 'delivered.jsonl');
    const hung = path.join(dir, 'hung.txt');
    // node with tsx's loader, not the tsx CLI: the CLI runs the script in a child process,
    // which a SIGKILL to the CLI would leave running.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'nudges', 'fixtures', 'kill.worker.ts')], {
      cwd: ROOT,
      env: { ...process.env, MONGODB_URI: mongoUri(w.store.connection.name), REDIS_URL: redisUrl(), PREFIX: w.prefix, NOW: now.toISOString(), TIME_SCALE: String(scale), ...(slotAheadMs ? { SLOT_AHEAD_MS: String(slotAheadMs) } : {}), OUT: out, HUNG: hung, GATE: String(GATE), CONCURRENCY: String(CONCURRENCY) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const ledger = new NudgeLedger(w.store);

    // Kill it once every slot hangs on a claimed nudge and all it delivered is in the ledger.
    await eventually('the worker is mid-batch with every slot in flight', async () => {
      if (lines(hung).length < CONCURRENCY) return false;
      const deliveries = await ledger.deliveries(s.ws);
      return lines(out).every((l) => deliveries.has((JSON.parse(l) as { key: string }).key));
    }, 20_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const before = lines(out).map((l) => JSON.parse(l) as { key: string; to: string });
    expect(new Set(before.map((d) => d.key)).size).toBeGreaterThan(GATE);
    const inFlight = lines(hung).map((l) => l.split(' ') as [string, string]);
    const claimedOnly = inFlight.filter(([when]) => when === 'before').map(([, key]) => key);
    const deliveredNotAcked = inFlight.filter(([when]) => when === 'after').map(([, key]) => key);
    expect(claimedOnly.length).toBeGreaterThanOrEqual(1);
    expect(deliveredNotAcked.length).toBeGreaterThanOrEqual(1);

    // A new worker takes over: stalled jobs come back once the dead one's locks expire.
    const outcomes = new Map<string, string>();
    await w.startWorkers({ concurrency: 8, onNudge: (outcome, key) => void outcomes.set(key, outcome) });
    // The tasks' nudges (this process's sweep also queues the consortium's countdown).
    const all = () => [...before, ...w.notifier.delivered].filter((d) => d.key.includes(':K-')).map((d) => `${d.key} → ${d.to}`);
    await eventually('every nudge is delivered', () => new Set(all()).size === expected.size, 20_000);
    await sleep(1_000);

    const seen = all();
    expect(new Set(seen)).toEqual(expected);
    expect(seen).toHaveLength(expected.size); // nothing twice
    const deliveries = new Map([...(await ledger.deliveries(s.ws))].filter(([key]) => key.includes(':K-')));
    expect(deliveries.size).toBe(TASKS * 4);
    // The nudges that were claimed when the worker died were taken over, not lost.
    for (const key of claimedOnly) expect(deliveries.get(key)?.attempts).toBeGreaterThanOrEqual(2);
    // Those delivered before the kill ran again (BullMQ never heard they were done); the ledger stopped them.
    for (const key of deliveredNotAcked) expect(outcomes.get(key)).toBe('settled');
  }, 45_000);
});
