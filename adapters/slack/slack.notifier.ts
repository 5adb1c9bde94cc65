/**
 * The core's delivery port for Slack: a message to a person goes to their DM with the app,
 * a message to a conversation goes to that channel. Pacing and retries are SlackApi's; a
 * delivery that still fails throws, so the nudge's job is retried and nothing is dropped.
 */
import type { Workspace } from '../../src/core/domain.js';
import type { Notifier, Recipient } from '../../src/core/ports.js';
import type { Reply } from '../../src/core/reply.js';
import { SlackApiError, type SlackApi } from './slack.api.js';
import { renderMessage } from './slack.renderer.js';
import { InstallationNotFoundError, type TokenSource } from './slack.installation.js';

export interface SlackNotifierOptions {
  /** Called after a message reached a user, e.g. to refresh their App Home. */
  onDelivered?: (workspaceId: string, userId: string, token: string) => void;
}

export class SlackNotifier implements Notifier {
  constructor(
    private readonly api: SlackApi,
    private readonly tokens: TokenSource,
    private readonly options: SlackNotifierOptions = {},
  ) {}

  async send(ws: Workspace, to: Recipient, message: Reply): Promise<void> {
    const token = await this.tokens.tokenFor(ws.id);
    if (!token) throw new InstallationNotFoundError(`Consortia is not installed in ${ws.id}`);
    const messages = renderMessage(message);
    if (to.kind === 'conversation') {
      for (const m of messages) await this.api.post(token, to.conversationId, m);
      return;
    }
    let channel = to.userId;
    for (const m of messages) {
      try {
        await this.api.post(token, channel, m);
      } catch (err) {
        // Posting to a user id reaches their DM with the app; where a workspace refuses
        // that, the DM is opened explicitly and the post repeated there.
        if (!(err instanceof SlackApiError) || err.reason !== 'channel_not_found' || channel !== to.userId) throw err;
        const opened = await this.api.call('conversations.open', token, { users: to.userId });
        const id = (opened.channel as { id?: string } | undefined)?.id;
        if (!id) throw err;
        channel = id;
        await this.api.post(token, channel, m);
      }
    }
    this.options.onDelivered?.(ws.id, to.userId, token);
  }
}
