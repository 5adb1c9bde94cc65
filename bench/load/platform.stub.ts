// The chat platforms' own APIs on loopback, for the load benchmark: Slack's Web API
// (`/api/<method>`) and response_url endpoints (`/response/<id>`), and the Bot Connector
// the Teams adapter posts replies to (`/v3/conversations/...`). It answers at once, counts
// calls, and notices apologies, since a reply saying "something went wrong" is an error
// response even when the HTTP status was 200.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const APOLOGY = /something went wrong/i;

export class PlatformStub {
  readonly calls = new Map<string, number>();
  /** Replies (to response_url or the connector) that apologised, with a snippet each. */
  readonly apologies: string[] = [];
  /** response_url → when (performance.now()) the first answer was posted to it. */
  readonly answeredAt = new Map<string, number>();
  private seq = 0;

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<PlatformStub> {
    const server = createServer();
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const stub = new PlatformStub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void stub.handle(req, res));
    return stub;
  }

  get slackApiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(): string {
    return `${this.url}/response/${++this.seq}`;
  }

  /** Calls whose key starts with `prefix`, less those counted in `since` (an earlier copy of `calls`). */
  total(prefix: string, since: ReadonlyMap<string, number> = new Map()): number {
    let n = 0;
    for (const [k, v] of this.calls) if (k.startsWith(prefix)) n += v - (since.get(k) ?? 0);
    return n;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private count(key: string): void {
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    let body = '';
    req.setEncoding('utf8');
    for await (const chunk of req) body += chunk as string;
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };

    const api = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (api?.[1]) {
      const method = api[1];
      this.count(`slack:${method}`);
      if (method === 'chat.postMessage' || method === 'chat.postEphemeral') {
        if (APOLOGY.test(body)) this.apologies.push(`slack ${method}: ${body.slice(0, 160)}`);
        return json(200, { ok: true, channel: 'C0BENCH', ts: `${Date.now() / 1000}` });
      }
      if (method.startsWith('views.')) return json(200, { ok: true, view: { id: `V${this.seq++}` } });
      if (method === 'conversations.open') return json(200, { ok: true, channel: { id: 'D0BENCH' } });
      if (method === 'auth.test') return json(200, { ok: true, team_id: 'T0BENCH', user_id: 'U0BOT', bot_id: 'B0BOT' });
      return json(200, { ok: true });
    }
    if (url.pathname.startsWith('/response/')) {
      this.count('slack:response_url');
      const target = `${this.url}${url.pathname}`;
      if (!this.answeredAt.has(target)) this.answeredAt.set(target, arrived);
      if (APOLOGY.test(body)) this.apologies.push(`slack response_url: ${body.slice(0, 160)}`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname.startsWith('/v3/conversations')) {
      this.count(`teams:${req.method} ${url.pathname.includes('/activities') ? 'activities' : url.pathname.includes('/members') ? 'members' : 'conversations'}`);
      if (APOLOGY.test(body)) this.apologies.push(`teams: ${body.slice(0, 160)}`);
      if (url.pathname.includes('/members/')) {
        const id = decodeURIComponent(url.pathname.split('/').pop() ?? '');
        return json(200, { id, name: id, aadObjectId: id });
      }
      return json(200, { id: `m-${++this.seq}` });
    }
    this.count(`other:${req.method} ${url.pathname}`);
    json(404, { error: 'not found' });
  }
}
