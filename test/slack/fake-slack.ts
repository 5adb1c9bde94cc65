// A loopback stand-in for Slack's side of the wire: the Web API methods the bot calls
// (`/api/<method>`) and the response_url endpoints (`/response/<id>`). It records every call
// with its token and arguments, and can be told to answer the next calls of a method with
// 429 + Retry-After, a 500, or a Slack error.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
  at: number;
}

export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

type Failure = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

/** The OAuth grant the fake hands out for a code: `code-<team>` installs team <team>. */
export interface FakeTeam {
  id: string;
  name: string;
  botToken: string;
  installer: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // The SDK sends objects (blocks, view) as JSON strings in form bodies.
    try {
      out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  readonly teams = new Map<string, FakeTeam>();
  private readonly failures = new Map<string, Failure[]>();
  private server!: Server;
  url = '';
  private responseSeq = 0;

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    fake.server = createServer((req, res) => {
      void fake.handle(req, res).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A fresh response_url. */
  responseUrl(): string {
    return `${this.url}/response/${++this.responseSeq}`;
  }

  /** The next `times` calls of `method` fail as described. */
  fail(method: string, failure: Failure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages posted with chat.postMessage to a channel or user id. */
  postsTo(channel: string): RecordedCall[] {
    return this.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
  }

  responsesTo(url: string): RecordedResponse[] {
    const id = url.split('/').pop();
    return this.responses.filter((r) => r.id === id);
  }

  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.failures.clear();
  }

  /** Waits until `check` is true (the bot works after it has acknowledged). */
  async until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const response = /^\/response\/(\d+)$/.exec(url.pathname);
    if (response) {
      this.responses.push({ id: response[1] as string, body: JSON.parse(raw) as Record<string, unknown>, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const api = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!api) return json(404, { ok: false, error: 'unknown_path' });
    const method = api[1] as string;
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : undefined;
    this.calls.push({ method, token, args, at: Date.now() });

    const failure = this.failures.get(method)?.shift();
    if (failure) {
      if ('error' in failure) return json(200, { ok: false, error: failure.error });
      if (failure.status === 429) return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
      return json(500, { ok: false, error: 'internal_error' });
    }
    json(200, this.answer(method, args, token));
  }

  private answer(method: string, args: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    switch (method) {
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: `${Date.now() / 1000}` };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users).slice(1)}` } };
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: `V${this.calls.length}`, ...(args.view as object) } };
      case 'auth.test': {
        const team = [...this.teams.values()].find((t) => t.botToken === token);
        return team
          ? { ok: true, team_id: team.id, team: team.name, user_id: `U${team.id}BOT`, bot_id: `B${team.id}`, is_enterprise_install: false }
          : { ok: false, error: 'invalid_auth' };
      }
      case 'oauth.v2.access': {
        const team = this.teams.get(String(args.code).replace(/^code-/, ''));
        if (!team) return { ok: false, error: 'invalid_code' };
        return {
          ok: true,
          app_id: 'A0CONSORTIA',
          authed_user: { id: team.installer },
          scope: 'commands,chat:write,im:write',
          token_type: 'bot',
          access_token: team.botToken,
          bot_user_id: `U${team.id}BOT`,
          team: { id: team.id, name: team.name },
          enterprise: null,
          is_enterprise_install: false,
        };
      }
      default:
        return { ok: true };
    }
  }
}
