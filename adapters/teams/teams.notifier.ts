/**
 * The delivery port for Teams: nudges, countdowns, digests and invitations go out as
 * proactive messages into stored conversations. A person with no personal chat with the
 * bot yet gets one opened, from any conversation the bot has in their tenant. Pacing and
 * retries happen in the transport; when they run out this throws, so the job retries.
 */
import type { CloudAdapter, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import type { Workspace } from '../../src/core/domain.js';
import type { Notifier, Recipient } from '../../src/core/ports.js';
import type { Reply } from '../../src/core/reply.js';
import type { TeamsConversationRecord, TeamsConversationStore } from '../../src/store/teams-conversation.store.js';
import { baseConversationId, referenceOf, tenantOfWorkspace } from './teams.activity.js';
import { mentionedIds, sendReply } from './teams.replies.js';

export type TeamsDeliveryCode = 'TEAMS_NOT_A_TEAMS_WORKSPACE' | 'TEAMS_NO_CONVERSATION';

/** A message with nowhere to go yet (never installed, or not for Teams). */
export class TeamsDeliveryError extends Error {
  constructor(
    readonly code: TeamsDeliveryCode,
    message: string,
  ) {
    super(message);
    this.name = 'TeamsDeliveryError';
  }
}

/** Messages go as new posts: the reply-to id the SDK copies from its stand-in activity names no real message. */
function postAsNew(ctx: TurnContext): void {
  ctx.onSendActivities(async (_ctx, activities, next) => {
    for (const a of activities) delete a.replyToId;
    return next();
  });
}

/**
 * Runs `logic` in a proactive turn and rethrows its failure: the adapter's turn error
 * handler would otherwise swallow it, and a nudge that was not delivered must fail its job.
 */
async function proactively(start: (logic: (ctx: TurnContext) => Promise<void>) => Promise<void>, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
  let failure: { err: unknown } | null = null;
  await start(async (ctx) => {
    postAsNew(ctx);
    try {
      await logic(ctx);
    } catch (err) {
      failure = { err };
    }
  });
  if (failure) throw (failure as { err: unknown }).err;
}

/** Runs `logic` in a stored conversation, outside any incoming turn; throws if it fails. */
export async function continueIn(adapter: CloudAdapter, appId: string, reference: Partial<ConversationReference>, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
  await proactively((run) => adapter.continueConversationAsync(appId, reference, run), logic);
}

export interface TeamsNotifierDeps {
  adapter: CloudAdapter;
  /** The bot's app id; empty when running without credentials (local). */
  appId: string;
  conversations: TeamsConversationStore;
}

export class TeamsNotifier implements Notifier {
  constructor(private readonly deps: TeamsNotifierDeps) {}

  async send(ws: Workspace, to: Recipient, message: Reply): Promise<void> {
    const tenantId = tenantOfWorkspace(ws.id);
    if (!tenantId) throw new TeamsDeliveryError('TEAMS_NOT_A_TEAMS_WORKSPACE', `workspace ${ws.id} is not a Teams tenant`);
    const { conversations } = this.deps;
    const names = await conversations.names(tenantId, mentionedIds(message));
    if (to.kind === 'conversation') {
      const rec = await conversations.conversation(tenantId, baseConversationId(to.conversationId));
      if (!rec) throw new TeamsDeliveryError('TEAMS_NO_CONVERSATION', `Consortia is not in conversation ${to.conversationId} of tenant ${tenantId}`);
      return this.post(rec, message, names);
    }
    const personal = await conversations.personal(tenantId, to.userId);
    if (personal) return this.post(personal, message, names);
    return this.openChat(tenantId, to.userId, message, names);
  }

  private async post(rec: TeamsConversationRecord, message: Reply, names: ReadonlyMap<string, string>): Promise<void> {
    await continueIn(this.deps.adapter, this.deps.appId, referenceOf(rec), (ctx) => sendReply(ctx, message, names));
  }

  /** Opens a personal chat with the user (remembering it), then sends the message there. */
  private async openChat(tenantId: string, userId: string, message: Reply, names: ReadonlyMap<string, string>): Promise<void> {
    const { adapter, appId, conversations } = this.deps;
    const anchor = await conversations.anyInTenant(tenantId);
    if (!anchor) throw new TeamsDeliveryError('TEAMS_NO_CONVERSATION', `Consortia has no conversation in tenant ${tenantId} to reach ${userId} from`);
    const user = await conversations.user(tenantId, userId);
    // The Teams id (29:…) when we have seen the person; Teams also accepts the AAD object id.
    const member = { id: user?.teamsId ?? userId, name: user?.name ?? '' };
    const params = {
      isGroup: false,
      bot: { id: anchor.bot.id, name: anchor.bot.name ?? '' },
      members: [member],
      tenantId,
      channelData: { tenant: { id: tenantId } },
    } as ConversationParameters;
    // The SDK's samples pass null for the audience to get the cloud's default; its types say string.
    const audience = null as unknown as string;
    await proactively((run) => adapter.createConversationAsync(appId, anchor.channelId, anchor.serviceUrl, audience, params, run), async (ctx) => {
      const conversationId = ctx.activity.conversation?.id;
      if (!conversationId) throw new TeamsDeliveryError('TEAMS_NO_CONVERSATION', 'Teams did not return the new conversation');
      await conversations.saveConversation({
        tenantId,
        conversationId,
        kind: 'personal',
        userId,
        serviceUrl: anchor.serviceUrl,
        channelId: anchor.channelId,
        bot: anchor.bot,
        user: { id: member.id, aadObjectId: userId, ...(member.name ? { name: member.name } : {}) },
      });
      await sendReply(ctx, message, names);
    });
  }
}
