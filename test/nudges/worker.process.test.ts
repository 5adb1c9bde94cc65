// The worker as a process: `npm run worker` delivers through the console notifier, and
// SIGTERM lets in-flight nudges finish — or, past the grace period, hands them back to be
// delivered by another worker — without losing or repeating any.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NudgeLedger } from '../../src/queue/nudge.ledger.js';
import { mongoUri, redisUrl } from '../helpers/services.js';
import { seedWorkspace } from './fixtures/seed.js';
import { createWorld, eventually, sleep, type World } from './fixtures/world.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NOW = new Date('2027-01-18T08:00:00Z');

let world: World | undefined;
let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  world = undefined;
  dir = undefined;
  child = undefined;
});

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

function run(script: string, env: Record<string, string>): { child: ChildProcess; exit: Promise<number | null>; stdout: () => string } {
  let out = '';
  const c = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  c.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  c.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  child = c;
  return { child: c, exit: new Promise((resolve) => c.once('exit', (code) => resolve(code))), stdout: () => out };
}

/** A world whose tasks' nudges are all due at once, waiting for a worker. */
async function pending(tasks: number): Promise<{ w: World; ws: string }> {
  // QUEUE_PREFIX allows 40 characters.
  const prefix = `consortia_test_wp_${Math.random().toString(36).slice(2, 10)}`;
  const w = await createWorld(import.meta.url, { now: NOW, redisUrl: redisUrl(), timeScale: 1e-9, workers: false, prefix });
  world = w;
  const s = await seedWorkspace(w.store, { submission: new Date('2027-02-26T12:00:00Z') });
  const data = w.store.scoped(s.ws);
  for (let i = 1; i <= tasks; i++) {
    const ref = await data.nextRef('K');
    await data.tasks.insert({ ref, consortiumRef: s.consortium.ref, title: `Task ${i}`, due: new Date('2027-01-20T17:30:00Z'), owner: { kind: 'user', id: 'amara' }, status: 'open', createdBy: 'amara', version: 1 });
    await w.scheduler.taskChanged(s.ws, ref);
  }
  return { w, ws: s.ws };
}

describe('the worker process', () => {
  it('`npm run worker` delivers through the console and stops cleanly on SIGTERM', async () => {
    const { w } = await pending(1);
    const p = run('jobs/worker.main.ts', { MONGODB_URI: mongoUri(w.store.connection.name), REDIS_URL: redisUrl(), QUEUE_PREFIX: w.prefix, LOG_LEVEL: 'warn', NUDGE_TIME_SCALE: '0.001' });
    await eventually('the escalation is printed', () => p.stdout().includes('is still not done'), 20_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${p.stdout()}`);
    });
    expect(p.stdout()).toContain('📣 to @amara (due Tue 19 Jan 2027, 09:00)');
    expect(p.stdout()).toContain('📣 to @coord (due Tue 26 Jan 2027, 09:00)');
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });

  it('on SIGTERM finishes the nudges in flight, and another worker delivers the rest, each once', async () => {
    const { w, ws } = await pending(3);
    dir = mkdtempSync(path.join(tmpdir(), 'consortia-term-'));
    const [out, started] = [path.join(dir, 'out.jsonl'), path.join(dir, 'started.txt')];
    const p = run('test/nudges/fixtures/kill.worker.ts', { MONGODB_URI: mongoUri(w.store.connection.name), REDIS_URL: redisUrl(), PREFIX: w.prefix, NOW: NOW.toISOString(), TIME_SCALE: '1e-9', OUT: out, HUNG: path.join(dir, 'hung.txt'), STARTED: started, GATE: '1000', CONCURRENCY: '3', SLOW_MS: '1000', GRACE_MS: '8000' });
    await eventually('three sends are under way', () => lines(started).length >= 3, 20_000);
    expect(lines(out)).toEqual([]);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    // What was in flight was finished before exiting, and recorded as delivered.
    const finished = lines(out).map((l) => (JSON.parse(l) as { key: string }).key);
    expect([...new Set(finished)].sort()).toEqual([...new Set(lines(started))].sort());
    const ledger = new NudgeLedger(w.store);
    // The tasks' nudges (the worker's sweep also queues the consortium's countdown).
    const taskDeliveries = async () => [...(await ledger.deliveries(ws)).keys()].filter((k) => k.includes(':K-'));
    expect((await taskDeliveries()).sort()).toEqual([...new Set(finished)].sort());
    expect(await w.scheduler.queue.getActiveCount()).toBe(0);

    await w.startWorkers();
    await eventually('the rest are delivered', async () => (await taskDeliveries()).length === 3 * 4, 15_000);
    await sleep(300);
    // Each task owes five sends: two reminders to amara, the overdue nudge to amara and the
    // lead's admin, the escalation to the coordinator. Every one arrived exactly once.
    const all = [...lines(out).map((l) => JSON.parse(l) as { key: string; to: string }), ...w.notifier.delivered].filter((d) => d.key.includes(':K-')).map((d) => `${d.key} → ${d.to}`);
    expect(all).toHaveLength(3 * 5);
    expect(new Set(all).size).toBe(3 * 5);
    expect(w.notifier.keys().filter((k) => finished.includes(k))).toEqual([]);
  });

  it('on SIGTERM hands back nudges that outlast the grace period, and they are delivered once elsewhere', async () => {
    const { w, ws } = await pending(1);
    dir = mkdtempSync(path.join(tmpdir(), 'consortia-term-'));
    const [out, started] = [path.join(dir, 'out.jsonl'), path.join(dir, 'started.txt')];
    const p = run('test/nudges/fixtures/kill.worker.ts', { MONGODB_URI: mongoUri(w.store.connection.name), REDIS_URL: redisUrl(), PREFIX: w.prefix, NOW: NOW.toISOString(), TIME_SCALE: '1e-9', OUT: out, HUNG: path.join(dir, 'hung.txt'), STARTED: started, GATE: '1000', CONCURRENCY: '2', SLOW_MS: '60000', GRACE_MS: '300' });
    await eventually('two sends are under way', () => lines(started).length >= 2, 20_000);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(lines(out)).toEqual([]);
    const handedBack = lines(started);

    await w.startWorkers();
    const ledger = new NudgeLedger(w.store);
    // The task's nudges (the worker's sweep also queues the consortium's countdown).
    await eventually('every nudge is delivered', async () => [...(await ledger.deliveries(ws)).keys()].filter((k) => k.includes(':K-')).length === 4, 20_000);
    await sleep(300);
    for (const key of handedBack.filter((k) => k.includes(':K-'))) expect(w.notifier.keys()).toContain(key);
    const sends = w.notifier.delivered.filter((d) => d.key.includes(':K-')).map((d) => `${d.key} → ${d.to}`);
    expect(sends).toHaveLength(5);
    expect(new Set(sends).size).toBe(5);
  });
});
