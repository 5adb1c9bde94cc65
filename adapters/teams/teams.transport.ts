/**
 * The HTTP client under every Bot Connector call the SDK makes (replies, proactive sends,
 * new conversations), given to it as `ConnectorClientOptions.httpClient`. It paces sends
 * per conversation, retries what Teams says to retry (429, 412, 502, 503, 504 and network
 * failures) with exponential backoff and jitter, honouring Retry-After, and counts every
 * failure. When retries run out it throws, so a nudge's job fails and BullMQ tries again
 * later: nothing is dropped.
 *
 * The SDK's own pipeline would retry 5xx answers again on top; failures leave here as a
 * plain error (not a network error code and not a response), which that pipeline passes
 * straight through.
 */
import type { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { baseConversationId } from './teams.activity.js';
import { PACING_MARGIN_MS, Pacer, TEAMS_THREAD_LIMITS, type RateWindow } from './teams.pacer.js';

type ConnectorClientOptions = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[4]>;
/** The HTTP client shape `ConnectorClientOptions.httpClient` takes. */
export type ConnectorHttpClient = NonNullable<ConnectorClientOptions['httpClient']>;
type OutgoingRequest = Parameters<ConnectorHttpClient['sendRequest']>[0];
type ConnectorResponse = Awaited<ReturnType<ConnectorHttpClient['sendRequest']>>;
type HeadersLike = ConnectorResponse['headers'];

/** Answers worth another try: throttled, precondition races and gateway trouble. */
const RETRIED = new Set([412, 429, 502, 503, 504]);

export interface ConnectorMetrics {
  /** A 429 answer. */
  rateLimited(): void;
  /** Any failed attempt: the HTTP status, or `network`. */
  failed(status: string): void;
}

export interface TransportOptions {
  /**
   * Attempts per request, the first included.
   * @defaultValue 6
   */
  attempts?: number;
  /**
   * Backoff before the first retry (ms); it doubles with each retry, half of it random.
   * @defaultValue 500
   */
  baseDelayMs?: number;
  /**
   * Longest wait before one retry (ms). A Retry-After longer than this fails the request
   * at once, so the caller's job retries later instead of holding a worker.
   * @defaultValue 30000
   */
  maxDelayMs?: number;
  /**
   * Time allowed for one attempt (ms).
   * @defaultValue 15000
   */
  timeoutMs?: number;
  /**
   * Send limits per conversation.
   * @defaultValue TEAMS_THREAD_LIMITS
   */
  limits?: readonly RateWindow[];
  metrics?: ConnectorMetrics;
  log?: { warn(obj: Record<string, unknown>, msg: string): void };
}

/** A Bot Connector call that failed after its retries; the message names the last answer. */
export class TeamsConnectorError extends Error {
  readonly code = 'TEAMS_CONNECTOR_FAILED';
  constructor(
    message: string,
    readonly status: number | 'network',
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'TeamsConnectorError';
  }
}

/** Response headers in the shape the SDK's compatibility layer reads. */
class ResponseHeaders {
  private readonly map = new Map<string, { name: string; value: string }>();

  constructor(entries: Iterable<[string, string]> = []) {
    for (const [name, value] of entries) this.set(name, value);
  }

  set(name: string, value: string | number): void {
    this.map.set(name.toLowerCase(), { name, value: String(value) });
  }

  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.value;
  }

  contains(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  remove(name: string): boolean {
    return this.map.delete(name.toLowerCase());
  }

  rawHeaders(): Record<string, string> {
    return this.toJson();
  }

  headersArray(): { name: string; value: string }[] {
    return [...this.map.values()];
  }

  headerNames(): string[] {
    return this.headersArray().map((h) => h.name);
  }

  headerValues(): string[] {
    return this.headersArray().map((h) => h.value);
  }

  clone(): ResponseHeaders {
    return new ResponseHeaders(this.headersArray().map((h) => [h.name, h.value] as [string, string]));
  }

  toJson(options?: { preserveCase?: boolean }): Record<string, string> {
    return Object.fromEntries([...this.map].map(([lower, h]) => [options?.preserveCase ? h.name : lower, h.value]));
  }
}

/** Milliseconds a Retry-After (seconds or an HTTP date) or retry-after-ms header asks for. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms');
  if (ms && /^\d+$/.test(ms.trim())) return Number(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The conversation a send goes to, for pacing; null for calls that post no message. */
function paceKey(method: string, url: URL): string | null {
  if (method !== 'POST' && method !== 'PUT') return null;
  const m = /\/v3\/conversations\/([^/]+)\/activities(\/|$)/.exec(url.pathname);
  if (!m?.[1]) return null;
  let id = m[1];
  try {
    id = decodeURIComponent(id);
  } catch {
    // An undecodable id still names one conversation.
  }
  return `${url.origin}|${baseConversationId(id)}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function headersOf(request: OutgoingRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers.toJson({ preserveCase: true }))) {
    // fetch negotiates compression itself and hands back decoded text.
    if (name.toLowerCase() !== 'accept-encoding' && name.toLowerCase() !== 'content-length') out[name] = value;
  }
  return out;
}

export function createConnectorTransport(options: TransportOptions = {}): ConnectorHttpClient {
  const attempts = Math.max(1, options.attempts ?? 6);
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const pacer = new Pacer(options.limits ?? TEAMS_THREAD_LIMITS, Date.now, PACING_MARGIN_MS);
  const backoff = (retry: number): number => {
    const ceiling = Math.min(cap, base * 2 ** (retry - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  };

  async function send(request: OutgoingRequest): Promise<ConnectorResponse> {
    const body = request.body;
    if (body !== undefined && body !== null && typeof body !== 'string') {
      throw new TeamsConnectorError('Bot Connector request body was not JSON text', 'network', 0);
    }
    const url = new URL(request.url);
    const key = paceKey(request.method, url);
    let last = 'no attempt';
    let status: number | 'network' = 'network';
    let made = 0;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      made = attempt;
      if (key) {
        const wait = pacer.reserve(key);
        if (wait > 0) await sleep(wait);
      }
      let delay: number | undefined;
      try {
        const res = await fetch(url, { method: request.method, headers: headersOf(request), body: body ?? undefined, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
        const text = await res.text();
        if (res.ok || (res.status < 500 && res.status !== 408 && !RETRIED.has(res.status))) {
          if (!res.ok) options.metrics?.failed(String(res.status));
          const headers = new ResponseHeaders([...res.headers].filter(([n]) => n !== 'content-encoding' && n !== 'content-length'));
          return { request, status: res.status, headers: headers as unknown as HeadersLike, bodyAsText: text } as ConnectorResponse;
        }
        status = res.status;
        last = `HTTP ${res.status}`;
        if (res.status === 429) options.metrics?.rateLimited();
        options.metrics?.failed(String(res.status));
        if (!RETRIED.has(res.status)) break;
        delay = retryAfterMs(res.headers);
        if (delay !== undefined && delay > cap) {
          last += ` (asked to wait ${Math.ceil(delay / 1000)} s)`;
          break;
        }
      } catch (err) {
        status = 'network';
        last = err instanceof Error ? `${err.name}: ${err.message}` : 'network error';
        options.metrics?.failed('network');
      }
      if (attempt === attempts) break;
      const wait = delay !== undefined ? delay + Math.round(Math.random() * Math.min(1000, delay / 10)) : backoff(attempt);
      options.log?.warn({ status, attempt, waitMs: wait, path: url.pathname }, 'Bot Connector call failed; retrying');
      await sleep(wait);
    }
    throw new TeamsConnectorError(`Bot Connector ${request.method} ${url.pathname} failed: ${last}`, status, made);
  }

  return { sendRequest: send };
}
