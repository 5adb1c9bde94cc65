/**
 * The MongoDB implementation of the core's Store port: one connection, models registered
 * on it, and a scoped data view per workspace.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type { Platform } from '../core/command.js';
import { DEFAULT_WEIGHTS, type Workspace, type WorkspaceSettings } from '../core/domain.js';
import type { CalendarToken, RefKind, Store, WorkspaceData, WorkspaceDirectory } from '../core/ports.js';
import { counterSchema, tenantSchemas, workspaceSchema } from './schemas.js';
import { ScopedCollection, type AnyModel } from './scoped.collection.js';
import { CachedCollection, type ReadCache } from './read.cache.js';
import { InsertBatcher, type BulkCollection } from './insert.batcher.js';

type Models = { [K in keyof typeof tenantSchemas]: AnyModel };

export interface MongoStoreOptions {
  /** Create indexes at connect (on in development and tests; production runs them once). */
  autoIndex?: boolean;
  /**
   * How long a workspace record read from the database is served from memory (ms); 0 reads
   * it every time. Every command needs its workspace, so this saves one query per command.
   * Changes made through this process are seen at once; another replica (or a worker)
   * sees a settings change within this time. @defaultValue 5000
   */
  workspaceTtlMs?: number;
  /**
   * Serves repeated reads of the directory, tenders, consortia and tasks from memory while
   * their revision tokens are unchanged (see read.cache.ts). Every process that writes to a
   * database whose readers cache must be given one, so its writes replace the tokens.
   */
  cache?: ReadCache;
}

/** The collections read on nearly every command; the ledger and the audit trail are not cached. */
const CACHED = ['orgs', 'members', 'tenders', 'interests', 'consortia', 'tasks', 'matches'] as const;
/** Collections whose tokens are kept per tender, so interest in one tender leaves the others' reads cached. */
const PARTITIONS: Partial<Record<(typeof CACHED)[number], string>> = { interests: 'tenderRef', matches: 'tenderRef' };

export const WORKSPACE_TTL_MS = 5_000;

/** Workspaces whose collection views are kept; past this they are rebuilt as needed. */
const MAX_VIEWS = 10_000;

export class MongoStore implements Store {
  readonly workspaces: WorkspaceDirectory;
  private readonly models: Models;
  private readonly counters: AnyModel;
  private readonly workspaceModel: AnyModel;
  /** The audit trail is appended to by nearly every change, so its inserts go in batches. */
  private readonly auditBatcher: InsertBatcher<Record<string, unknown>>;

  private constructor(
    readonly connection: Connection,
    workspaceTtlMs: number,
    readonly cache?: ReadCache,
  ) {
    this.models = Object.fromEntries(
      Object.entries(tenantSchemas).map(([name, schema]) => [name, connection.model(name, schema as mongoose.Schema)]),
    ) as unknown as Models;
    this.counters = connection.model('Counter', counterSchema as mongoose.Schema) as unknown as AnyModel;
    this.workspaceModel = connection.model('Workspace', workspaceSchema as mongoose.Schema) as unknown as AnyModel;
    this.workspaces = new MongoWorkspaces(this.workspaceModel, workspaceTtlMs);
    this.auditBatcher = new InsertBatcher(this.models.AuditEntry.collection as unknown as BulkCollection<Record<string, unknown>>, 500, 2);
  }

  static async connect(uri: string, opts: MongoStoreOptions = {}): Promise<MongoStore> {
    const connection = mongoose.createConnection(uri, {
      autoIndex: false,
      serverSelectionTimeoutMS: 5000,
      sanitizeFilter: true,
    } as mongoose.ConnectOptions);
    await connection.asPromise();
    const store = new MongoStore(connection, opts.workspaceTtlMs ?? WORKSPACE_TTL_MS, opts.cache);
    if (opts.autoIndex !== false) await store.createIndexes();
    return store;
  }

  async createIndexes(): Promise<void> {
    for (const model of [...Object.values(this.models), this.workspaceModel]) {
      await model.createIndexes();
    }
  }

  /**
   * A workspace's collections are stateless views over the models, so one set per workspace
   * serves every caller (a worker asks for them once per nudge).
   */
  private readonly views = new Map<string, WorkspaceData>();

  scoped(workspaceId: string): WorkspaceData {
    if (typeof workspaceId !== 'string' || workspaceId === '') throw new Error('a workspace id is required');
    const known = this.views.get(workspaceId);
    if (known) return known;
    if (this.views.size >= MAX_VIEWS) this.views.clear();
    const data = this.buildScoped(workspaceId);
    this.views.set(workspaceId, data);
    return data;
  }

  private buildScoped(workspaceId: string): WorkspaceData {
    const m = this.models;
    const counters = this.counters;
    const claims = this.connection.collection('refclaims');
    const locks = this.connection.collection('locks');
    const data: WorkspaceData = {
      workspaceId,
      orgs: new ScopedCollection(m.Organisation, workspaceId),
      members: new ScopedCollection(m.Member, workspaceId),
      tenders: new ScopedCollection(m.Tender, workspaceId),
      interests: new ScopedCollection(m.Interest, workspaceId),
      consortia: new ScopedCollection(m.Consortium, workspaceId),
      tasks: new ScopedCollection(m.Task, workspaceId),
      audit: new ScopedCollection(m.AuditEntry, workspaceId, this.auditBatcher),
      matches: new ScopedCollection(m.MatchRun, workspaceId),
      calendarTokens: new ScopedCollection(m.CalendarToken, workspaceId),
      nudges: new ScopedCollection(m.NudgeRecord, workspaceId),
      async nextRef(kind: RefKind): Promise<string> {
        // The counter proposes a number and a unique insert claims it. Servers that apply
        // $inc without a lock (FerretDB) can hand two callers the same number; the claim
        // makes the loser take the next one.
        for (let attempt = 0; attempt < 100; attempt++) {
          let seq: number;
          try {
            const doc = await counters
              .findOneAndUpdate({ _id: `${workspaceId}:${kind}` }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' })
              .lean();
            seq = (doc as { seq?: number } | null)?.seq ?? 1;
          } catch (err) {
            if (isDuplicate(err)) continue;
            throw err;
          }
          try {
            await claims.insertOne({ _id: `${workspaceId}:${kind}:${seq}` } as never);
            return `${kind}-${seq}`;
          } catch (err) {
            if (!isDuplicate(err)) throw err;
          }
        }
        throw new Error(`could not allocate a ${kind} reference`);
      },
      withLock: (name, fn) => withLock(locks, `${workspaceId}:${name}`, fn),
    };
    const cache = this.cache;
    if (!cache) return data;
    const cached = Object.fromEntries(CACHED.map((name) => {
      const inner = data[name] as ScopedCollection<never>;
      const field = PARTITIONS[name];
      return [name, new CachedCollection(inner, cache, workspaceId, name, field, (groups) => inner.findGroups(groups, field))];
    }));
    return { ...data, ...cached } as WorkspaceData;
  }

  async calendarOwner(token: string): Promise<CalendarToken | null> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{16,100}$/.test(token)) return null;
    // Tokens are looked up across workspaces by design (the URL carries no workspace), so this
    // one read goes to the driver directly, past the tenant plugin.
    const doc = await this.models.CalendarToken.collection.findOne({ token });
    return doc ? ({ workspaceId: doc.workspaceId, userId: doc.userId, token: doc.token, createdAt: doc.createdAt } as CalendarToken) : null;
  }

  async ping(): Promise<boolean> {
    try {
      await this.connection.db?.admin().command({ ping: 1 });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
    await this.cache?.board.close();
  }
}

export function defaultSettings(firstCoordinator?: string): WorkspaceSettings {
  return {
    timezone: 'Europe/London',
    hoursStart: '09:00',
    hoursEnd: '17:30',
    holidays: 'england-and-wales',
    coordinators: firstCoordinator ? [firstCoordinator] : [],
    weights: { ...DEFAULT_WEIGHTS },
    nudges: true,
    nudgesOffFor: [],
    reminderDays: [7, 3, 1],
    planTemplate: null,
    retentionMonths: 24,
  };
}

/** Most workspace records kept in memory; a process serves far fewer workspaces than this. */
const WORKSPACE_CACHE_MAX = 10_000;

/**
 * The workspace records, read through a short-lived in-process cache. Callers get their own
 * copy, so a handler that edits the settings object it was given cannot change the cache.
 */
class MongoWorkspaces implements WorkspaceDirectory {
  private readonly cache = new Map<string, { at: number; ws: Workspace }>();
  /** Reads in flight, shared by concurrent callers asking for the same workspace. */
  private readonly loading = new Map<string, Promise<Workspace | null>>();
  /** Counts writes through this process: a read that started before one must not cache what it saw. */
  private writes = 0;

  constructor(
    private readonly model: AnyModel,
    private readonly ttlMs: number,
  ) {}

  private static out(doc: (Workspace & { _id?: string }) | null): Workspace | null {
    if (!doc) return null;
    return { id: doc.id, platform: doc.platform, name: doc.name, settings: doc.settings };
  }

  private remember(ws: Workspace, at: number): void {
    if (this.ttlMs <= 0) return;
    this.cache.delete(ws.id);
    if (this.cache.size >= WORKSPACE_CACHE_MAX) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(ws.id, { at, ws });
  }

  /** Called on every write through this process: later reads here see the write. */
  private changed(id: string, ws: Workspace | null): void {
    this.writes++;
    this.loading.delete(id);
    this.cache.delete(id);
    if (ws) this.remember(ws, Date.now());
  }

  async get(id: string): Promise<Workspace | null> {
    if (typeof id !== 'string') return null;
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) return structuredClone(hit.ws);
    let pending = this.loading.get(id);
    if (!pending) {
      const startedAt = Date.now();
      const writesBefore = this.writes;
      const load = (async () => {
        const ws = MongoWorkspaces.out(await this.model.findById(id).lean());
        if (ws && this.writes === writesBefore) this.remember(ws, startedAt);
        return ws;
      })();
      pending = load.finally(() => {
        if (this.loading.get(id) === pending) this.loading.delete(id);
      });
      this.loading.set(id, pending);
    }
    const ws = await pending;
    return ws ? structuredClone(ws) : null;
  }

  async ensure(id: string, platform: Platform, name: string, firstCoordinator?: string): Promise<Workspace> {
    const existing = await this.get(id);
    if (existing) return existing;
    try {
      await this.model.create({ _id: id, id, platform, name, settings: defaultSettings(firstCoordinator) });
    } catch (err) {
      // Two first requests can race; the loser reads the winner's record.
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    // Read back past the cache: what was stored, whoever won the race.
    const ws = MongoWorkspaces.out(await this.model.findById(id).lean());
    if (!ws) throw new Error(`workspace ${id} vanished`);
    this.changed(id, ws);
    return structuredClone(ws);
  }

  async updateSettings(id: string, set: Partial<WorkspaceSettings>): Promise<Workspace | null> {
    const $set = Object.fromEntries(Object.entries(set).map(([k, v]) => [`settings.${k}`, v]));
    const ws = MongoWorkspaces.out(await this.model.findByIdAndUpdate(id, { $set }, { returnDocument: 'after', runValidators: true }).lean());
    this.changed(id, ws);
    return ws ? structuredClone(ws) : null;
  }

  /** Always read from the database: the sweeper walks every workspace, rarely. */
  async list(): Promise<Workspace[]> {
    const docs = await this.model.find({}).lean();
    return docs.map((d) => MongoWorkspaces.out(d)).filter((w): w is Workspace => w !== null);
  }
}

function isDuplicate(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 15_000;

/**
 * A lock is a document with a unique id: inserting it is the acquire, deleting it the
 * release. A holder that died leaves a lock older than LOCK_STALE_MS, which the next
 * caller removes.
 */
async function withLock<T>(locks: mongoose.mongo.Collection, id: string, fn: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await locks.insertOne({ _id: id, token, at: new Date() } as never);
      break;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      await locks.deleteOne({ _id: id, at: { $lt: new Date(Date.now() - LOCK_STALE_MS) } } as never);
      if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`lock ${id} is busy`, { cause: err });
      await new Promise((r) => setTimeout(r, Math.min(200, 10 + attempt * 10) * (0.5 + Math.random())));
    }
  }
  try {
    return await fn();
  } finally {
    await locks.deleteOne({ _id: id, token } as never);
  }
}

export const newToken = (): string => randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '').slice(0, 8);
