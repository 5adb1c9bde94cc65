/**
 * The Teams app manifest: `teams/manifest.template.json` with the bot's ids, version and
 * links filled in, and the command lists Teams suggests taken from the core's own registry
 * (usage and summaries), so what Teams offers is what the bot does.
 */
import type { Handler } from '../../src/core/context.js';
import { ACCENT } from './teams.icons.js';

/** The commands Teams suggests (it shows at most 10 per scope), most used first. */
export const SUGGESTED_COMMANDS: readonly string[] = [
  'help', 'org register', 'org list', 'tender list', 'interest', 'match', 'accept', 'consortium show', 'tasks', 'mine',
];

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ManifestOptions {
  /** The bot's Microsoft app id (MICROSOFT_APP_ID). */
  botId: string;
  /** The Teams app's own id; by default the bot's. */
  teamsAppId?: string;
  /** `major.minor.patch`. */
  version: string;
  /** An https site for the developer, privacy and terms links. */
  website: string;
  developer: string;
}

const LIMITS = { commands: 10, title: 32, description: 128 } as const;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Title and description for each suggested command, from the handler registry. */
export function manifestCommands(handlers: Handler[]): { title: string; description: string }[] {
  const byPath = new Map(handlers.map((h) => [h.path.join(' '), h]));
  return SUGGESTED_COMMANDS.slice(0, LIMITS.commands).map((path) => {
    const h = byPath.get(path);
    if (!h) throw new Error(`the manifest suggests "${path}", which is not a command`);
    const summary = h.summary.charAt(0).toUpperCase() + h.summary.slice(1);
    return { title: clip(path, LIMITS.title), description: clip(summary, LIMITS.description) };
  });
}

/** The template with every `{{NAME}}` filled in; fails on a value it has no entry for. */
export function buildManifest(template: unknown, opts: ManifestOptions, handlers: Handler[]): Record<string, unknown> {
  if (!GUID.test(opts.botId)) throw new Error(`the bot id should be the app's GUID (MICROSOFT_APP_ID), not "${opts.botId}"`);
  const teamsAppId = opts.teamsAppId ?? opts.botId;
  if (!GUID.test(teamsAppId)) throw new Error(`the Teams app id should be a GUID, not "${teamsAppId}"`);
  if (!/^\d+\.\d+\.\d+$/.test(opts.version)) throw new Error(`the version should look like 1.0.0, not "${opts.version}"`);
  if (!/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(opts.website)) throw new Error(`the website should be an https URL, not "${opts.website}"`);
  const values: Record<string, string> = {
    VERSION: opts.version,
    TEAMS_APP_ID: teamsAppId,
    BOT_ID: opts.botId,
    WEBSITE: opts.website.replace(/\/$/, ''),
    DEVELOPER: clip(opts.developer, 32),
    ACCENT,
  };
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(/\{\{([A-Z_]+)\}\}/g, (_m, name: string) => {
        const value = values[name];
        if (value === undefined) throw new Error(`the manifest template names {{${name}}}, which has no value`);
        return value;
      });
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  const manifest = fill(template) as Record<string, unknown> & { bots?: { commandLists?: unknown }[] };
  const commands = manifestCommands(handlers);
  for (const bot of manifest.bots ?? []) {
    bot.commandLists = [
      { scopes: ['personal'], commands },
      { scopes: ['team', 'groupChat'], commands },
    ];
  }
  return manifest;
}
