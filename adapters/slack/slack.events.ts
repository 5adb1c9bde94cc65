/**
 * Events API: the App Home tab, and the uninstall events that remove a workspace's tokens.
 * Slack retries an event it thinks was not received (X-Slack-Retry-Num); every copy is
 * acknowledged, and only the first is processed.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { workspaceIdOf } from './slack.context.js';
import type { EventReceipts } from './slack.dedupe.js';
import type { HomePublisher } from './slack.home.js';
import type { MongoInstallations } from './slack.installation.js';

/** The Events API subscriptions the listeners below serve; manifest.yml subscribes to the same. */
export const SUBSCRIBED_EVENTS = ['app_home_opened', 'app_uninstalled', 'tokens_revoked'] as const;

export interface EventDeps {
  home: HomePublisher;
  receipts: EventReceipts;
  /** Present in OAuth mode, where uninstalling removes stored tokens. */
  installations?: MongoInstallations;
  log: Logger;
}

export function registerEvents(app: App, deps: EventDeps): void {
  const { home, receipts, installations, log } = deps;

  app.use(async ({ body, context, next }) => {
    const b = body as { type?: unknown; event_id?: unknown };
    if (b.type === 'event_callback' && typeof b.event_id === 'string' && !(await receipts.firstTime(b.event_id))) {
      log.info({ eventId: b.event_id, retryNum: context.retryNum, retryReason: context.retryReason }, 'Slack event already processed; retry skipped');
      return;
    }
    await next();
  });

  app.event('app_home_opened', async ({ event, context }) => {
    if (event.tab !== 'home') return;
    const workspaceId = workspaceIdOf(context);
    if (workspaceId) await home.publish(workspaceId, event.user, context.botToken);
  });

  app.event('app_uninstalled', async ({ context }) => {
    if (!installations) return log.info({ teamId: context.teamId }, 'Slack app uninstalled (single-workspace mode: remove SLACK_BOT_TOKEN)');
    await installations.remove({ teamId: context.teamId, enterpriseId: context.enterpriseId, isEnterpriseInstall: context.isEnterpriseInstall });
  });

  app.event('tokens_revoked', async ({ event, context }) => {
    // Only bot tokens are kept, so only their revocation matters.
    if (!installations || !(event.tokens.bot?.length)) return;
    await installations.remove({ teamId: context.teamId, enterpriseId: context.enterpriseId, isEnterpriseInstall: context.isEnterpriseInstall });
  });
}
