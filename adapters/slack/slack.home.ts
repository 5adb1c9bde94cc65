/**
 * The App Home tab: the core's `home` reply for one user, published with views.publish.
 *
 * Published at once when the user opens the tab (Slack tells us every time they do, so an
 * opened tab is always current) and when they press a button on it. Otherwise a refresh
 * only matters while the tab is already on screen, so it is throttled: after a command
 * that changed something, or a message delivered to them, a user's home is rebuilt at
 * most once per `minIntervalMs`; a change inside that window is picked up by one refresh
 * at its end. Building a home is a whole extra command with several database reads, so
 * doing it after every command would cost more than the commands themselves.
 */
import type { Logger } from 'pino';
import type { Core } from '../../src/core/app.js';
import { tokenize } from '../../src/core/parse/tokens.js';
import type { Block, Reply } from '../../src/core/reply.js';
import type { SlackApi } from './slack.api.js';
import { newRequestId } from './slack.context.js';
import type { TokenSource } from './slack.installation.js';
import { renderHome } from './slack.renderer.js';

/** Shortest gap between two background refreshes of one user's home. */
export const HOME_MIN_INTERVAL_MS = 30_000;

/**
 * Commands that only read, or change nothing the home shows (tasks, invitations, consortia,
 * open tenders): they never refresh it. `match` records a run but proposes nothing.
 */
const READS = new Set([
  'help', 'home', 'mine', 'tasks', 'calendar', 'match',
  'org list', 'org show', 'org export', 'tender list', 'tender show', 'consortium list', 'consortium show',
]);

/** The verb path a command's text routes to (`org list`), or null when it is not a command. */
export function commandVerb(core: Core, text: string): string | null {
  const routed = core.route(tokenize(text.replace(/^\s*\/consortium\b/i, '')));
  return routed ? routed.handler.path.join(' ') : null;
}

/**
 * Whether a command may have changed its sender's home: it succeeded, was not a read, and
 * did not just hand back a form to fill in. A form submission has no verb (null) and counts
 * when it succeeds.
 */
export function changesHome(verb: string | null, reply: Reply, isForm = false): boolean {
  if (reply.outcome !== 'ok' || reply.form) return false;
  if (isForm) return true;
  return verb !== null && !READS.has(verb);
}

/** Splits a reply at its headings, so each part of the home page gets its own section. */
export function homeSections(reply: Reply): Reply[] {
  const sections: Block[][] = [];
  for (const b of reply.blocks) {
    if (b.kind === 'heading' || sections.length === 0) sections.push([]);
    (sections[sections.length - 1] as Block[]).push(b);
  }
  return sections.map((blocks) => ({ outcome: reply.outcome, blocks }));
}

export interface HomeOptions {
  /** Shortest gap between two background refreshes of one user's home. @defaultValue 30000 */
  minIntervalMs?: number;
}

interface UserHome {
  workspaceId: string;
  userId: string;
  token?: string;
  /** When the last build started (ms). */
  last: number;
  running: boolean;
  /** Another refresh was asked for while one was running; `urgent` if it should not wait. */
  again: boolean;
  urgent: boolean;
  /** The refresh waiting for the end of the window. */
  timer?: NodeJS.Timeout;
}

/** Users remembered before idle ones are forgotten (a forgotten user's next refresh is immediate). */
const PRUNE_AT = 5_000;

export class HomePublisher {
  private readonly users = new Map<string, UserHome>();
  private readonly minIntervalMs: number;
  private closed = false;

  constructor(
    private readonly core: Core,
    private readonly api: SlackApi,
    private readonly tokens: TokenSource,
    private readonly log: Logger,
    options: HomeOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? HOME_MIN_INTERVAL_MS;
  }

  /** Builds and publishes one user's home now (the tab was opened, or the app installed). */
  async publish(workspaceId: string, userId: string, token?: string): Promise<void> {
    const state = this.state(workspaceId, userId, token);
    // What is built now includes every change so far: a refresh waiting to catch up is not needed.
    this.cancel(state);
    state.last = Date.now();
    await this.build(workspaceId, userId, token);
  }

  /**
   * Refreshes a user's home in the background, throttled; failures are logged, never thrown.
   * `now` skips the wait, for a button pressed on the home itself.
   */
  refresh(workspaceId: string, userId: string, token?: string, opts: { now?: boolean } = {}): void {
    if (this.closed) return;
    const state = this.state(workspaceId, userId, token);
    if (state.running) {
      state.again = true;
      state.urgent ||= opts.now === true;
      return;
    }
    const wait = state.last + this.minIntervalMs - Date.now();
    if (opts.now || wait <= 0) {
      this.cancel(state);
      this.run(state);
    } else if (!state.timer) {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        this.run(state);
      }, wait);
      state.timer.unref();
    }
  }

  /** Resolves when no refresh is being built (for shutdown and tests); waiting ones are not awaited. */
  async idle(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    // A listener that has just answered starts its refresh a moment later.
    await new Promise((r) => setTimeout(r, 30));
    while (this.busy() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  /** Whether a refresh is waiting for the end of its user's window (for tests). */
  waiting(workspaceId: string, userId: string): boolean {
    return this.users.get(`${workspaceId}/${userId}`)?.timer !== undefined;
  }

  /** Drops the refreshes still waiting (the next open of the tab publishes anyway) and lets running ones finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.users.values()) this.cancel(state);
    await this.idle();
  }

  private busy(): boolean {
    for (const state of this.users.values()) if (state.running) return true;
    return false;
  }

  private state(workspaceId: string, userId: string, token: string | undefined): UserHome {
    const key = `${workspaceId}/${userId}`;
    let state = this.users.get(key);
    if (!state) {
      if (this.users.size >= PRUNE_AT) this.prune();
      state = { workspaceId, userId, last: -Infinity, running: false, again: false, urgent: false };
      this.users.set(key, state);
    }
    if (token) state.token = token;
    return state;
  }

  /** Forgets users whose window has passed with nothing running or waiting. */
  private prune(): void {
    const before = Date.now() - this.minIntervalMs;
    for (const [key, s] of this.users) if (!s.running && !s.timer && s.last < before) this.users.delete(key);
  }

  private cancel(state: UserHome): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
  }

  private run(state: UserHome): void {
    if (this.closed) return;
    state.running = true;
    state.again = false;
    state.urgent = false;
    state.last = Date.now();
    void this.build(state.workspaceId, state.userId, state.token)
      .catch((err: unknown) => this.log.warn({ err, workspaceId: state.workspaceId, userId: state.userId }, 'could not refresh the App Home'))
      .finally(() => {
        state.running = false;
        const { again, urgent } = state;
        state.again = false;
        state.urgent = false;
        if (again) this.refresh(state.workspaceId, state.userId, state.token, { now: urgent });
      });
  }

  private async build(workspaceId: string, userId: string, token?: string): Promise<void> {
    const bot = token ?? (await this.tokens.tokenFor(workspaceId));
    if (!bot) return;
    const reply = await this.core.handle({ actor: { workspaceId, platform: 'slack', userId }, text: 'home', requestId: newRequestId() });
    await this.api.call('views.publish', bot, { user_id: userId, view: renderHome(homeSections(reply)) });
  }
}
