/**
 * Reading Bot Framework activities: which tenant (workspace) and person they come from,
 * what kind of conversation, the command text with the bot's mention taken out and other
 * people's mentions turned into the core's `<@id>` tokens, and the conversation record
 * to keep for sending later. Pure functions; the receiver does the I/O.
 */
import type { Activity, ChannelAccount, ConversationReference } from 'botbuilder';
import type { Actor } from '../../src/core/command.js';
import type { TeamsAccount, TeamsConversationKind, TeamsConversationRecord } from '../../src/store/teams-conversation.store.js';

const WORKSPACE_PREFIX = 'teams:';
/** Tenant ids are GUIDs; this also admits the Emulator's stand-in and keeps ids key-safe. */
const TENANT_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** What the core's tokenizer accepts inside `<@…>`. */
const MENTION_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/** The Emulator sends no tenant; locally its traffic gets a workspace of its own. */
export const EMULATOR_TENANT = 'emulator';

const text = (v: unknown, max = 500): string | undefined => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined);

/** The tenant an activity belongs to, or null when it names none (and is not the Emulator). */
export function tenantOf(activity: Partial<Activity>): string | null {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const id = text(activity.conversation?.tenantId) ?? text(channelData?.tenant?.id);
  if (id) return TENANT_ID.test(id) ? id : null;
  return activity.channelId === 'emulator' ? EMULATOR_TENANT : null;
}

/** A Teams tenant is a workspace: `teams:<tenant id>`. */
export const workspaceIdFor = (tenantId: string): string => `${WORKSPACE_PREFIX}${tenantId}`;

export function tenantOfWorkspace(workspaceId: string): string | null {
  if (!workspaceId.startsWith(WORKSPACE_PREFIX)) return null;
  const id = workspaceId.slice(WORKSPACE_PREFIX.length);
  return TENANT_ID.test(id) ? id : null;
}

/** A person's id for the core: their AAD object id, else the channel's account id. */
export function userIdOf(account: Partial<ChannelAccount> | undefined): string | null {
  return text(account?.aadObjectId, 100) ?? text(account?.id, 300) ?? null;
}

export function actorOf(activity: Partial<Activity>, tenantId: string): Actor | null {
  const userId = userIdOf(activity.from);
  if (!userId) return null;
  const name = text(activity.from?.name, 200);
  return { workspaceId: workspaceIdFor(tenantId), platform: 'teams', userId, ...(name ? { userName: name } : {}) };
}

export function kindOf(activity: Partial<Activity>): TeamsConversationKind {
  const type = activity.conversation?.conversationType;
  if (type === 'channel' || type === 'groupChat' || type === 'personal') return type;
  return activity.conversation?.isGroup ? 'groupChat' : 'personal';
}

/**
 * A channel message's conversation id carries `;messageid=` for the thread it is in; the
 * channel itself is the part before it.
 */
export function baseConversationId(id: string): string {
  return id.split(';messageid=')[0] ?? id;
}

export interface MentionEntity {
  /** The exact text of the mention in the message, e.g. `<at>Consortia</at>`. */
  text: string;
  mentioned: TeamsAccount;
}

/** The activity's mention entities that are well formed. */
export function mentionsOf(activity: Partial<Activity>): MentionEntity[] {
  const out: MentionEntity[] = [];
  for (const e of (activity.entities ?? []).slice(0, 50)) {
    if (e?.type !== 'mention') continue;
    const m = e as { text?: unknown; mentioned?: { id?: unknown; name?: unknown; aadObjectId?: unknown } };
    const at = text(m.text, 300);
    const id = text(m.mentioned?.id, 300);
    if (!at || !id) continue;
    const name = text(m.mentioned?.name, 200);
    const aad = text(m.mentioned?.aadObjectId, 100);
    out.push({ text: at, mentioned: { id, ...(name ? { name } : {}), ...(aad ? { aadObjectId: aad } : {}) } });
  }
  return out;
}

/** Whether the bot itself is mentioned (by entity, or by an `<at>` tag naming it). */
export function mentionsBot(activity: Partial<Activity>): boolean {
  const botId = activity.recipient?.id;
  return !!botId && mentionsOf(activity).some((m) => m.mentioned.id === botId);
}

/**
 * The command text: the bot's mention removed, each other mention replaced by the core's
 * token for the person (`resolved` maps a mentioned Teams id to the user id the core
 * knows), and whitespace tidied. Teams sends `&nbsp;` around mentions in some clients.
 */
export function commandTextOf(activity: Partial<Activity>, resolved: Map<string, string>): string {
  let out = typeof activity.text === 'string' ? activity.text : '';
  const botId = activity.recipient?.id;
  for (const m of mentionsOf(activity)) {
    const who = resolved.get(m.mentioned.id);
    const replacement = m.mentioned.id === botId ? ' ' : who && MENTION_ID.test(who) ? ` <@${who}> ` : ` ${m.mentioned.name ?? ''} `;
    out = out.split(m.text).join(replacement);
  }
  // A bot mention the entities did not describe (some clients) still opens the message.
  const botName = activity.recipient?.name;
  if (botName) out = out.replace(new RegExp(`^\\s*<at>${escapeRegExp(botName)}</at>`, 'i'), ' ');
  return out.replace(/&nbsp;/g, ' ').replace(/[ \t]+/g, ' ').trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The conversation record to keep for an activity: where to post, and as whom. */
export function conversationRecordOf(activity: Partial<Activity>, tenantId: string): TeamsConversationRecord | null {
  const serviceUrl = text(activity.serviceUrl);
  const conversationId = text(activity.conversation?.id);
  const botId = text(activity.recipient?.id, 300);
  const channelId = text(activity.channelId, 50);
  if (!serviceUrl || !conversationId || !botId || !channelId) return null;
  const kind = kindOf(activity);
  const channelData = activity.channelData as { team?: { id?: unknown } } | undefined;
  const userId = kind === 'personal' ? userIdOf(activity.from) : null;
  const user = activity.from?.id ? account(activity.from) : undefined;
  const name = text(activity.conversation?.name, 300);
  const teamId = text(channelData?.team?.id);
  return {
    tenantId,
    conversationId: baseConversationId(conversationId),
    kind,
    ...(userId ? { userId } : {}),
    serviceUrl,
    channelId,
    bot: account(activity.recipient as ChannelAccount),
    ...(kind === 'personal' && user ? { user } : {}),
    ...(name ? { name } : {}),
    ...(teamId ? { teamId } : {}),
  };
}

function account(a: Partial<ChannelAccount>): TeamsAccount {
  const name = text(a.name, 300);
  const aad = text(a.aadObjectId, 100);
  return { id: text(a.id, 300) ?? '', ...(name ? { name } : {}), ...(aad ? { aadObjectId: aad } : {}) };
}

/** A stored record as the Bot Framework reference `continueConversationAsync` takes. */
export function referenceOf(rec: TeamsConversationRecord): Partial<ConversationReference> {
  return {
    channelId: rec.channelId,
    serviceUrl: rec.serviceUrl,
    bot: { id: rec.bot.id, name: rec.bot.name ?? '' },
    ...(rec.user ? { user: { id: rec.user.id, name: rec.user.name ?? '', ...(rec.user.aadObjectId ? { aadObjectId: rec.user.aadObjectId } : {}) } } : {}),
    conversation: {
      id: rec.conversationId,
      isGroup: rec.kind !== 'personal',
      conversationType: rec.kind,
      tenantId: rec.tenantId,
      name: rec.name ?? '',
    },
  };
}

/** Minimal shape checks before an untrusted body is treated as an activity. */
export function looksLikeActivity(body: unknown): body is Partial<Activity> & { type: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || a.type.length === 0 || a.type.length > 60) return false;
  if (typeof a.serviceUrl !== 'string' || !/^https?:\/\/[^\s]+$/i.test(a.serviceUrl) || a.serviceUrl.length > 500) return false;
  const conversation = a.conversation as { id?: unknown } | undefined;
  return typeof conversation?.id === 'string' && conversation.id.length > 0 && typeof a.channelId === 'string';
}
