/**
 * The web process's HTTP surface: chat receivers mounted by their adapters, health,
 * readiness, metrics, calendar feeds and the queue dashboard.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/** A chat adapter's HTTP side: a router mounted at the root, and how to stop it. */
export interface WebAdapter {
  name: string;
  router?: Router;
  close?(): Promise<void>;
}

export interface ServerDeps {
  log: Logger;
  metrics: Metrics;
  adapters: WebAdapter[];
  /** Readiness checks by name; each resolves true when the dependency answers. */
  ready: Record<string, () => Promise<boolean>>;
  /** Builds the ICS text for a calendar token, or null when the token is unknown. */
  calendar?: (token: string) => Promise<string | null>;
  /** The queue dashboard router, mounted at /admin/queues behind the admin password. */
  adminRouter?: Router;
  adminPassword?: string;
  /** Refreshes gauges (queue depths) before a scrape. */
  beforeScrape?: () => Promise<void>;
}

export interface RunningServer {
  app: Express;
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes adapters. */
  close(graceMs?: number): Promise<void>;
}

function basicAuth(password: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const [scheme, encoded] = header.split(' ');
    const given = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8').split(':').slice(1).join(':') : '';
    if (given.length === password.length && timingSafe(given, password)) return next();
    res.set('WWW-Authenticate', 'Basic realm="Consortia queues"').status(401).send('Password required');
  };
}

function timingSafe(a: string, b: string): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function buildApp(deps: ServerDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 1);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, boolean> = {};
    await Promise.all(Object.entries(deps.ready).map(async ([name, check]) => {
      checks[name] = await Promise.race([check().catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
    }));
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (_req, res) => {
    await deps.beforeScrape?.().catch(() => undefined);
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  app.get('/calendar/:file', async (req, res) => {
    const m = /^([A-Za-z0-9_-]{16,100})\.ics$/.exec(req.params.file ?? '');
    const ics = m && deps.calendar ? await deps.calendar(m[1] as string) : null;
    if (!ics) {
      res.status(404).type('text/plain').send('No such calendar. Ask Consortia for a new link with `calendar`.');
      return;
    }
    res.set('Content-Type', 'text/calendar; charset=utf-8').set('Cache-Control', 'private, max-age=300').send(ics);
  });

  if (deps.adminRouter && deps.adminPassword) {
    app.use('/admin/queues', basicAuth(deps.adminPassword), deps.adminRouter);
  } else {
    app.use('/admin/queues', (_req, res) => {
      res.status(404).type('text/plain').send('The queue dashboard is off: set ADMIN_PASSWORD to turn it on.');
    });
  }

  for (const a of deps.adapters) if (a.router) app.use(a.router);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    deps.log.error({ err, path: req.path }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
  });
  return app;
}

export async function startServer(deps: ServerDeps, port: number, host: string): Promise<RunningServer> {
  const app = buildApp(deps);
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  // Responses in progress, so shutdown can tell their keep-alive clients to go away.
  const inProgress = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    inProgress.add(res);
    res.on('close', () => inProgress.delete(res));
  });
  server.on('request', app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return {
    app,
    server,
    url,
    async close(graceMs = 10_000) {
      closing = true;
      // A load balancer's connection that carried a request in flight would otherwise sit
      // idle after the answer until the grace period ends: answer it with `Connection: close`
      // and keep closing connections as they fall idle.
      for (const res of inProgress) if (!res.headersSent) res.setHeader('Connection', 'close');
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      clearInterval(sweep);
      for (const a of deps.adapters) await a.close?.().catch(() => undefined);
    },
  };
}
