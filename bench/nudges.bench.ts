/**
 * `npm run bench:nudges`: the nudge pipeline at volume, on the real MongoDB and Redis.
 *
 * Seeds many workspaces with open tasks and formed consortia, schedules every nudge they
 * owe through the BullMQ scheduler (100,000 by default), squeezed by a time scale into a
 * short window of real time, and delivers them with the real workers into a counting
 * port. Beside it, in the same run and on the same Redis, a bare BullMQ worker with an
 * empty processor drains as many jobs, for the ceiling the queue itself sets.
 *
 *   npm run bench:nudges                 100,000 nudges across 20 workspaces
 *   npm run bench:nudges -- --quick      3,000 nudges across 5 workspaces, under a minute
 *   options: --nudges N --workspaces N --concurrency N (2000)
 *            --offered F (0.6: nudges fall due at F × the bare throughput) --window-ms N
 *
 * The nudges fall due evenly over a window sized so that they arrive at 60% of the bare
 * worker's throughput: above the target of half, so a pipeline that keeps up with them,
 * with little lateness, has shown it sustains the target (the rate it delivers at cannot
 * exceed the rate nudges fall due, so the offered rate must be above the target for the
 * figure to show it). Lateness is measured from the moment each nudge was due (its scaled
 * due time) to its first delivery. The last line is one JSON object:
 * {nudgesPerSec, bareJobsPerSec, p50Ms, p99Ms, maxMs, duplicates, missing, ...}.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Workspace } from '../src/core/domain.js';
import type { Nudge } from '../src/core/nudges/nudge.policy.js';
import { recipientId } from '../src/core/nudges/nudge.recipients.js';
import type { Clock, Notifier, Recipient } from '../src/core/ports.js';
import { WorkingCalendar } from '../src/core/time/working-days.js';
import { loadWorkspaceNudges } from '../src/queue/nudge.source.js';
import { MongoStore } from '../src/store/mongo.store.js';
import { ReadCache } from '../src/store/read.cache.js';
import { RedisRevisionBoard } from '../src/store/revisions.js';
import { startWorkers } from '../jobs/workers.js';

interface Options {
  quick: boolean;
  nudges: number;
  workspaces: number;
  concurrency: number;
  offered: number;
  windowMs?: number;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const num = (name: string, fallback: number | undefined): number | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number, not "${argv[i + 1] ?? ''}"`);
    return n;
  };
  return {
    quick,
    nudges: num('nudges', quick ? 3_000 : 100_000) as number,
    workspaces: num('workspaces', quick ? 5 : 20) as number,
    concurrency: num('concurrency', 2000) as number,
    offered: num('offered', 0.6) as number,
    ...(num('window-ms', undefined) !== undefined ? { windowMs: num('window-ms', undefined) as number } : {}),
  };
}

/** Daily reminders in the last working week: with the morning it is due, overdue and escalation, eight nudges a task. */
const REMINDER_DAYS = [5, 4, 3, 2, 1] as const;
const NUDGES_PER_TASK = REMINDER_DAYS.length + 3;

const say = (text: string) => process.stdout.write(`${text}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function env(name: 'MONGODB_URI' | 'REDIS_URL'): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run through \`npm run bench:nudges\`, which starts the services.`);
  return v;
}

function withDatabase(uri: string, db: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error('MONGODB_URI is not a mongodb:// URI');
  return `${m[1]}/${db}${m[2] ?? ''}`;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function clearPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The ceiling: as many empty jobs through a bare BullMQ worker, same Redis, same concurrency. */
async function bareThroughput(url: string, prefix: string, count: number, concurrency: number): Promise<number> {
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue('bare', { connection, prefix });
  for (let i = 0; i < count; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({ name: 'bare', data: { i: i + j }, opts: { removeOnComplete: true, removeOnFail: true } })));
  }
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  const worker = new Worker('bare', async () => {
    done += 1;
    if (done === count) finish();
  }, { connection, prefix, concurrency });
  await finished;
  const elapsed = performance.now() - started;
  await worker.close();
  await queue.close();
  return count / (elapsed / 1000);
}

/** Logical time running `1 / scale` times faster than real time from `realStart`. */
class ScaledClock implements Clock {
  constructor(private readonly logicalStart: number, private readonly realStart: number, private readonly scale: number) {}
  now(): Date {
    return new Date(this.logicalStart + (Date.now() - this.realStart) / this.scale);
  }
  realOf(logical: Date): number {
    return this.realStart + (logical.getTime() - this.logicalStart) * this.scale;
  }
}

/** The delivery port under test: counts each nudge per recipient and times its first arrival. */
class CountingPort implements Notifier {
  readonly firstAt = new Map<string, number>();
  readonly perRecipient = new Map<string, number>();
  readonly lateness: number[] = [];
  constructor(private readonly clock: ScaledClock) {}

  async send(ws: Workspace, to: Recipient, _message: unknown, meta?: { dueAt?: Date; key?: string }): Promise<void> {
    const now = Date.now();
    const key = `${ws.id}|${meta?.key ?? '?'}`;
    const rk = `${key}|${recipientId(to)}`;
    this.perRecipient.set(rk, (this.perRecipient.get(rk) ?? 0) + 1);
    if (!this.firstAt.has(key)) {
      this.firstAt.set(key, now);
      if (meta?.dueAt) this.lateness.push(now - this.clock.realOf(meta.dueAt));
    }
  }
}

async function seed(store: MongoStore, workspaces: number, tasksPerWorkspace: number, firstDue: Date): Promise<string[]> {
  const ids: string[] = [];
  const cal = new WorkingCalendar({ timezone: 'Europe/London', region: 'england-and-wales', hoursStart: '09:00', hoursEnd: '17:30' });
  for (let w = 0; w < workspaces; w++) {
    const id = `bench-ws-${w}`;
    ids.push(id);
    await store.workspaces.ensure(id, 'console', `Bench ${w}`, `coord-${w}`);
    // Working hours start at different times, as organisations' do, so not every nudge lands on the same minute.
    const start = 8 * 60 + ((w * 7) % 90);
    await store.workspaces.updateSettings(id, { hoursStart: `${String(Math.floor(start / 60)).padStart(2, '0')}:${String(start % 60).padStart(2, '0')}`, reminderDays: [...REMINDER_DAYS] });
    const data = store.scoped(id);
    const org = (slug: string) => ({ slug, name: `Org ${slug}`, services: ['advice'], areas: ['Easton'], home: 'Easton', income: 200_000, capacity: 100_000, canLead: true, accreditations: [], partners: [], unavailable: false, createdBy: 'bench' });
    await data.orgs.insert(org('lead'));
    await data.orgs.insert(org('partner'));
    await data.members.insert({ userId: `lead-admin-${w}`, orgSlug: 'lead', role: 'admin' });
    await data.members.insert({ userId: `partner-admin-${w}`, orgSlug: 'partner', role: 'admin' });
    await data.tenders.insert({ ref: 'T-1', title: 'Bench tender', annualValue: 500_000, years: 3, currency: 'GBP', leadAccreditations: [], maxMembers: 6, cells: [], lots: [], status: 'open', cpv: [], regions: [], createdBy: 'bench', dates: { submission: new Date(firstDue.getTime() + 14 * 86_400_000) } });
    await data.consortia.insert({ ref: 'C-1', tenderRef: 'T-1', state: 'formed', score: 1, proposedBy: 'bench', rev: 1, formedAt: new Date(firstDue.getTime() - 30 * 86_400_000), members: [{ orgSlug: 'lead', role: 'lead', answer: 'accepted' }, { orgSlug: 'partner', role: 'partner', answer: 'accepted' }], memberSlugs: ['lead', 'partner'] });
    for (let i = 0; i < tasksPerWorkspace; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, tasksPerWorkspace - i) }, (_, j) => {
        const n = i + j + 1;
        // Due on working days spread over two weeks, at different times of the afternoon.
        const due = new Date(cal.addWorkingDays(firstDue, n % 10).getTime() + (n % 8) * 900_000);
        return data.tasks.insert({ ref: `K-${n}`, consortiumRef: 'C-1', title: `Task ${n}`, due, owner: { kind: 'user', id: `owner-${w}-${n % 50}` }, status: 'open', createdBy: 'bench', version: 1 });
      }));
    }
  }
  return ids;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const mongo = env('MONGODB_URI');
  const redisUrl = env('REDIS_URL');
  const run = randomBytes(4).toString('hex');
  const prefix = `consortia-bench-${run}`;
  // As the worker process has it: reads through the cache, tokens on the same Redis.
  const store = await MongoStore.connect(withDatabase(mongo, `consortia_bench_nudges_${run}`), { cache: new ReadCache(new RedisRevisionBoard(redisUrl, prefix)) });
  say(`Nudge benchmark${opts.quick ? ' (quick)' : ''}: ${opts.nudges.toLocaleString('en-GB')} nudges across ${opts.workspaces} workspaces, concurrency ${opts.concurrency}.`);
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  try {
    const bare = await bareThroughput(redisUrl, `${prefix}-bare`, opts.nudges, opts.concurrency);
    say(`Bare BullMQ (empty processor): ${Math.round(bare).toLocaleString('en-GB')} jobs/s.`);

    const tasksPerWorkspace = Math.max(1, Math.ceil(opts.nudges / NUDGES_PER_TASK / opts.workspaces));
    // Monday 18 January 2027, 15:00: every task's eight nudges fall on working days.
    const firstDue = new Date('2027-01-18T15:00:00Z');
    let t = performance.now();
    const ids = await seed(store, opts.workspaces, tasksPerWorkspace, firstDue);
    say(`Seeded ${(tasksPerWorkspace * opts.workspaces).toLocaleString('en-GB')} tasks in ${secs(performance.now() - t)}.`);

    const expected = new Map<string, Nudge>();
    for (const id of ids) {
      const ws = await store.workspaces.get(id);
      if (!ws) throw new Error(`workspace ${id} missing`);
      for (const n of [...(await loadWorkspaceNudges(ws, store.scoped(id))).values()].flat()) expected.set(`${id}|${n.key}`, n);
    }
    const dues = [...expected.values()].map((n) => n.dueAt.getTime());
    const minDue = Math.min(...dues);
    const maxDue = Math.max(...dues);
    const windowMs = opts.windowMs ?? Math.max(1_000, (expected.size / (bare * opts.offered)) * 1000);
    const scale = windowMs / Math.max(1, maxDue - minDue);
    // The window opens once scheduling should be done (estimated from its usual pace).
    const lead = 4_000 + expected.size * 0.8;
    const clock = new ScaledClock(minDue, Date.now() + lead, scale);
    const port = new CountingPort(clock);
    say(`${expected.size.toLocaleString('en-GB')} nudges due within a ${secs(windowMs)} window, ${Math.round(expected.size / (windowMs / 1000)).toLocaleString('en-GB')} a second (${Math.round((expected.size / (windowMs / 1000) / bare) * 100)}% of bare; time scale ${scale.toExponential(2)}), opening in ${secs(lead)}.`);

    workers = await startWorkers({ store, notifier: port, redisUrl, prefix, clock, timeScale: scale, concurrency: opts.concurrency, sweepOnStart: false, sweepEveryMs: 3_600_000, settingsTtlMs: 5_000 });
    t = performance.now();
    for (const id of ids) {
      const ws = await store.workspaces.get(id);
      if (ws) await workers.scheduler.syncWorkspace(ws);
    }
    const scheduled = performance.now() - t;
    say(`Scheduled in ${secs(scheduled)} (${Math.round(expected.size / (scheduled / 1000)).toLocaleString('en-GB')} nudges/s)${scheduled > lead ? ' — longer than the lead time, so the first nudges were queued late' : ''}.`);

    // Waits for every nudge; gives up only after two minutes without a single delivery.
    let last = -1;
    let lastChange = Math.max(Date.now(), clock.realOf(new Date(minDue)));
    let lastReport = Date.now();
    while (port.firstAt.size < expected.size) {
      await new Promise((r) => setTimeout(r, 250));
      if (port.firstAt.size !== last) {
        last = port.firstAt.size;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 120_000) {
        say('No delivery for 2 minutes; stopping.');
        break;
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        say(`  … ${port.firstAt.size.toLocaleString('en-GB')} delivered`);
      }
    }
    const times = [...port.firstAt.values()];
    const windowStart = clock.realOf(new Date(minDue));
    const elapsed = Math.max(...times) - windowStart;
    const lateness = [...port.lateness].sort((a, b) => a - b);
    const duplicates = [...port.perRecipient.values()].reduce((a, n) => a + (n - 1), 0);
    const missing = [...expected.keys()].filter((k) => !port.firstAt.has(k)).length;
    const nudgesPerSec = port.firstAt.size / (elapsed / 1000);
    const result = {
      nudgesPerSec: Math.round(nudgesPerSec),
      bareJobsPerSec: Math.round(bare),
      p50Ms: Math.round(percentile(lateness, 50)),
      p99Ms: Math.round(percentile(lateness, 99)),
      maxMs: Math.round(lateness.at(-1) ?? 0),
      duplicates,
      missing,
      nudges: expected.size,
      deliveries: [...port.perRecipient.values()].reduce((a, b) => a + b, 0),
      windowMs: Math.round(windowMs),
      offeredPerSec: Math.round(expected.size / (windowMs / 1000)),
      workspaces: opts.workspaces,
      concurrency: opts.concurrency,
    };
    say('');
    say(`Delivered ${port.firstAt.size.toLocaleString('en-GB')} of ${expected.size.toLocaleString('en-GB')} nudges in ${secs(elapsed)} from the window opening: ${Math.round(nudgesPerSec).toLocaleString('en-GB')} nudges/s (${((nudgesPerSec / bare) * 100).toFixed(0)}% of bare BullMQ).`);
    say(`Lateness: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms. Duplicates: ${duplicates}. Missing: ${missing}.`);
    say(JSON.stringify(result));
  } finally {
    await workers?.close();
    await store.connection.dropDatabase().catch(() => undefined);
    await store.close();
    await clearPrefix(redisUrl, prefix).catch(() => undefined);
    await clearPrefix(redisUrl, `${prefix}-bare`).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:nudges failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
