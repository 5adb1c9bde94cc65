/**
 * The App Home tab: the core's `home` reply for one user, published with views.publish.
 * Published when the user opens the tab, after each of their commands, and when a message
 * is delivered to them (something changed for them). Refreshes of one user coalesce: while
 * one is being built, further requests collapse into a single rebuild after it.
 */
import type { Logger } from 'pino';
import type { Core } from '../../src/core/app.js';
import type { Block, Reply } from '../../src/core/reply.js';
import type { SlackApi } from './slack.api.js';
import { newRequestId } from './slack.context.js';
import type { TokenSource } from './slack.installation.js';
import { renderHome } from './slack.renderer.js';

/** Splits a reply at its headings, so each part of the home page gets its own section. */
export function homeSections(reply: Reply): Reply[] {
  const sections: Block[][] = [];
  for (const b of reply.blocks) {
    if (b.kind === 'heading' || sections.length === 0) sections.push([]);
    (sections[sections.length - 1] as Block[]).push(b);
  }
  return sections.map((blocks) => ({ outcome: reply.outcome, blocks }));
}

export class HomePublisher {
  /** `${workspace}/${user}` → whether another refresh was asked for while one ran. */
  private readonly running = new Map<string, boolean>();

  constructor(
    private readonly core: Core,
    private readonly api: SlackApi,
    private readonly tokens: TokenSource,
    private readonly log: Logger,
  ) {}

  /** Builds and publishes one user's home now. */
  async publish(workspaceId: string, userId: string, token?: string): Promise<void> {
    const bot = token ?? (await this.tokens.tokenFor(workspaceId));
    if (!bot) return;
    const reply = await this.core.handle({ actor: { workspaceId, platform: 'slack', userId }, text: 'home', requestId: newRequestId() });
    await this.api.call('views.publish', bot, { user_id: userId, view: renderHome(homeSections(reply)) });
  }

  /** Refreshes a user's home in the background; failures are logged, never thrown. */
  refresh(workspaceId: string, userId: string, token?: string): void {
    const key = `${workspaceId}/${userId}`;
    if (this.running.has(key)) {
      this.running.set(key, true);
      return;
    }
    this.running.set(key, false);
    void (async () => {
      try {
        do {
          this.running.set(key, false);
          await this.publish(workspaceId, userId, token);
        } while (this.running.get(key));
      } catch (err) {
        this.log.warn({ err, workspaceId, userId }, 'could not refresh the App Home');
      } finally {
        this.running.delete(key);
      }
    })();
  }

  /** Resolves when no refresh is under way (for shutdown and tests). */
  async idle(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    // A listener that has just answered starts its refresh a moment later.
    await new Promise((r) => setTimeout(r, 30));
    while (this.running.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }
}
