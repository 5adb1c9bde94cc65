/** Sends each message through the notifier of the workspace's platform. */
import type { Platform } from './core/command.js';
import type { Workspace } from './core/domain.js';
import type { Notifier, Recipient } from './core/ports.js';
import type { Reply } from './core/reply.js';

export class NotifierRouter implements Notifier {
  private readonly byPlatform = new Map<Platform, Notifier>();

  register(platform: Platform, notifier: Notifier): this {
    this.byPlatform.set(platform, notifier);
    return this;
  }

  async send(ws: Workspace, to: Recipient, message: Reply, meta?: { dueAt?: Date; key?: string }): Promise<void> {
    const n = this.byPlatform.get(ws.platform);
    if (!n) throw new Error(`no notifier for ${ws.platform}`);
    await n.send(ws, to, message, meta);
  }
}
