// The web process's HTTP surface on a running server: health, readiness against the real
// MongoDB and Redis, Prometheus metrics fed by the core, the password-protected queue
// dashboard, calendar feeds, and a graceful close.
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Router } from 'express';
import ICAL from 'ical.js';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarFeed } from '../../src/core/calendar/feed.js';
import { Metrics } from '../../src/metrics.js';
import { createQueueDashboard } from '../../src/queue-dashboard.js';
import { startServer, type RunningServer, type ServerDeps } from '../../src/server.js';
import { redisUrl, uniquePrefix } from '../helpers/services.js';
import { startOpsCore, type OpsCore } from './ops-core.js';

const WS = 'web';
const PASSWORD = 'correct horse battery';
const silent = pino({ level: 'silent' });

let t: OpsCore;
let metrics: Metrics;
let queue: Queue;
let queueRedis: Redis;
const probes: Redis[] = [];
const servers: RunningServer[] = [];

/** A readiness check that pings Redis at `url`, as the web process does. */
function redisCheck(url: string): () => Promise<boolean> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 1000, retryStrategy: () => 500 });
  client.on('error', () => undefined);
  probes.push(client);
  return async () => (await client.ping()) === 'PONG';
}

async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function deps(extra: Partial<ServerDeps> = {}): ServerDeps {
  return {
    log: silent,
    metrics,
    adapters: [],
    ready: { mongodb: () => t.store.ping(), redis: redisCheck(redisUrl()) },
    calendar: (token) => calendarFeed(t.store, token, t.clock.now()),
    beforeScrape: async () => {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'failed');
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: queue.name, state }, n);
    },
    ...extra,
  };
}

async function serve(extra: Partial<ServerDeps> = {}): Promise<RunningServer> {
  const s = await startServer(deps(extra), 0, '127.0.0.1');
  servers.push(s);
  return s;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let main: RunningServer;
let noAdmin: RunningServer;

beforeAll(async () => {
  metrics = new Metrics();
  t = await startOpsCore(import.meta.url, { metrics });
  await t.store.workspaces.ensure(WS, 'console', WS, 'coord');
  queueRedis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  queue = new Queue('nudges', { connection: queueRedis, prefix: uniquePrefix('server') });
  await queue.add('reminder', { task: 'K-1' }, { delay: 60_000 });
  await queue.add('digest', { week: 48 });
  const dashboard = createQueueDashboard([queue]);
  main = await serve({ adminRouter: dashboard.router, adminPassword: PASSWORD });
  noAdmin = await serve({
    adminRouter: dashboard.router,
    ready: { mongodb: () => t.store.ping(), redis: redisCheck(`redis://127.0.0.1:${await closedPort()}`) },
  });
});

afterAll(async () => {
  for (const s of servers) await s.close(1000).catch(() => undefined);
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  queueRedis.disconnect();
  for (const p of probes) p.disconnect();
  await t.close();
});

describe('health and readiness', () => {
  it('GET /healthz answers 200 while the process runs', async () => {
    const res = await fetch(`${main.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when MongoDB and Redis both answer', async () => {
    const res = await fetch(`${main.url}/readyz`);
    expect(await res.json()).toEqual({ status: 'ready', checks: { mongodb: true, redis: true } });
    expect(res.status).toBe(200);
  });

  it('GET /readyz answers 503 naming Redis when Redis is unreachable, and quickly', async () => {
    const started = Date.now();
    const res = await fetch(`${noAdmin.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', checks: { mongodb: true, redis: false } });
    expect(Date.now() - started).toBeLessThan(3000);
    // Liveness does not depend on the services.
    expect((await fetch(`${noAdmin.url}/healthz`)).status).toBe(200);
  });
});

describe('metrics', () => {
  it('GET /metrics exposes commands by verb and outcome, their latency, and queue depths', async () => {
    await t.say(WS, 'coord', 'help');
    await t.say(WS, 'coord', 'help');
    await t.say(WS, 'coord', 'tender show T-99');
    await t.say(WS, 'coord', 'frobnicate');
    const res = await fetch(`${main.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toContain('# TYPE consortia_commands_total counter');
    expect(body).toContain('consortia_commands_total{verb="help",outcome="ok"} 2');
    expect(body).toContain('consortia_commands_total{verb="tender show",outcome="not_found"} 1');
    expect(body).toContain('consortia_commands_total{verb="unknown",outcome="invalid"} 1');
    expect(body).toMatch(/consortia_command_seconds_count\{verb="help"\} 2/);
    expect(body).toContain(`consortia_queue_jobs{queue="nudges",state="delayed"} 1`);
    expect(body).toContain(`consortia_queue_jobs{queue="nudges",state="waiting"} 1`);
    expect(body).toContain('consortia_process_cpu_seconds_total');
    for (const name of ['consortia_matching_seconds', 'consortia_nudges_total', 'consortia_external_api_errors_total', 'consortia_external_api_429_total']) {
      expect(body).toContain(`# TYPE ${name}`);
    }
  });
});

describe('queue dashboard', () => {
  it('asks for the password without one, or with a wrong one', async () => {
    const none = await fetch(`${main.url}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
    const wrong = await fetch(`${main.url}/admin/queues`, { headers: { authorization: basic('admin', 'guess') } });
    expect(wrong.status).toBe(401);
    const api = await fetch(`${main.url}/admin/queues/api/queues`);
    expect(api.status).toBe(401);
  });

  it('shows the dashboard and the queues with the password', async () => {
    const page = await fetch(`${main.url}/admin/queues`, { headers: { authorization: basic('admin', PASSWORD) } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/admin/queues');
    const api = await fetch(`${main.url}/admin/queues/api/queues`, { headers: { authorization: basic('anyone', PASSWORD) } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    const nudges = body.queues.find((q) => q.name === 'nudges');
    expect(nudges?.counts).toMatchObject({ delayed: 1, waiting: 1 });
  });

  it('is off (404) when no admin password is set', async () => {
    const res = await fetch(`${noAdmin.url}/admin/queues`, { headers: { authorization: basic('admin', PASSWORD) } });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('ADMIN_PASSWORD');
  });
});

describe('calendar feed over HTTP', () => {
  it('answers 404 for an unknown or malformed token', async () => {
    for (const path of ['/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics', '/calendar/short.ics', '/calendar/..%2F..%2Fetc%2Fpasswd.ics', '/calendar/']) {
      const res = await fetch(`${main.url}${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it('serves a known token\'s feed as text/calendar that parses', async () => {
    await t.say(WS, 'coord', 'tender add "Meals on wheels" value 200k years 2 deadline 15/01/2027 17:00');
    const reply = await t.say(WS, 'coord', 'calendar');
    const token = /\/calendar\/([A-Za-z0-9_-]+)\.ics/.exec(reply.text)?.[1];
    expect(token).toBeDefined();
    const res = await fetch(`${main.url}/calendar/${token}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('private');
    const calendar = new ICAL.Component(ICAL.parse(await res.text()));
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe(`Consortia — ${WS}`);
  });
});

describe('graceful close', () => {
  /** GET over a fresh connection (no pooling), resolving with status and body. */
  function get(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { agent: false }, (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('finishes the request in flight, refuses new connections, then closes its adapters', async () => {
    const events: string[] = [];
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    const router = Router();
    router.get('/slow', (_req, res) => {
      arrived();
      setTimeout(() => {
        events.push('slow answered');
        res.send('done');
      }, 400);
    });
    const s = await startServer(deps({ adapters: [{ name: 'slowpoke', router, close: async () => void events.push('adapter closed') }] }), 0, '127.0.0.1');

    // A keep-alive client that has been served holds an idle connection open.
    const warm = await fetch(`${s.url}/healthz`);
    expect(warm.status).toBe(200);

    const slow = get(`${s.url}/slow`);
    await inFlight;
    const started = Date.now();
    const closing = s.close(5000).then(() => events.push('server closed'));
    await new Promise((r) => setTimeout(r, 50));

    await expect(get(`${s.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await slow).toEqual({ status: 200, body: 'done' });
    await closing;
    expect(events).toEqual(['slow answered', 'adapter closed', 'server closed']);
    // It waited for the request, not for the grace period.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not wait out the grace period for a keep-alive connection whose request finished', async () => {
    // Load balancers keep connections open between requests; one that had a request in
    // flight when shutdown began must be told to close, not left idle until the timer.
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    const router = Router();
    router.get('/slow', (_req, res) => {
      arrived();
      setTimeout(() => res.send('done'), 300);
    });
    const s = await startServer(deps({ adapters: [{ name: 'slowpoke', router }] }), 0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true });
    const slow = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      httpRequest(`${s.url}/slow`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      }).on('error', reject).end();
    });
    await inFlight;
    const started = Date.now();
    await s.close(5000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await slow).toEqual({ status: 200, connection: 'close' });
    agent.destroy();
  });

  it('gives up on a request that outlives the grace period', async () => {
    const router = Router();
    router.get('/stuck', () => undefined);
    const s = await startServer(deps({ adapters: [{ name: 'stuck', router }] }), 0, '127.0.0.1');
    const stuck = get(`${s.url}/stuck`).catch((err: NodeJS.ErrnoException) => err.code);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close(300);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await stuck).toBe('ECONNRESET');
  });
});
