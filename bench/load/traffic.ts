// What the benchmark's clients send: a weighted mix of everyday commands, as Slack slash
// commands signed with the app's signing secret (v0) and as Teams personal-chat activities.
import { createHmac, randomUUID } from 'node:crypto';
import type { SeededWorkspace } from './seed.js';

export type PlatformName = 'slack' | 'teams';

/** The benchmark's Slack team and Teams tenant. */
export const SLACK_TEAM = 'T0BENCH';
export const TEAMS_TENANT = 'bench-tenant-0001';

export interface Planned {
  platform: PlatformName;
  /** The command type reported on (its verb). */
  type: string;
  text: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Slack: the response_url a late answer is posted to. */
  responseUrl?: string;
}

interface MixEntry {
  type: string;
  weight: number;
  /** The user and text for one command of this type. */
  pick(ws: SeededWorkspace, rnd: () => number): { user: string; text: string };
}

const any = <T>(list: readonly T[], rnd: () => number): T => list[Math.floor(rnd() * list.length)] as T;
const person = (ws: SeededWorkspace, rnd: () => number): string => any(ws.users, rnd);

/** The mix, by weight: mostly reads, some interest, and matching a small tender. */
export const MIX: readonly MixEntry[] = [
  { type: 'help', weight: 8, pick: (ws, r) => ({ user: person(ws, r), text: 'help' }) },
  { type: 'org list', weight: 16, pick: (ws, r) => ({ user: person(ws, r), text: r() < 0.5 ? 'org list' : `org list service ${any(['mental health', 'advice', 'befriending', 'youth work'], r)}` }) },
  { type: 'org show', weight: 8, pick: (ws, r) => ({ user: person(ws, r), text: `org show ${any(ws.orgNames, r)}` }) },
  { type: 'tender list', weight: 6, pick: (ws, r) => ({ user: person(ws, r), text: 'tender list' }) },
  { type: 'tender show', weight: 16, pick: (ws, r) => ({ user: person(ws, r), text: `tender show ${any([...ws.tenders, ws.matchTender], r)}` }) },
  { type: 'tasks', weight: 14, pick: (ws, r) => ({ user: person(ws, r), text: r() < 0.5 ? 'tasks' : `tasks ${ws.consortium}` }) },
  { type: 'interest', weight: 14, pick: (ws, r) => ({ user: person(ws, r), text: `interest ${any(ws.tenders, r)}${r() < 0.3 ? ' as partner' : ''}` }) },
  { type: 'match', weight: 10, pick: (ws, r) => ({ user: any(ws.matchers, r), text: `match ${ws.matchTender}${r() < 0.5 ? ' top 2' : ''}` }) },
  { type: 'consortium show', weight: 8, pick: (ws, r) => ({ user: person(ws, r), text: `consortium show ${ws.consortium}` }) },
];

const TOTAL_WEIGHT = MIX.reduce((s, m) => s + m.weight, 0);

export function signSlack(body: string, ts: number, secret: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

export interface TrafficOptions {
  slack: SeededWorkspace;
  teams: SeededWorkspace;
  signingSecret: string;
  slackTeam: string;
  teamsTenant: string;
  /** Where response_url and the Bot Connector live (the platform stub). */
  stubUrl: string;
  responseUrl(): string;
}

/** A deterministic generator, so runs send the same sequence. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function planCommand(o: TrafficOptions, rnd: () => number): Planned {
  let roll = rnd() * TOTAL_WEIGHT;
  let entry = MIX[0] as MixEntry;
  for (const m of MIX) {
    roll -= m.weight;
    if (roll < 0) {
      entry = m;
      break;
    }
  }
  const platform: PlatformName = rnd() < 0.5 ? 'slack' : 'teams';
  const ws = platform === 'slack' ? o.slack : o.teams;
  const { user, text } = entry.pick(ws, rnd);
  return platform === 'slack' ? slackCommand(o, entry.type, user, text) : teamsActivity(o, entry.type, user, text);
}

function slackCommand(o: TrafficOptions, type: string, user: string, text: string): Planned {
  const responseUrl = o.responseUrl();
  const body = new URLSearchParams({
    token: 'legacy', team_id: o.slackTeam, team_domain: 'bench', channel_id: 'C0BENCH', channel_name: 'bids',
    user_id: user, user_name: user.toLowerCase(), command: '/consortium', text, api_app_id: 'A0CONSORTIA',
    is_enterprise_install: 'false', response_url: responseUrl, trigger_id: `trig-${randomUUID()}`,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  return {
    platform: 'slack', type, text, path: '/slack/events', body, responseUrl,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signSlack(body, ts, o.signingSecret),
    },
  };
}

/** A message from `user` in their personal chat with the bot, as Teams sends it. */
export function personalMessage(stubUrl: string, tenant: string, user: string, text: string) {
  return {
    type: 'message',
    id: `bench-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    serviceUrl: `${stubUrl}/`,
    channelId: 'msteams',
    from: { id: `29:${user}`, name: `Bench ${user}`, aadObjectId: user },
    conversation: { id: `a:personal-${user}`, conversationType: 'personal', tenantId: tenant },
    recipient: { id: '28:consortia-bench', name: 'Consortia' },
    text,
    textFormat: 'plain',
    locale: 'en-GB',
    channelData: { tenant: { id: tenant } },
  };
}

function teamsActivity(o: TrafficOptions, type: string, user: string, text: string): Planned {
  const activity = personalMessage(o.stubUrl, o.teamsTenant, user, text);
  return { platform: 'teams', type, text, path: '/api/messages', body: JSON.stringify(activity), headers: { 'content-type': 'application/json' } };
}
