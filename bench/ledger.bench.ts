/**
 * `npm run bench:ledger`: what a growing nudge ledger costs the commands and the sweeper,
 * on the real MongoDB-compatible server and Redis.
 *
 * The ledger keeps a record per delivered nudge for LEDGER_KEEP_DAYS, so a busy deployment
 * holds tens of thousands. On FerretDB every query not by `_id` scans the whole collection,
 * every workspace's records included; anything that reads the ledger pays for its size. The
 * bench seeds workspaces with a formed consortium each, then for each ledger size times
 * `task add` through the core (which schedules the task's nudges), a change of working hours
 * (`settings hours`, which moves every nudge of the workspace) and a full sweep of every
 * workspace, the first size (an empty ledger) being the baseline of the same run.
 *
 *   npm run bench:ledger                      ledgers of 0, 20,000 and 50,000 records, 20 workspaces
 *   options: --records 0,20000,50000 --workspaces N (20) --commands N (5, the median is shown)
 *
 * The last line is one JSON object: {rows: [{records, taskAddMs, settingsMs, sweepMs}], ...}.
 */
import { randomBytes } from 'node:crypto';
import { Core } from '../src/core/app.js';
import { allHandlers } from '../src/core/handlers/index.js';
import { planHandler } from '../src/core/handlers/plan.handler.js';
import { systemClock, type Notifier } from '../src/core/ports.js';
import { replyText } from '../src/core/reply.js';
import { BullScheduler } from '../src/queue/bull.scheduler.js';
import { MongoStore } from '../src/store/mongo.store.js';
import { ReadCache } from '../src/store/read.cache.js';
import { RedisRevisionBoard } from '../src/store/revisions.js';
import { startWorkers } from '../jobs/workers.js';
import { clearPrefix, say, serviceUrl, withDatabase } from './services.js';

interface Options {
  records: number[];
  workspaces: number;
  commands: number;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i < 0 ? undefined : argv[i + 1] ?? '';
  };
  const positive = (name: string, fallback: number) => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} takes a positive whole number, not "${v}"`);
    return n;
  };
  const list = value('records') ?? '0,20000,50000';
  const records = list.split(',').map((x) => Number(x.trim()));
  if (records.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`--records takes sizes separated by commas, not "${list}"`);
  return { records: [...records].sort((a, b) => a - b), workspaces: positive('workspaces', 20), commands: positive('commands', 5) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Nudges are not the subject here: they go nowhere. */
const nowhere: Notifier = { send: async () => undefined };

async function seed(store: MongoStore, workspaces: number): Promise<string[]> {
  const ids: string[] = [];
  for (let w = 0; w < workspaces; w++) {
    const id = `ledger-ws-${w}`;
    ids.push(id);
    await store.workspaces.ensure(id, 'console', `Ledger ${w}`, 'coord');
    const data = store.scoped(id);
    const org = (slug: string) => ({ slug, name: `Org ${slug}`, services: ['advice'], areas: ['Easton'], home: 'Easton', income: 200_000, capacity: 100_000, canLead: true, accreditations: [], partners: [], unavailable: false, createdBy: 'bench' });
    await data.orgs.insert(org('lead'));
    await data.orgs.insert(org('partner'));
    await data.members.insert({ userId: 'lead-admin', orgSlug: 'lead', role: 'admin' });
    await data.tenders.insert({ ref: 'T-1', title: 'Bench tender', annualValue: 500_000, years: 3, currency: 'GBP', leadAccreditations: [], maxMembers: 6, cells: [], lots: [], status: 'open', cpv: [], regions: [], createdBy: 'bench', dates: { submission: new Date(Date.now() + 60 * 86_400_000) } });
    await data.consortia.insert({ ref: 'C-1', tenderRef: 'T-1', state: 'formed', score: 1, proposedBy: 'bench', rev: 1, formedAt: new Date(), members: [{ orgSlug: 'lead', role: 'lead', answer: 'accepted' }, { orgSlug: 'partner', role: 'partner', answer: 'accepted' }], memberSlugs: ['lead', 'partner'] });
  }
  return ids;
}

/** Delivery records as the workers write them, spread over the workspaces, until the ledger holds `target`. */
async function growLedger(store: MongoStore, ids: string[], target: number): Promise<void> {
  const collection = store.connection.collection('nudgerecords');
  const now = new Date();
  for (let n = await collection.countDocuments({}); n < target; n += 1000) {
    await collection.insertMany(Array.from({ length: Math.min(1000, target - n) }, (_, j) => {
      const i = n + j;
      return { workspaceId: ids[i % ids.length], key: `remind:K-${10_000 + i}:1:d1#done`, dueAt: now, claimedAt: now, attempts: 1 };
    }), { ordered: false });
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const redisUrl = serviceUrl('REDIS_URL', 'bench:ledger');
  const run = randomBytes(4).toString('hex');
  const prefix = `consortia-bench-${run}`;
  const store = await MongoStore.connect(withDatabase(serviceUrl('MONGODB_URI', 'bench:ledger'), `consortia_bench_ledger_${run}`), { cache: new ReadCache(new RedisRevisionBoard(redisUrl, prefix)) });
  const scheduler = new BullScheduler({ store, redisUrl, prefix });
  const core = new Core({ store, clock: systemClock, scheduler, notifier: nowhere }, allHandlers([planHandler]));
  const workers = await startWorkers({ store, notifier: nowhere, redisUrl, prefix, sweepOnStart: false, sweepEveryMs: 3_600_000 });
  say(`Ledger benchmark: ${opts.workspaces} workspaces, ledgers of ${opts.records.map((n) => n.toLocaleString('en-GB')).join(', ')} records.`);
  try {
    const ids = await seed(store, opts.workspaces);
    const rows: { records: number; taskAddMs: number; settingsMs: number; sweepMs: number }[] = [];
    let task = 0;
    let change = 0;
    for (const records of opts.records) {
      await growLedger(store, ids, records);
      const times: number[] = [];
      for (let i = 0; i < opts.commands; i++) {
        const started = performance.now();
        const reply = await core.handle({ actor: { workspaceId: ids[0] as string, platform: 'console', userId: 'coord' }, text: `task add C-1 "Bench task ${++task}" due in 10 working days` });
        times.push(performance.now() - started);
        if (reply.outcome !== 'ok') throw new Error(`task add failed: ${replyText(reply)}`);
      }
      const settings: number[] = [];
      for (let i = 0; i < opts.commands; i++) {
        // Alternate between two opening times, so every change moves the workspace's nudges.
        const hours = ++change % 2 ? '09:15-17:30' : '09:00-17:30';
        const started = performance.now();
        const reply = await core.handle({ actor: { workspaceId: ids[0] as string, platform: 'console', userId: 'coord' }, text: `settings hours ${hours}` });
        settings.push(performance.now() - started);
        if (reply.outcome !== 'ok') throw new Error(`settings hours failed: ${replyText(reply)}`);
      }
      const started = performance.now();
      await workers.sweepNow();
      const row = { records, taskAddMs: Math.round(median(times)), settingsMs: Math.round(median(settings)), sweepMs: Math.round(performance.now() - started) };
      rows.push(row);
      say(`  ${records.toLocaleString('en-GB').padStart(7)} records: task add ${row.taskAddMs} ms, settings hours ${row.settingsMs} ms (medians of ${opts.commands}), sweep of ${opts.workspaces} workspaces ${row.sweepMs.toLocaleString('en-GB')} ms`);
    }
    const base = rows[0] as (typeof rows)[number];
    const last = rows.at(-1) as (typeof rows)[number];
    say(`Against the ${base.records.toLocaleString('en-GB')}-record baseline, at ${last.records.toLocaleString('en-GB')}: task add ×${(last.taskAddMs / Math.max(1, base.taskAddMs)).toFixed(1)}, settings hours ×${(last.settingsMs / Math.max(1, base.settingsMs)).toFixed(1)}, sweep ×${(last.sweepMs / Math.max(1, base.sweepMs)).toFixed(1)}.`);
    say(JSON.stringify({ rows, workspaces: opts.workspaces, commands: opts.commands }));
  } finally {
    await workers.close();
    await scheduler.close();
    await store.connection.dropDatabase().catch(() => undefined);
    await store.close();
    await clearPrefix(redisUrl, prefix).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:ledger failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
