// A loopback Bot Connector: the Teams service the bot calls back at an activity's
// `serviceUrl`. It records every message the bot posts (replies and proactive sends),
// card updates and new conversations, answers member look-ups from a roster, and can be
// told to fail the next calls (429 with Retry-After, 502, …).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a bot posts: a message activity (cards in attachments). */
export interface PostedActivity {
  type?: string;
  text?: string;
  summary?: string;
  replyToId?: string;
  attachments?: { contentType: string; content: AdaptiveCardJson }[];
  conversation?: { id: string };
  [k: string]: unknown;
}

export interface AdaptiveCardJson {
  type: string;
  body: Record<string, unknown>[];
  actions?: { type: string; title: string; data: Record<string, unknown> }[];
  msteams?: { entities?: { type: string; text: string; mentioned: { id: string; name: string } }[] };
}

export interface Posted {
  /** The id the connector gave the message (what a card submit's replyToId names). */
  id: string;
  conversationId: string;
  /** The activity id in the URL when the bot used the reply endpoint. */
  inReplyTo?: string;
  activity: PostedActivity;
  at: number;
}

export interface Member {
  id: string;
  aadObjectId: string;
  name: string;
}

interface Failure {
  status: number;
  headers: Record<string, string>;
  path: RegExp;
}

export class FakeConnector {
  readonly posted: Posted[] = [];
  readonly updated: { conversationId: string; activityId: string; activity: PostedActivity }[] = [];
  readonly created: { id: string; params: Record<string, unknown> }[] = [];
  /** Every call, with the status answered. */
  readonly calls: { method: string; path: string; status: number; at: number; authorization?: string }[] = [];
  readonly roster = new Map<string, Member>();
  private readonly failures: Failure[] = [];
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeConnector> {
    const holder: { self?: FakeConnector } = {};
    const server = createServer((req, res) => void holder.self?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    holder.self = new FakeConnector(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return holder.self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` calls whose path matches fail with `status` (and headers). */
  failNext(count: number, status: number, headers: Record<string, string> = {}, path = /./): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, headers, path });
  }

  /** Messages posted into a conversation (any thread of it), in order. */
  postedTo(conversationId: string): Posted[] {
    return this.posted.filter((p) => p.conversationId === conversationId || p.conversationId.startsWith(`${conversationId};`));
  }

  /** Waits until `test` holds, or fails after `ms`. */
  async waitFor<T>(what: string, test: () => T | undefined | false, ms = 8000): Promise<T> {
    const until = Date.now() + ms;
    for (;;) {
      const v = test();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.calls.push({ method, path: url.pathname, status, at: Date.now(), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const failure = this.failures.findIndex((f) => f.path.test(url.pathname));
    if (failure >= 0) {
      const f = this.failures.splice(failure, 1)[0] as Failure;
      answer(f.status, { error: { code: 'Injected', message: `injected ${f.status}` } }, f.headers);
      return;
    }
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /v3/conversations
    if (method === 'POST' && parts.length === 2 && parts[0] === 'v3' && parts[1] === 'conversations') {
      const members = (body.members as { id: string }[] | undefined) ?? [];
      const id = `a:chat-${members[0]?.id ?? 'nobody'}`;
      this.created.push({ id, params: body });
      answer(201, { id });
      return;
    }
    if (parts[0] !== 'v3' || parts[1] !== 'conversations' || !parts[2]) {
      answer(404, { error: { code: 'NotFound', message: url.pathname } });
      return;
    }
    const conversationId = parts[2];
    // /v3/conversations/{id}/activities[/{activityId}]
    if (parts[3] === 'activities' && method === 'POST') {
      const id = `msg-${++this.seq}`;
      this.posted.push({ id, conversationId, ...(parts[4] ? { inReplyTo: parts[4] } : {}), activity: body as PostedActivity, at: Date.now() });
      answer(200, { id });
      return;
    }
    if (parts[3] === 'activities' && method === 'PUT' && parts[4]) {
      this.updated.push({ conversationId, activityId: parts[4], activity: body as PostedActivity });
      answer(200, { id: parts[4] });
      return;
    }
    // /v3/conversations/{id}/members/{userId}
    if (parts[3] === 'members' && method === 'GET' && parts[4]) {
      const m = this.roster.get(parts[4]);
      if (m) answer(200, { id: m.id, name: m.name, aadObjectId: m.aadObjectId, userPrincipalName: `${m.name.toLowerCase().replace(/\s+/g, '.')}@example.org` });
      else answer(404, { error: { code: 'MemberNotFoundInConversation', message: 'not a member' } });
      return;
    }
    answer(404, { error: { code: 'NotFound', message: url.pathname } });
  }
}

/** Every piece of text a card shows: text blocks, facts, table cells, button titles. */
export function cardText(card: AdaptiveCardJson): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of ['text', 'title', 'value', 'label'] as const) if (typeof o[k] === 'string') out.push(o[k] as string);
      for (const [k, x] of Object.entries(o)) if (k !== 'data' && typeof x === 'object') walk(x);
    }
  };
  walk(card.body);
  walk(card.actions ?? []);
  return out.join('\n');
}

export function cardsOf(p: Posted | PostedActivity): AdaptiveCardJson[] {
  const activity = 'activity' in p ? (p.activity as PostedActivity) : p;
  return (activity.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);
}

/** Text of every card in the messages given. */
export function textOfAll(posted: Posted[]): string {
  return posted.flatMap((p) => cardsOf(p).map(cardText)).join('\n');
}

/** The submit actions (buttons) in a card, wherever they sit. */
export function submitActions(card: AdaptiveCardJson): { title: string; data: Record<string, unknown> }[] {
  const out: { title: string; data: Record<string, unknown> }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Submit' && typeof o.title === 'string') out.push({ title: o.title, data: o.data as Record<string, unknown> });
      for (const x of Object.values(o)) if (typeof x === 'object') walk(x);
    }
  };
  walk(card.body);
  walk(card.actions ?? []);
  return out;
}
