/** Where a command came from. Adapters build this; the core trusts only what is here. */
export type Platform = 'slack' | 'teams' | 'console';

export interface Actor {
  /** Slack team/enterprise id, Teams tenant id, or the console's demo workspace. */
  workspaceId: string;
  platform: Platform;
  /** The platform's user id (Slack `U…`, Teams AAD object id, console name). */
  userId: string;
  /** A display name when the platform gives one; never used for access decisions. */
  userName?: string;
}

/**
 * A command to the core: either text in the grammar of COMMANDS.md (typed, or carried by
 * a button) or a submitted form.
 */
export interface Command {
  actor: Actor;
  text: string;
  form?: { id: string; values: Record<string, string | string[]>; context?: string };
  /** Correlates logs across adapter, core and store. */
  requestId?: string;
  /** Conversation the command was typed in, when there is one (a channel id). */
  conversationId?: string;
}
