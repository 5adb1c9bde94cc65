/**
 * Getting a rendered reply to the person: through a request's response_url, or as a DM;
 * forms open as modals. Slow work (`followUp`) is delivered the same way when it is done.
 */
import type { Logger } from 'pino';
import type { Form, Reply } from '../../src/core/reply.js';
import type { Metrics } from '../../src/metrics.js';
import { SlackApiError, type SlackApi } from './slack.api.js';
import { renderMessage, renderModal, type SlackMessage } from './slack.renderer.js';

/** Posts one rendered message somewhere. */
export type Sink = (message: SlackMessage) => Promise<void>;

/** How many follow-ups in a row are delivered; a chain longer than this is a bug in a handler. */
const MAX_FOLLOW_UPS = 5;

/** Posts every message of a reply, then (if the core is still working) each follow-up in turn. */
export async function deliver(reply: Reply, sink: Sink, skipFirst = false): Promise<void> {
  let current: Reply | undefined = reply;
  let skip = skipFirst;
  for (let round = 0; current && round <= MAX_FOLLOW_UPS; round++) {
    const messages = renderMessage(current);
    for (const m of skip ? messages.slice(1) : messages) await sink(m);
    skip = false;
    current = current.followUp ? await current.followUp() : undefined;
  }
}

/** Where an ephemeral answer goes for a reply: in the channel only when the core did not ask for privacy. */
export const responseType = (reply: Reply): 'ephemeral' | 'in_channel' => (reply.private === false || (reply.private === undefined && reply.outcome === 'ok') ? 'in_channel' : 'ephemeral');

/** Posts Slack accepts on one response_url (within 30 minutes). */
export const RESPONSE_URL_POSTS = 5;

/**
 * A request's response_url. Slack takes five posts on it; a long reply's further messages
 * go to `overflow` (the person's DM) rather than being lost.
 */
export class ResponseUrl {
  private posts = 0;

  constructor(
    private readonly url: string,
    private readonly metrics?: Metrics,
    private readonly overflow?: Sink,
  ) {}

  sink(type: 'ephemeral' | 'in_channel'): Sink {
    return async (message) => {
      if (this.posts >= RESPONSE_URL_POSTS && this.overflow) return this.overflow(message);
      this.posts++;
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...message, response_type: type, replace_original: false }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) {
        this.metrics?.externalErrors.inc({ platform: 'slack', status: String(res.status) });
        throw new SlackApiError('response_url', `http_${res.status}`, res.status < 500);
      }
    };
  }
}

/** A sink that sends each message to a user's DM with the app. */
export function dmSink(api: SlackApi, token: string, userId: string): Sink {
  return async (message) => {
    await api.post(token, userId, message);
  };
}

/**
 * Opens a form as a modal. Returns false when Slack refused the trigger (it is valid for
 * only 3 seconds), so the caller can offer a button that opens it again.
 */
export async function openForm(api: SlackApi, token: string, triggerId: string | undefined, form: Form, log: Logger): Promise<boolean> {
  if (!triggerId) return false;
  try {
    // A trigger lives 3 seconds, so waiting out a rate limit would only find it expired.
    await api.call('views.open', token, { trigger_id: triggerId, view: renderModal(form) }, { maxAttempts: 1 });
    return true;
  } catch (err) {
    log.warn({ err, form: form.id }, 'could not open the form');
    return false;
  }
}

/** A reply offering to open a form again, for when its trigger expired before the core answered. */
export function reopenReply(form: Form, command: string): Reply {
  return {
    outcome: 'ok',
    private: true,
    blocks: [
      { kind: 'text', text: `${form.title}: the form is ready.` },
      { kind: 'buttons', buttons: [{ label: `Open: ${form.title}`, command, style: 'primary' }] },
    ],
  };
}

/** A plain-text reply listing a refused form's errors, for when the modal had already closed. */
export function formErrorsReply(form: Form): Reply {
  const fields = new Map(form.fields.map((f) => [f.name, f.label]));
  const items = Object.entries(form.errors ?? {}).map(([name, text]) => `${fields.get(name) ?? name}: ${text}`);
  return { outcome: 'invalid', private: true, blocks: [{ kind: 'text', text: `${form.title} was not saved.` }, { kind: 'list', items }] };
}
