/**
 * The one way the adapter calls the Slack Web API. It owns the retry policy instead of the
 * SDK's (whose default waits up to half an hour inside one call): a 429 waits the
 * Retry-After Slack asked for, a 5xx or network failure backs off briefly, and either is
 * retried a few times and counted; past that the call throws, so a queued nudge is retried
 * by its job rather than dropped. Messages are paced per channel at about one a second,
 * Slack's documented rate for posting into one conversation.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Metrics } from '../../src/metrics.js';
import type { SlackMessage } from './slack.renderer.js';

/** Slack errors that no retry will cure: the channel is gone, the token revoked, the bot removed. */
const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'account_inactive', 'invalid_auth', 'token_revoked',
  'not_authed', 'user_not_found', 'user_disabled', 'cannot_dm_bot', 'missing_scope', 'team_access_not_granted',
  'invalid_blocks', 'invalid_arguments', 'msg_too_long', 'no_text', 'expired_trigger_id', 'invalid_trigger_id',
]);

export class SlackApiError extends Error {
  readonly code = 'SLACK_API';
  constructor(
    readonly method: string,
    /** Slack's error string (`channel_not_found`) or `http_<status>` / `network`. */
    readonly reason: string,
    /** True when retrying later cannot help; a job may stop retrying. */
    readonly permanent: boolean,
  ) {
    super(`Slack ${method} failed: ${reason}`);
  }
}

export interface SlackApiOptions {
  /** Web API base URL. @defaultValue https://slack.com/api/ */
  slackApiUrl?: string;
  metrics?: Metrics;
  log?: Logger;
  /** Attempts per call, the first included. @defaultValue 5 */
  maxAttempts?: number;
  /** Longest Retry-After honoured inside one call; longer ones throw for the job to retry later. @defaultValue 60 */
  maxRetryAfterSeconds?: number;
  /** Gap between two messages into the same channel. @defaultValue 1000 */
  channelGapMs?: number;
  /** Per-request timeout. @defaultValue 10000 */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Result = Record<string, unknown> & { ok?: boolean };

export class SlackApi {
  private readonly client: InstanceType<typeof webApi.WebClient>;
  private readonly opts: Required<Pick<SlackApiOptions, 'maxAttempts' | 'maxRetryAfterSeconds' | 'channelGapMs'>>;
  /** Per-channel time before which the next message must not go. */
  private readonly nextSlot = new Map<string, number>();

  constructor(private readonly options: SlackApiOptions = {}) {
    this.client = new webApi.WebClient(undefined, {
      ...(options.slackApiUrl ? { slackApiUrl: withSlash(options.slackApiUrl) } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: webApi.LogLevel.ERROR,
    });
    this.opts = {
      maxAttempts: options.maxAttempts ?? 5,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? 60,
      channelGapMs: options.channelGapMs ?? 1000,
    };
  }

  /**
   * Calls a Web API method with `token`.
   * @throws SlackApiError once retries are spent or the error is permanent.
   */
  async call(method: string, token: string, args: Record<string, unknown> = {}, opts: { maxAttempts?: number } = {}): Promise<Result> {
    const maxAttempts = opts.maxAttempts ?? this.opts.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.client.apiCall(method, { ...args, token })) as Result;
      } catch (err) {
        const { reason, retryAfterMs, permanent } = this.classify(err);
        const last = attempt >= maxAttempts || permanent || retryAfterMs === undefined;
        this.options.log?.warn({ method, reason, attempt, retrying: !last }, 'Slack API call failed');
        if (last) throw new SlackApiError(method, reason, permanent);
        // Slack's Retry-After is exact; our own back-off for server errors doubles each time.
        await sleep(reason === 'rate_limited' ? retryAfterMs : retryAfterMs * 2 ** (attempt - 1));
      }
    }
  }

  /** Posts one message into a channel (or a user's DM, by user id), paced per channel. */
  async post(token: string, channel: string, message: SlackMessage): Promise<Result> {
    await this.pace(`${token.slice(-12)}:${channel}`);
    return this.call('chat.postMessage', token, { channel, text: message.text, blocks: message.blocks });
  }

  /** Waits for the channel's next free slot and claims the one after it. */
  private async pace(key: string): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(key) ?? 0);
    this.nextSlot.set(key, slot + this.opts.channelGapMs);
    if (this.nextSlot.size > 5000) for (const [k, t] of this.nextSlot) if (t < now) this.nextSlot.delete(k);
    if (slot > now) await sleep(slot - now);
  }

  private classify(err: unknown): { reason: string; retryAfterMs?: number; permanent: boolean } {
    const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
    const metrics = this.options.metrics;
    switch (e.code) {
      case webApi.ErrorCode.RateLimitedError: {
        metrics?.rateLimited.inc({ platform: 'slack' });
        const seconds = Math.max(0, Number(e.retryAfter) || 1);
        return seconds > this.opts.maxRetryAfterSeconds
          ? { reason: 'rate_limited', permanent: false }
          : { reason: 'rate_limited', retryAfterMs: seconds * 1000, permanent: false };
      }
      case webApi.ErrorCode.HTTPError: {
        const status = e.statusCode ?? 0;
        metrics?.externalErrors.inc({ platform: 'slack', status: String(status) });
        return status >= 500 ? { reason: `http_${status}`, retryAfterMs: 250, permanent: false } : { reason: `http_${status}`, permanent: status !== 408 };
      }
      case webApi.ErrorCode.PlatformError: {
        const reason = e.data?.error ?? 'unknown_error';
        metrics?.externalErrors.inc({ platform: 'slack', status: reason.slice(0, 40) });
        const transient = reason === 'internal_error' || reason === 'fatal_error' || reason === 'service_unavailable' || reason === 'request_timeout';
        return transient ? { reason, retryAfterMs: 250, permanent: false } : { reason, permanent: PERMANENT.has(reason) };
      }
      default:
        metrics?.externalErrors.inc({ platform: 'slack', status: 'network' });
        return { reason: 'network', retryAfterMs: 250, permanent: false };
    }
  }
}

export const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);
