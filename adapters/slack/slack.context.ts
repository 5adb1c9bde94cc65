/**
 * Who a Slack request is from, in the core's terms, and the acknowledgement deadline every
 * handler races against.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../src/core/command.js';

/** Slack wants an answer within 3 s; this leaves room for the network. */
export const ACK_DEADLINE_MS = 2000;

const SLACK_ID = /^[A-Z0-9]{2,40}$/;

/**
 * The core's workspace id for a Slack team: `slack:<team_id>`, or `slack:<enterprise_id>`
 * for an enterprise request that names no team. Null when neither is a Slack id.
 */
export function workspaceIdOf(ids: { teamId?: string | null; enterpriseId?: string | null }): string | null {
  if (ids.teamId && SLACK_ID.test(ids.teamId)) return `slack:${ids.teamId}`;
  if (ids.enterpriseId && SLACK_ID.test(ids.enterpriseId)) return `slack:${ids.enterpriseId}`;
  return null;
}

/** The Slack id inside a workspace id (`slack:T123` → `T123`), or null for another platform's. */
export function slackIdOf(workspaceId: string): string | null {
  const m = /^slack:([A-Z0-9]{2,40})$/.exec(workspaceId);
  return m ? (m[1] as string) : null;
}

export interface RequestIds {
  teamId?: string | null;
  enterpriseId?: string | null;
  userId?: string | null;
  userName?: string | null;
}

/** The actor for a request, or null when Slack did not say who and where. */
export function actorOf(ids: RequestIds): Actor | null {
  const workspaceId = workspaceIdOf(ids);
  if (!workspaceId || !ids.userId || !SLACK_ID.test(ids.userId)) return null;
  return {
    workspaceId,
    platform: 'slack',
    userId: ids.userId,
    ...(ids.userName ? { userName: ids.userName.slice(0, 80) } : {}),
  };
}

export const newRequestId = (): string => randomUUID().slice(0, 13);

/** Resolves to the value when `p` settles within `ms`, else to `late` (and `p` keeps running). */
export async function within<T>(p: Promise<T>, ms: number): Promise<{ late: false; value: T } | { late: true }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ late: true }>((r) => {
    timer = setTimeout(() => r({ late: true }), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ late: false as const, value })), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
