/** Delivers nudges and notices in the console: printed, with who they are for and when they were due. */
import type { Workspace } from '../../src/core/domain.js';
import type { Notifier, Recipient } from '../../src/core/ports.js';
import type { Reply } from '../../src/core/reply.js';
import { formatUkDate } from '../../src/core/time/uk-date.js';
import { renderText } from './console.renderer.js';

export class ConsoleNotifier implements Notifier {
  constructor(private readonly write: (text: string) => void) {}

  async send(ws: Workspace, to: Recipient, message: Reply, meta?: { dueAt?: Date }): Promise<void> {
    const who = to.kind === 'user' ? `@${to.userId}` : `#${to.conversationId}`;
    const due = meta?.dueAt ? ` (due ${formatUkDate(meta.dueAt, ws.settings.timezone)})` : '';
    this.write(`\n📣 to ${who}${due}:\n${renderText(message).replace(/^\n/, '')}\n`);
  }
}
