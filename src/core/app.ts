/**
 * The core's single entry point: a command in, a reply out. Routing is by parsed verb
 * through a registry; roles are checked before a handler runs; unexpected failures become
 * a short apology with an error id, logged with context.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from './command.js';
import type { CoreDeps, Ctx, Handler } from './context.js';
import { silentLog } from './context.js';
import type { Member } from './domain.js';
import type { WorkspaceData } from './ports.js';
import { SharedIndex } from './shared-index.js';
import { MAX_COMMAND_LENGTH, tokenize, type Token } from './parse/tokens.js';
import { reply, type Reply } from './reply.js';
import { WorkingCalendar } from './time/working-days.js';
import { coordinatorList } from './handlers/common.js';

export class Core {
  private readonly byPath = new Map<string, Handler>();
  private readonly byForm = new Map<string, Handler>();
  readonly handlers: Handler[];

  constructor(
    readonly deps: CoreDeps,
    handlers: Handler[],
  ) {
    this.handlers = handlers;
    for (const h of handlers) {
      this.byPath.set(h.path.join(' '), h);
      for (const f of h.forms ?? []) this.byForm.set(f, h);
    }
  }

  /** Finds the handler for a token list: the longest verb path that matches. */
  route(tokens: Token[]): { handler: Handler; args: Token[] } | null {
    const words = tokens.map((t) => (t.quoted ? '\u0000' : t.text.toLowerCase()));
    for (let n = Math.min(2, words.length); n >= 1; n--) {
      const h = this.byPath.get(words.slice(0, n).join(' '));
      if (h) return { handler: h, args: tokens.slice(n) };
    }
    return null;
  }

  async handle(cmd: Command): Promise<Reply> {
    const started = performance.now();
    const log = this.deps.log ?? silentLog;
    let verb = 'unknown';
    let result: Reply;
    try {
      const out = await this.dispatch(cmd, (v) => (verb = v));
      result = out;
    } catch (err) {
      const errorId = randomUUID().slice(0, 8);
      log.error({ err, errorId, workspaceId: cmd.actor?.workspaceId, verb, requestId: cmd.requestId }, 'command failed');
      result = reply.text(`Sorry, something went wrong on our side (error ${errorId}). Nothing was lost; please try again in a moment.`, 'error');
    }
    this.deps.metrics?.command(verb, result.outcome, (performance.now() - started) / 1000);
    return result;
  }

  private async dispatch(cmd: Command, setVerb: (v: string) => void): Promise<Reply> {
    const { actor } = cmd;
    if (!actor || typeof actor.workspaceId !== 'string' || !actor.workspaceId || typeof actor.userId !== 'string' || !actor.userId) {
      return reply.invalid('I could not tell who sent that.');
    }
    const text = typeof cmd.text === 'string' ? cmd.text : '';
    if (text.length > MAX_COMMAND_LENGTH) {
      return reply.invalid(`That message is too long for a command (${text.length.toLocaleString('en-GB')} characters; the most is ${MAX_COMMAND_LENGTH.toLocaleString('en-GB')}). Nothing was changed.`);
    }

    let handler: Handler | undefined;
    let args: Token[] = [];
    if (cmd.form) {
      if (typeof cmd.form.id !== 'string') return reply.invalid('That form submission was not recognised.');
      handler = this.byForm.get(cmd.form.id);
      if (!handler?.submit) return reply.invalid('That form is not one I know. Try `help`.');
    } else {
      const tokens = tokenize(text.replace(/^\s*\/consortium\b/i, ''));
      if (tokens.length === 0) return this.helpReply();
      const routed = this.route(tokens);
      if (!routed) return this.unknown(tokens);
      handler = routed.handler;
      args = routed.args;
    }
    setVerb(handler.path.join(' '));

    const ctx = await this.context(cmd);
    if (handler.role === 'coordinator' && !ctx.isCoordinator) {
      return reply.denied(`Only a coordinator can ${handler.who ?? 'do that'}. ${await coordinatorList(ctx)}`);
    }
    if (cmd.form && handler.submit) {
      return handler.submit(ctx, { id: cmd.form.id, values: sanitiseValues(cmd.form.values), context: cmd.form.context });
    }
    return handler.run(ctx, args);
  }

  /**
   * The workspace and the sender's memberships, read once per command. The directory
   * serves the workspace from a short-lived cache (see the store); memberships are always
   * read, since joining or leaving must count on the very next command.
   */
  async context(cmd: Command): Promise<Ctx> {
    const { store, clock } = this.deps;
    const { workspaceId } = cmd.actor;
    const data = store.scoped(workspaceId);
    // Both reads are keyed by the actor's workspace id, so neither waits for the other.
    const [found, memberships] = await Promise.all([store.workspaces.get(workspaceId), membershipsOf(data, cmd.actor.userId)]);
    const ws = found ?? (await store.workspaces.ensure(workspaceId, cmd.actor.platform, workspaceId));
    const now = clock.now();
    return {
      cmd,
      actor: cmd.actor,
      ws,
      data,
      deps: this.deps,
      now,
      cal: calendarFor(ws.settings),
      isCoordinator: ws.settings.coordinators.includes(cmd.actor.userId),
      memberships,
      audit: async (action, subject, details) => {
        await data.audit.insert({ at: clock.now(), actor: cmd.actor.userId, action, subject, details });
      },
    };
  }

  private helpReply(): Reply {
    const h = this.byPath.get('help');
    return h ? reply.text('Type a command, or `help` to see them all.') : reply.text('Type `help`.');
  }

  private unknown(tokens: Token[]): Reply {
    const said = (tokens[0]?.text ?? '').slice(0, 40);
    const verbs = [...new Set(this.handlers.map((h) => h.path[0] as string))];
    const close = verbs.filter((v) => distance(v, said.toLowerCase()) <= 2);
    const hint = close.length ? ` Did you mean \`${close[0]}\`?` : '';
    return reply.invalid(`I don't know the command \`${said}\`.${hint} Type \`help\` to see what I can do.`);
  }
}

const byUser = new SharedIndex<Readonly<Member>, string>((m) => m.userId);

/**
 * The sender's memberships, found in the workspace's whole member list: one list that every
 * command shares (served from memory while no one joins or leaves), not a query per person.
 */
async function membershipsOf(data: WorkspaceData, userId: string): Promise<Member[]> {
  return structuredClone(byUser.get(await data.members.findShared({}), userId)) as Member[];
}

/** Calendars by their settings: a workspace's calendar is the same for every command until its settings change. */
const calendars = new Map<string, WorkingCalendar>();

export function calendarFor(settings: { timezone: string; holidays: 'england-and-wales' | 'scotland' | 'northern-ireland'; hoursStart: string; hoursEnd: string }): WorkingCalendar {
  const key = `${settings.timezone}|${settings.holidays}|${settings.hoursStart}|${settings.hoursEnd}`;
  let cal = calendars.get(key);
  if (!cal) {
    cal = new WorkingCalendar({ timezone: settings.timezone, region: settings.holidays, hoursStart: settings.hoursStart, hoursEnd: settings.hoursEnd });
    if (calendars.size >= 200) calendars.clear();
    calendars.set(key, cal);
  }
  return cal;
}

/** Form values arrive from platforms: keep strings and string arrays of sane size only. */
function sanitiseValues(values: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (typeof values !== 'object' || values === null) return out;
  for (const [k, v] of Object.entries(values as Record<string, unknown>).slice(0, 50)) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(k)) continue;
    if (typeof v === 'string') out[k] = v.slice(0, MAX_COMMAND_LENGTH);
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string').slice(0, 100).map((x) => x.slice(0, 200));
  }
  return out;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (dp[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = dp[i] as number[];
      const prev = dp[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (dp[a.length] as number[])[b.length] as number;
}
