/**
 * One bot turn: an incoming activity becomes a core command (typed text, a button press
 * or a form submission) and the core's reply goes back as cards. Installs and membership
 * changes are remembered so Consortia can write first later. Slow commands answer "working
 * on it" at once and deliver the rest proactively, because Teams resends an activity it
 * has not had an answer to in 15 seconds; a resent activity is processed once.
 */
import { TeamsInfo, TurnContext, type Activity, type ChannelAccount, type ConversationReference } from 'botbuilder';
import type { Core } from '../../src/core/app.js';
import type { Command } from '../../src/core/command.js';
import type { WorkspaceDirectory } from '../../src/core/ports.js';
import { reply as replies, type Reply } from '../../src/core/reply.js';
import type { SaveOptions, TeamsConversationStore } from '../../src/store/teams-conversation.store.js';
import {
  actorOf, baseConversationId, commandTextOf, conversationRecordOf, kindOf, mentionsBot, mentionsOf, tenantOf, userIdOf, workspaceIdFor,
} from './teams.activity.js';
import type { ActivityLedger } from './teams.ledger.js';
import { formActivity, mentionedIds, sendReply } from './teams.replies.js';
import { parseCardSubmit } from './teams.renderer.js';

export interface ReceiverLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface TeamsReceiverDeps {
  core: Core;
  workspaces: WorkspaceDirectory;
  conversations: TeamsConversationStore;
  ledger: ActivityLedger;
  log: ReceiverLog;
  /** Runs `logic` in a conversation after the turn is over (for follow-ups). */
  proactive(reference: Partial<ConversationReference>, logic: (ctx: TurnContext) => Promise<void>): Promise<void>;
}

const apology = (): Reply => replies.text('Sorry, something went wrong on our side while I was working on that. Nothing was lost; please try again in a moment.', 'error');

export class TeamsReceiver {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: TeamsReceiverDeps) {}

  async onTurn(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const tenantId = tenantOf(a);
    if (!tenantId) {
      this.deps.log.warn({ type: a.type, channelId: a.channelId }, 'Teams activity without a tenant ignored');
      return;
    }
    const claim = a.id ? `${a.conversation.id}|${a.id}` : null;
    if (claim && !(await this.deps.ledger.claim(claim))) {
      this.deps.log.info({ type: a.type, activityId: a.id }, 'repeated Teams activity ignored');
      return;
    }
    let started = false;
    try {
      switch (a.type) {
        case 'message':
          await this.onMessage(ctx, tenantId, () => (started = true));
          break;
        case 'installationUpdate':
          started = true;
          await this.onInstallation(ctx, tenantId);
          break;
        case 'conversationUpdate':
          started = true;
          await this.onConversationUpdate(ctx, tenantId);
          break;
        default:
          break;
      }
    } catch (err) {
      // Failed before the core acted: let Teams' retry of this activity be processed.
      if (claim && !started) await this.deps.ledger.release(claim);
      throw err;
    }
  }

  /** Waits (up to `ms`) for follow-ups still being delivered. */
  async drain(ms = 10_000): Promise<void> {
    if (this.pending.size === 0) return;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => setTimeout(resolve, ms))]);
  }

  private async onMessage(ctx: TurnContext, tenantId: string, markStarted: () => void): Promise<void> {
    const a = ctx.activity;
    const actor = actorOf(a, tenantId);
    if (!actor) return;
    const submit = a.value !== undefined ? parseCardSubmit(a.value) : null;
    // In channels and group chats Teams only sends what mentions the bot; anything else is not for us.
    if (!submit && kindOf(a) !== 'personal' && !mentionsBot(a)) return;
    await this.remember(a, tenantId);

    const cmd: Command = { actor, text: '', ...(a.id ? { requestId: a.id } : {}), conversationId: baseConversationId(a.conversation.id) };
    if (submit?.kind === 'form') cmd.form = { id: submit.id, values: submit.values, ...(submit.context !== undefined ? { context: submit.context } : {}) };
    else cmd.text = submit?.kind === 'command' ? submit.text : commandTextOf(a, await this.resolveMentions(ctx, tenantId));

    markStarted();
    const result = await this.deps.core.handle(cmd);
    const names = await this.deps.conversations.names(tenantId, mentionedIds(result));
    // A refused form goes back in place of the one submitted, errors shown under its fields.
    const replaced = submit?.kind === 'form' && result.form && result.blocks.length === 0 && a.replyToId
      ? await this.replaceCard(ctx, a.replyToId, formActivity(result.form, names))
      : false;
    if (!replaced) await sendReply(ctx, result, names);
    if (result.followUp) this.later(ctx, tenantId, result);
  }

  private async replaceCard(ctx: TurnContext, activityId: string, activity: Partial<Activity>): Promise<boolean> {
    try {
      await ctx.updateActivity({ ...activity, id: activityId });
      return true;
    } catch (err) {
      this.deps.log.warn({ err, activityId }, 'could not update the submitted card; sending a new one');
      return false;
    }
  }

  /** Delivers the follow-ups of a slow reply into the same conversation, after the turn. */
  private later(ctx: TurnContext, tenantId: string, first: Reply): void {
    const reference = TurnContext.getConversationReference(ctx.activity);
    const job = (async () => {
      let current = first;
      while (current.followUp) {
        let next: Reply;
        try {
          next = await current.followUp();
        } catch (err) {
          this.deps.log.error({ err, workspaceId: workspaceIdFor(tenantId) }, 'follow-up failed');
          next = apology();
        }
        const names = await this.deps.conversations.names(tenantId, mentionedIds(next));
        await this.deps.proactive(reference, (c) => sendReply(c, next, names));
        current = next;
      }
    })().catch((err: unknown) => this.deps.log.error({ err, workspaceId: workspaceIdFor(tenantId) }, 'follow-up not delivered'));
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Maps each mentioned person's Teams id to the AAD object id the core knows them by. */
  private async resolveMentions(ctx: TurnContext, tenantId: string): Promise<Map<string, string>> {
    const botId = ctx.activity.recipient?.id;
    const out = new Map<string, string>();
    for (const m of mentionsOf(ctx.activity)) {
      const id = m.mentioned.id;
      if (id === botId || out.has(id)) continue;
      const known = m.mentioned.aadObjectId ?? (await this.deps.conversations.userByTeamsId(tenantId, id))?.userId;
      if (known) {
        out.set(id, known);
        continue;
      }
      try {
        const member = await TeamsInfo.getMember(ctx, id);
        if (member.aadObjectId) {
          out.set(id, member.aadObjectId);
          await this.rememberUser(member, tenantId);
        }
      } catch (err) {
        this.deps.log.warn({ err }, 'could not look up a mentioned Teams user');
      }
    }
    return out;
  }

  /**
   * Keeps the conversation and the sender, so nudges can reach them later. Every message
   * carries them, but they are written only when new or changed (or not written by this
   * process for a while): two upserts per message would cost more than the command.
   */
  private async remember(a: Partial<Activity>, tenantId: string): Promise<void> {
    const rec = conversationRecordOf(a, tenantId);
    try {
      await Promise.all([rec ? this.deps.conversations.saveConversation(rec, { ifChanged: true }) : undefined, this.rememberUser(a.from, tenantId, { ifChanged: true })]);
    } catch (err) {
      // Answering matters more than remembering; the next message tries again.
      this.deps.log.warn({ err }, 'could not store the Teams conversation reference');
    }
  }

  private async rememberUser(account: Partial<ChannelAccount> | undefined, tenantId: string, opts: SaveOptions = {}): Promise<void> {
    const userId = userIdOf(account);
    if (!userId || !account?.id) return;
    await this.deps.conversations.saveUser({ tenantId, userId, teamsId: account.id, ...(account.name ? { name: account.name.slice(0, 200) } : {}) }, opts);
  }

  private async onInstallation(ctx: TurnContext, tenantId: string): Promise<void> {
    const a = ctx.activity;
    const rec = conversationRecordOf(a, tenantId);
    if (!rec) return;
    if (typeof a.action === 'string' && a.action.startsWith('remove')) {
      await this.deps.conversations.markRemoved(tenantId, rec.conversationId);
      return;
    }
    await this.deps.conversations.saveConversation(rec);
    await this.rememberUser(a.from, tenantId);
    const installer = userIdOf(a.from);
    const coordinator = await this.ensureWorkspace(a, tenantId, installer);
    await sendReply(ctx, welcome(rec.kind === 'personal', coordinator ? installer : null), await this.deps.conversations.names(tenantId, installer ? [installer] : []));
  }

  private async onConversationUpdate(ctx: TurnContext, tenantId: string): Promise<void> {
    const a = ctx.activity;
    const botId = a.recipient?.id;
    const rec = conversationRecordOf(a, tenantId);
    for (const m of (a.membersAdded ?? []).slice(0, 500)) {
      if (m.id !== botId) await this.rememberUser(m, tenantId);
    }
    if (rec && (a.membersRemoved ?? []).some((m) => m.id === botId)) {
      await this.deps.conversations.markRemoved(tenantId, rec.conversationId);
      return;
    }
    if (!rec || !(a.membersAdded ?? []).some((m) => m.id === botId)) return;
    await this.deps.conversations.saveConversation(rec);
    await this.rememberUser(a.from, tenantId);
    const installer = userIdOf(a.from);
    const coordinator = await this.ensureWorkspace(a, tenantId, installer);
    // Teams follows this with an installationUpdate, which greets; the Emulator sends only this.
    if (a.channelId === 'emulator') await sendReply(ctx, welcome(rec.kind === 'personal', coordinator ? installer : null), new Map());
  }

  /**
   * Makes sure the tenant's workspace exists; whoever installs Consortia into a workspace
   * without a coordinator becomes its first. Returns whether the installer is a coordinator.
   */
  private async ensureWorkspace(a: Partial<Activity>, tenantId: string, installer: string | null): Promise<boolean> {
    const id = workspaceIdFor(tenantId);
    const team = (a.channelData as { team?: { name?: unknown } } | undefined)?.team?.name;
    const name = (typeof team === 'string' && team) || a.conversation?.name || `Teams tenant ${tenantId.slice(0, 8)}`;
    let ws = await this.deps.workspaces.ensure(id, 'teams', name.slice(0, 200), installer ?? undefined);
    if (installer && ws.settings.coordinators.length === 0) ws = (await this.deps.workspaces.updateSettings(id, { coordinators: [installer] })) ?? ws;
    return !!installer && ws.settings.coordinators.includes(installer);
  }
}

function welcome(personal: boolean, coordinator: string | null): Reply {
  const how = personal ? 'Type `help` here to see what I can do.' : 'Mention me with a command, like `@Consortia help`, or chat with me directly.';
  return replies.ok(
    { kind: 'heading', text: 'Consortia is here' },
    { kind: 'text', text: `I help local charities and community groups find partners and bid together for public contracts. ${how}` },
    ...(coordinator ? [{ kind: 'text' as const, text: `<@${coordinator}>, you are a coordinator here: you can add tenders, match over the whole directory and change \`settings\`.` }] : []),
  );
}
