/** What every handler gets: who is asking, their workspace, its data and the ports. */
import type { Actor, Command } from './command.js';
import type { Member, Workspace } from './domain.js';
import type { Clock, DocumentSource, Notifier, Scheduler, Store, WorkspaceData } from './ports.js';
import type { Reply } from './reply.js';
import type { WorkingCalendar } from './time/working-days.js';
import type { Token } from './parse/tokens.js';

/** Structured log sink; the composition root passes a pino child logger. */
export interface CoreLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export const silentLog: CoreLog = { info() {}, warn() {}, error() {} };

/** Observes command outcomes and matching times; the web process feeds Prometheus. */
export interface CoreMetrics {
  command(verb: string, outcome: string, seconds: number): void;
  matching(seconds: number, feasible: boolean): void;
}

export interface CoreDeps {
  store: Store;
  clock: Clock;
  scheduler: Scheduler;
  notifier: Notifier;
  log?: CoreLog;
  metrics?: CoreMetrics;
  /** Where `tender import` reads files and URLs from. */
  documents?: DocumentSource;
  /** Base URL for links the bot hands out (calendar feeds). */
  publicUrl?: string;
  /** Candidate pools larger than this answer "working on it" first and follow up (default 600). */
  slowMatchPool?: number;
}

export interface Ctx {
  cmd: Command;
  actor: Actor;
  ws: Workspace;
  data: WorkspaceData;
  deps: CoreDeps;
  now: Date;
  cal: WorkingCalendar;
  isCoordinator: boolean;
  /** The actor's organisation memberships in this workspace. */
  memberships: Member[];
  audit(action: string, subject: string, details?: Record<string, unknown>): Promise<void>;
}

export type Role = 'anyone' | 'coordinator';

export interface FormSubmission {
  id: string;
  values: Record<string, string | string[]>;
  context?: string;
}

/** A command handler: one verb path, its usage line, who may run it, and what it does. */
export interface Handler {
  /** Verb path, e.g. `['org', 'register']`. */
  path: string[];
  usage: string;
  summary: string;
  /** Longer help shown by `help <command>`. */
  details?: string[];
  role: Role;
  /** What a refusal says about who can do it, when `role` is `coordinator`. */
  who?: string;
  run(ctx: Ctx, args: Token[]): Promise<Reply>;
  /** Form ids this handler accepts submissions for. */
  forms?: string[];
  submit?(ctx: Ctx, form: FormSubmission): Promise<Reply>;
}
