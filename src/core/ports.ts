/**
 * The ports the core talks through. `src/store`, `src/queue` and the adapters implement
 * them; the core never sees mongoose, BullMQ or a chat SDK.
 */
import type {
  AuditEntry, Consortium, Interest, Member, Organisation, Task, Tender, Workspace, WorkspaceSettings,
} from './domain.js';
import type { Platform } from './command.js';
import type { Reply } from './reply.js';

/** A condition on one field: equality, or one of a few comparisons. */
export type Cond<V> = V | { in: readonly V[] } | { ne: V } | { lt: V } | { lte: V } | { gt: V } | { gte: V } | { exists: boolean };

type Elem<V> = NonNullable<V> extends readonly (infer E)[] ? E : NonNullable<V>;

/**
 * A filter on a record type. Keys are field names or dotted paths into sub-documents;
 * values are plain data (never operators built from user text: the store wraps them).
 */
export type Filter<T> = { [K in keyof T & string]?: Cond<Elem<T[K]>> } & {
  [path: `${string}.${string}`]: Cond<string | number | boolean | Date> | undefined;
};

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  limit?: number;
  skip?: number;
}

export type WriteResult<T> = { ok: true; value: T } | { ok: false; error: 'duplicate' | 'invalid'; message: string };

/** Array edits applied with an update, on top of `$set`. */
export interface ArrayEdits {
  push?: Record<string, unknown>;
  pull?: Record<string, unknown>;
  addToSet?: Record<string, unknown>;
  inc?: Record<string, number>;
  unset?: string[];
}

export interface SharedReadOptions {
  /**
   * When (epoch ms) the reader will need these records again: a copy held in memory that
   * would be gone by then is read again now, while it is still served (see ReadCache).
   */
  freshUntil?: number;
}

/** A collection already scoped to one workspace: reads and writes cannot leave it. */
export interface Collection<T> {
  findOne(filter: Filter<T>): Promise<T | null>;
  find(filter: Filter<T>, opts?: FindOptions): Promise<T[]>;
  /**
   * Like `find`, but the records may be shared with other callers (served from memory
   * without a copy): for readers of many records that never change what they are given.
   */
  findShared(filter: Filter<T>, opts?: SharedReadOptions): Promise<readonly Readonly<T>[]>;
  count(filter: Filter<T>): Promise<number>;
  insert(doc: Omit<T, 'workspaceId'>): Promise<WriteResult<T>>;
  /** Updates the first match and returns it as it is afterwards (null when nothing matched). */
  update(filter: Filter<T>, set: Partial<Omit<T, 'workspaceId'>>, edits?: ArrayEdits): Promise<WriteResult<T | null>>;
  updateMany(filter: Filter<T>, set: Partial<Omit<T, 'workspaceId'>>): Promise<number>;
  delete(filter: Filter<T>): Promise<number>;
}

export type RefKind = 'T' | 'C' | 'K';

/** The last match run for a tender, so `propose <tender> <n>` can act on it. */
export interface MatchRun {
  workspaceId: string;
  tenderRef: string;
  by: string;
  at: Date;
  pool: 'interested' | 'directory';
  excluded: string[];
  proposals: { members: string[]; lead: string; score: number }[];
}

export interface CalendarToken {
  workspaceId: string;
  userId: string;
  token: string;
  createdAt: Date;
}

/**
 * An entry in the nudge ledger; its unique `key` makes delivery happen once. Kept to the
 * fields the ledger is read by: a nudge may be delivered by the thousand in a minute, and
 * every field is work for the database on every insert (the key names the nudge's kind and
 * subject already).
 */
export interface NudgeRecord {
  workspaceId: string;
  key: string;
  /** When the nudge was due. */
  dueAt: Date;
  /** When the entry was written: for a delivered nudge, when it was delivered. */
  claimedAt: Date;
  attempts: number;
}

export interface WorkspaceData {
  readonly workspaceId: string;
  orgs: Collection<Organisation>;
  members: Collection<Member>;
  tenders: Collection<Tender>;
  interests: Collection<Interest>;
  consortia: Collection<Consortium>;
  tasks: Collection<Task>;
  audit: Collection<AuditEntry>;
  matches: Collection<MatchRun>;
  calendarTokens: Collection<CalendarToken>;
  nudges: Collection<NudgeRecord>;
  /** Next short reference of a kind (`T-12`), from an atomic per-workspace counter. */
  nextRef(kind: RefKind): Promise<string>;
  /**
   * Runs `fn` while holding a named lock in this workspace, so read-check-write sequences
   * (answers to an invitation, commitments per tender) never interleave across processes.
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface WorkspaceDirectory {
  get(id: string): Promise<Workspace | null>;
  /** Returns the workspace, creating it with default settings the first time. */
  ensure(id: string, platform: Platform, name: string, firstCoordinator?: string): Promise<Workspace>;
  updateSettings(id: string, set: Partial<WorkspaceSettings>): Promise<Workspace | null>;
  list(): Promise<Workspace[]>;
}

export interface Store {
  workspaces: WorkspaceDirectory;
  scoped(workspaceId: string): WorkspaceData;
  /** Finds the owner of a calendar token (tokens are secret and unique across workspaces). */
  calendarOwner(token: string): Promise<CalendarToken | null>;
}

/**
 * Schedules nudges. Implementations must not throw when the queue is down: MongoDB holds
 * the truth and a sweeper restores the schedule, so a failure only delays a nudge.
 */
export interface Scheduler {
  taskChanged(workspaceId: string, taskRef: string): Promise<void>;
  consortiumChanged(workspaceId: string, consortiumRef: string): Promise<void>;
  /** Settings that move every nudge (zone, hours, holidays, reminder days) changed. */
  workspaceChanged?(workspaceId: string): Promise<void>;
}

/** Who a message goes to. */
export type Recipient = { kind: 'user'; userId: string } | { kind: 'conversation'; conversationId: string };

/** Delivers messages outside the request/response cycle. Each chat adapter implements it. */
export interface Notifier {
  send(workspace: Workspace, to: Recipient, message: Reply, meta?: { dueAt?: Date; key?: string }): Promise<void>;
}

/** Reads a document a coordinator names (a file in an allowed folder, or a public URL). */
export interface DocumentSource {
  read(source: string): Promise<{ ok: true; text: string; name: string } | { ok: false; error: string }>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Long work (matching) runs through this, so a caller can report its time. */
export interface Metrics {
  observeMatch?(seconds: number, outcome: string): void;
}
