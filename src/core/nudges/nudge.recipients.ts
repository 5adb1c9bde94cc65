/**
 * Who receives a nudge. Resolved when it is delivered, not when it is scheduled, so a
 * change of owner, admin or settings in between is honoured.
 */
import type { TaskOwner, WorkspaceSettings } from '../domain.js';
import type { Recipient } from '../ports.js';
import type { Audience } from './nudge.policy.js';

/** The people around a nudge's subject, looked up by the caller. */
export interface NudgePeople {
  /** The owner: the user, or the admins (else members) of the owning organisation. */
  owner: string[];
  /** Admins (else members) of the consortium's lead organisation. */
  lead: string[];
  /** Admins (else members) of every organisation in the consortium. */
  members: string[];
  conversationId?: string;
}

/** Organisation people who should hear about its work: its admins, or everyone if it has none. */
export function orgContacts(people: { userId: string; role: 'admin' | 'member' }[]): string[] {
  const admins = people.filter((p) => p.role === 'admin').map((p) => p.userId);
  return admins.length ? admins : people.map((p) => p.userId);
}

export function ownerSlug(owner: TaskOwner): string | null {
  return owner.kind === 'org' ? owner.slug : null;
}

/**
 * Recipients for an audience, less everyone who turned their nudges off. Nobody at all
 * when the workspace turned nudges off.
 */
export function recipientsFor(audience: Audience, people: NudgePeople, settings: Pick<WorkspaceSettings, 'nudges' | 'nudgesOffFor' | 'coordinators'>): Recipient[] {
  if (!settings.nudges) return [];
  if (audience === 'consortium' && people.conversationId) return [{ kind: 'conversation', conversationId: people.conversationId }];
  let users: string[];
  switch (audience) {
    case 'owner':
      users = people.owner;
      break;
    case 'owner-and-lead':
      users = [...people.owner, ...people.lead];
      break;
    case 'coordinators':
      users = settings.coordinators;
      break;
    case 'consortium':
      users = people.members;
      break;
  }
  const off = new Set(settings.nudgesOffFor);
  return [...new Set(users)].filter((u) => !off.has(u)).map((userId) => ({ kind: 'user', userId }));
}

/** A stable id for a recipient, for ledger entries and tests. */
export function recipientId(r: Recipient): string {
  return r.kind === 'user' ? `u/${r.userId}` : `c/${r.conversationId}`;
}

/** Marks the ledger entry saying one recipient already has a nudge (see src/queue/nudge.ledger.ts). */
const SENT_TO = '#to:';

/** The key of the ledger entry saying `recipient` (a recipientId) already has the nudge `nudgeKey`. */
export function sentToKey(nudgeKey: string, recipient: string): string {
  return `${nudgeKey}${SENT_TO}${recipient}`;
}

/** The recipient a ledger entry's key names, if it is a `sentToKey`. */
export function recipientOfKey(key: string): string | null {
  const at = key.lastIndexOf(SENT_TO);
  return at < 0 ? null : key.slice(at + SENT_TO.length);
}
