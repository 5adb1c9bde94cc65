/**
 * `npm run bench:load`: the web process under load, on loopback, with the real MongoDB
 * and Redis. Many concurrent clients send signed Slack slash commands and Teams activities
 * (a mix of everyday commands) at a target rate for a bounded time; the report gives
 * throughput and acknowledgement latency per command type, the slowest commands, and ends
 * with one JSON line: {commandsPerSec, p50Ms, p95Ms, p99Ms, errors, ...}.
 *
 *   npm run bench:load                      60 s at 200 commands/s from 32 clients
 *   npm run bench:load -- --quick           15 s, finishes within a minute
 *   npm run bench:load -- --rate max        as fast as the clients can go (saturation)
 *   options: --seconds N --warmup N --clients N --rate N|max --max-commands N
 *            --orgs N --members N --tenders N   (the directory seeded: 60/3/20, quick 30/2/10)
 *            --cold-teams   Teams people write to the bot for the first time during the run
 *                           (by default their conversations are stored, as for people who
 *                           have used it before)
 *   BENCH_PROFILE=<folder> writes a CPU profile of the web process there.
 *
 * Latency is what the platform would wait for: Slack's acknowledgement (which carries the
 * answer when the core is quick) and, for Teams, the HTTP answer to the activity, which
 * comes after the reply has been posted to the (loopback) Bot Connector. Completion is
 * reported apart: when each answer reached the person, including answers Slack was told
 * ("working on it") would follow by response_url, so work piling up behind quick
 * acknowledgements shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { PlatformStub } from './load/platform.stub.js';
import { completion, completionStats, report, slowest, summarise, type Sample } from './load/report.js';
import type { SeededWorkspace } from './load/seed.js';
import { SLACK_TEAM, TEAMS_TENANT, planCommand, seededRandom, type Planned, type TrafficOptions } from './load/traffic.js';
import { withDatabase } from './services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const REQUEST_TIMEOUT_MS = 10_000;
/** How long the benchmark waits after the window for answers promised by "working on it". */
const LATE_ANSWER_WAIT_MS = 30_000;

interface Options {
  quick: boolean;
  seconds: number;
  warmup: number;
  clients: number;
  /** Commands per second across all clients; 0 for as fast as possible. */
  rate: number;
  maxCommands: number;
  orgs: number;
  /** People in each organisation besides its admin. */
  members: number;
  tenders: number;
  /** Teams people write to the bot for the first time during the run (their records are not stored yet). */
  coldTeams: boolean;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, fallback: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number, not "${v}"`);
    return n;
  };
  const rateText = value('rate');
  return {
    quick,
    seconds: num('seconds', quick ? 15 : 60),
    warmup: num('warmup', quick ? 3 : 5),
    clients: Math.max(1, Math.floor(num('clients', 32))),
    rate: rateText === 'max' ? 0 : num('rate', 200),
    maxCommands: num('max-commands', 1_000_000),
    // The quick run seeds a smaller directory so it finishes within a minute.
    orgs: Math.max(5, Math.floor(num('orgs', quick ? 30 : 60))),
    members: Math.floor(num('members', quick ? 2 : 3)),
    tenders: Math.max(1, Math.floor(num('tenders', quick ? 10 : 20))),
    coldTeams: argv.includes('--cold-teams'),
  };
}

interface WebProcess {
  child: ChildProcess;
  url: string;
  seedMs: number;
  slack: SeededWorkspace;
  teams: SeededWorkspace;
  /** Log lines at warn level and above, by level name. */
  logged: Map<string, string[]>;
  /** Database commands by collection and command, reported when the process stops. */
  queries: Map<string, { count: number; ms: number }>;
  /** Why the process ended early, when it did: exit code, stderr and its last log lines. */
  died(): string | null;
  stop(): Promise<void>;
}

async function startWeb(env: Record<string, string>, o: Options, stubUrl: string): Promise<WebProcess> {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const args = [String(o.orgs), String(o.tenders), String(o.members), stubUrl, ...(o.coldTeams ? ['cold'] : [])];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/load/web.process.ts', ...args], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logged = new Map<string, string[]>();
  const queries = new Map<string, { count: number; ms: number }>();
  const LEVELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ url: string; seedMs: number; slack: SeededWorkspace; teams: SeededWorkspace }>((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('BENCH_READY ')) {
          resolve(JSON.parse(line.slice('BENCH_READY '.length)) as { url: string; seedMs: number; slack: SeededWorkspace; teams: SeededWorkspace });
          continue;
        }
        if (line.startsWith('BENCH_QUERIES ')) {
          for (const [k, v] of Object.entries(JSON.parse(line.slice('BENCH_QUERIES '.length)) as Record<string, { count: number; ms: number }>)) queries.set(k, v);
          continue;
        }
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
          const level = LEVELS[entry.level ?? 0];
          if (level) logged.set(level, [...(logged.get(level) ?? []), `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`]);
        } catch {
          // Not a log line; ignore.
        }
      }
    });
    void exited.then((code) => reject(new Error(`the web process exited (${code}) before it was ready:\n${stderr}`)));
  });
  let readyTimer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    readyTimer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the web process was not ready within 90 s'));
    }, 90_000);
    readyTimer.unref();
  });
  // Once ready, the deadline is over: left running it would kill the process mid-run.
  const info = await Promise.race([ready, timeout]).finally(() => clearTimeout(readyTimer));
  const tail: string[] = [];
  child.stdout?.on('data', (chunk: string) => {
    tail.push(chunk);
    if (tail.length > 20) tail.shift();
  });
  return {
    child, logged, queries, ...info,
    died: () => (child.exitCode !== null || child.signalCode !== null
      ? `the web process ended during the run (exit ${child.exitCode ?? child.signalCode}):\n${stderr.slice(-4000)}\n${tail.join('').slice(-4000)}`
      : null),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
      if (code === 'timeout') child.kill('SIGKILL');
    },
  };
}

function send(agent: Agent, base: string, p: Planned): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${p.path}`, { method: 'POST', agent, headers: { ...p.headers, 'content-length': Buffer.byteLength(p.body) }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(p.body);
  });
}

function judge(p: Planned, status: number, body: string): { error?: string; late?: boolean } {
  if (status !== 200) return { error: `HTTP ${status}` };
  if (/something went wrong/i.test(body)) return { error: 'apology' };
  if (p.platform === 'slack' && body.includes('Working on it')) return { late: true };
  return {};
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs the clients for `seconds`, each keeping its share of the rate; returns every sample and when the window closed. */
async function drive(traffic: TrafficOptions, base: string, agent: Agent, o: Options, seconds: number, seed: number): Promise<{ samples: Sample[]; end: number }> {
  const samples: Sample[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  const interval = o.rate > 0 ? (o.clients / o.rate) * 1000 : 0;
  let issued = 0;
  const client = async (c: number): Promise<void> => {
    const rnd = seededRandom(seed * 1000 + c);
    for (let k = 0; ; k++) {
      if (interval > 0) {
        const due = started + (k + c / o.clients) * interval;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      if (performance.now() >= end || issued >= o.maxCommands) return;
      issued++;
      const p = planCommand(traffic, rnd);
      const t0 = performance.now();
      const sent = { platform: p.platform, type: p.type, text: p.text, at: t0 - started, sentAt: t0, ...(p.responseUrl ? { responseUrl: p.responseUrl } : {}) };
      let sample: Sample;
      try {
        const res = await send(agent, base, p);
        const ms = performance.now() - t0;
        const verdict = judge(p, res.status, res.body);
        // An acknowledgement that carried the answer is also its delivery.
        sample = { ...sent, ms, status: res.status, ...verdict, ...(verdict.error || verdict.late ? {} : { doneMs: ms }) };
      } catch (err) {
        sample = { ...sent, ms: performance.now() - t0, status: 0, error: err instanceof Error ? err.message : 'network error' };
      }
      samples.push(sample);
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)));
  return { samples, end };
}

/** Waits (up to `ms`) for the answers Slack was told were coming, and records when each arrived. */
async function awaitLateAnswers(samples: Sample[], stub: PlatformStub, ms: number): Promise<void> {
  const late = samples.filter((s) => s.late && s.responseUrl);
  const until = performance.now() + ms;
  while (late.some((s) => !stub.answeredAt.has(s.responseUrl as string)) && performance.now() < until) await sleep(100);
  for (const s of late) {
    const at = stub.answeredAt.get(s.responseUrl as string);
    if (at !== undefined) s.doneMs = at - s.sentAt;
  }
}

/** From the server's /metrics: consortia_commands_total by outcome, and reads of cached collections by `collection result`. */
async function serverCounts(base: string): Promise<{ outcomes: Map<string, number>; reads: Map<string, number> }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const outcomes = new Map<string, number>();
  for (const m of text.matchAll(/^consortia_commands_total\{verb="([^"]*)",outcome="([^"]*)"\} (\d+)/gm)) {
    outcomes.set(m[2] as string, (outcomes.get(m[2] as string) ?? 0) + Number(m[3]));
  }
  const reads = new Map<string, number>();
  for (const m of text.matchAll(/^consortia_read_cache_total\{collection="([^"]*)",result="([^"]*)"\} (\d+)/gm)) {
    reads.set(`${m[1]} ${m[2]}`, Number(m[3]));
  }
  return { outcomes, reads };
}

const since = (after: Map<string, number>, before: Map<string, number>) => new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));

async function cleanUp(mongoUri: string, redisUrl: string, prefix: string): Promise<void> {
  const conn = await mongoose.createConnection(mongoUri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const mongoBase = process.env.MONGODB_URI;
  const redisUrl = process.env.REDIS_URL;
  if (!mongoBase || !redisUrl) throw new Error('MONGODB_URI and REDIS_URL are not set: run it with `npm run bench:load`, which starts the services.');
  const runId = randomBytes(4).toString('hex');
  const mongoUri = withDatabase(mongoBase, `consortia_bench_load_${runId}`);
  // The web process times its database commands through the driver's monitoring.
  const monitoredUri = `${mongoUri}${mongoUri.includes('?') ? '&' : '?'}monitorCommands=true`;
  const prefix = `consortia-bench-${runId}`;

  const stub = await PlatformStub.start();
  process.stdout.write(`Load benchmark: ${o.clients} clients, ${o.rate ? `${o.rate} commands/s target` : 'as fast as possible'}, ${o.warmup} s warm-up + ${o.seconds} s measured${o.quick ? ' (quick)' : ''}\n`);
  process.stdout.write(`Seeding ${o.orgs} organisations (${o.members + 1} people each) and ${o.tenders + 1} tenders in a Slack and a Teams workspace…\n`);
  let web: WebProcess;
  try {
    web = await startWeb({
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development',
      PORT: '0', HOST: '127.0.0.1',
      MONGODB_URI: monitoredUri, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn',
      SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench-token', SLACK_API_URL: stub.slackApiUrl,
    }, o, stub.url);
  } catch (err) {
    // A seed that failed half-way still leaves a database behind.
    await stub.close();
    await cleanUp(mongoUri, redisUrl, prefix).catch(() => undefined);
    throw err;
  }
  const agent = new Agent({ keepAlive: true, maxSockets: o.clients });
  let samples: Sample[];
  let windowEnd: number;
  let callsBefore: Map<string, number>;
  let apologies: number;
  let outcomes: Map<string, number>;
  let reads: Map<string, number>;
  try {
    process.stdout.write(`Web process ready at ${web.url} (seeded in ${(web.seedMs / 1000).toFixed(1)} s).\n`);
    const traffic: TrafficOptions = {
      slack: web.slack, teams: web.teams, signingSecret: SIGNING_SECRET, slackTeam: SLACK_TEAM, teamsTenant: TEAMS_TENANT,
      stubUrl: stub.url, responseUrl: () => stub.responseUrl(),
    };
    if (o.warmup > 0) await drive(traffic, web.url, agent, o, o.warmup, 7);
    web.child.kill('SIGUSR2');
    callsBefore = new Map(stub.calls);
    const countsBefore = await serverCounts(web.url);
    const apologiesBefore = stub.apologies.length;
    ({ samples, end: windowEnd } = await drive(traffic, web.url, agent, o, o.seconds, 1));
    // Replies still in flight to response_url or the connector land within a moment; late
    // Slack answers may take longer when work has piled up behind the acknowledgements.
    await sleep(500);
    await awaitLateAnswers(samples, stub, LATE_ANSWER_WAIT_MS);
    apologies = stub.apologies.length - apologiesBefore;
    const died = web.died();
    if (died) throw new Error(died);
    const countsAfter = await serverCounts(web.url);
    outcomes = since(countsAfter.outcomes, countsBefore.outcomes);
    reads = since(countsAfter.reads, countsBefore.reads);
  } finally {
    agent.destroy();
    await web.stop();
    await stub.close();
    await cleanUp(mongoUri, redisUrl, prefix).catch((err: unknown) => process.stderr.write(`cleanup: ${String(err)}\n`));
  }

  const all = summarise(samples, o.seconds);
  const late = samples.filter((s) => s.late).length;
  const errors = all.errors + apologies;
  process.stdout.write(`\n${report(samples, o.seconds)}\n`);
  process.stdout.write(`\nSlowest commands:\n${slowest(samples, 10)}\n`);
  const errorKinds = new Map<string, number>();
  for (const s of samples) if (s.error) errorKinds.set(s.error, (errorKinds.get(s.error) ?? 0) + 1);
  process.stdout.write(`\nError responses: ${errors}${errorKinds.size ? ` (${[...errorKinds].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}${apologies ? `, apologies delivered later: ${apologies}` : ''}\n`);
  process.stdout.write(`Slack acknowledged "working on it" (answer followed): ${late}\n`);
  process.stdout.write(`${completion(samples, o.seconds, windowEnd)}\n`);
  process.stdout.write(`Core commands handled by the server from the measured window on, by outcome (App Home refreshes included): ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  process.stdout.write(`Calls to the platform APIs from the measured window on: Slack ${stub.total('slack:', callsBefore)} (views.publish ${stub.total('slack:views.publish', callsBefore)}, response_url ${stub.total('slack:response_url', callsBefore)}), Bot Connector ${stub.total('teams:', callsBefore)}\n`);
  for (const [level, msgs] of web.logged) {
    const counts = new Map<string, number>();
    for (const m of msgs) counts.set(m, (counts.get(m) ?? 0) + 1);
    process.stdout.write(`Server logged ${msgs.length} ${level} line(s): ${[...counts].slice(0, 5).map(([m, n]) => `${n}× ${m}`).join('; ')}\n`);
  }
  const dbRows = [...web.queries].sort((a, b) => b[1].ms - a[1].ms);
  const dbCount = dbRows.reduce((n, [, v]) => n + v.count, 0);
  if (dbCount > 0) {
    process.stdout.write(`\nDatabase commands from the measured window on (${(dbCount / Math.max(1, all.count)).toFixed(1)} per command sent), by time waited:\n`);
    for (const [k, v] of dbRows.slice(0, 12)) process.stdout.write(`  ${k.padEnd(34)}${String(v.count).padStart(8)} calls ${(v.ms / v.count).toFixed(1).padStart(8)} ms avg ${(v.ms / 1000).toFixed(1).padStart(8)} s total\n`);
  }
  const byCollection = new Map<string, Record<string, number>>();
  for (const [k, v] of reads) {
    const [collection, result] = k.split(' ') as [string, string];
    byCollection.set(collection, { ...(byCollection.get(collection) ?? {}), [result]: v });
  }
  if (byCollection.size) {
    process.stdout.write(`Reads of cached collections from the measured window on (served from memory / read from the database / Redis unreachable):\n`);
    for (const [c, r] of [...byCollection].sort((a, b) => (b[1].miss ?? 0) - (a[1].miss ?? 0))) {
      process.stdout.write(`  ${c.padEnd(12)} hit ${String(r.hit ?? 0).padStart(6)}  miss ${String(r.miss ?? 0).padStart(6)}  bypass ${String(r.bypass ?? 0).padStart(4)}\n`);
    }
  }
  const verdict = o.rate > 0
    ? `Target ${o.rate}/s with p99 < 300 ms and no errors: ${all.perSec >= o.rate * 0.97 && all.p99 < 300 && errors === 0 ? 'met' : 'NOT met'}`
    : 'Saturation run (no target rate).';
  process.stdout.write(`${verdict}\n`);
  const round = (n: number) => Math.round(n * 10) / 10;
  const done = completionStats(samples, o.seconds, windowEnd);
  process.stdout.write(`${JSON.stringify({
    commandsPerSec: round(all.perSec), p50Ms: round(all.p50), p95Ms: round(all.p95), p99Ms: round(all.p99), errors,
    answeredPerSec: round(done.perSec), answerP99Ms: round(done.p99), unanswered: done.missing,
    commands: all.count, clients: o.clients, targetRate: o.rate || 'max', seconds: o.seconds,
  })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
