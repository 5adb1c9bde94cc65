/**
 * Where Consortia can reach people and channels in Microsoft Teams: the conversation
 * references the Bot Framework gives us when the bot is installed or spoken to, and the
 * Teams accounts we have seen. Nudges, countdowns and digests are sent through these.
 *
 * Not a tenant-scoped core collection: the core never sees it. Every read still names the
 * tenant, and every key starts with it, so one tenant's references never serve another.
 * The shapes are our own (no Bot Framework types), so this file needs no SDK.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export type TeamsConversationKind = 'personal' | 'channel' | 'groupChat';

/** An account in a conversation reference, as the Bot Framework names it. */
export interface TeamsAccount {
  id: string;
  name?: string;
  aadObjectId?: string;
}

/** Enough of a Bot Framework conversation reference to post into the conversation later. */
export interface TeamsConversationRecord {
  tenantId: string;
  /** The conversation itself: for a channel, its id without any `;messageid=` thread part. */
  conversationId: string;
  kind: TeamsConversationKind;
  /** For a personal chat: the AAD object id of the person it is with. */
  userId?: string;
  serviceUrl: string;
  /** `msteams`, or `emulator` when trying the bot locally. */
  channelId: string;
  bot: TeamsAccount;
  user?: TeamsAccount;
  name?: string;
  teamId?: string;
  /** Set when the bot was uninstalled or removed from the conversation. */
  removed?: boolean;
  updatedAt?: Date;
}

/** A Teams user we have seen: their AAD object id, Teams id (`29:…`) and display name. */
export interface TeamsUserRecord {
  tenantId: string;
  userId: string;
  teamsId: string;
  name?: string;
  updatedAt?: Date;
}

const str = (max: number, required = false) => ({ type: String, maxlength: max, required });
const account = { id: str(300, true), name: str(300), aadObjectId: str(100) };

const conversationSchema = new Schema<TeamsConversationRecord & { _id: string }>(
  {
    _id: { type: String, required: true },
    tenantId: str(100, true),
    conversationId: str(500, true),
    kind: { type: String, enum: ['personal', 'channel', 'groupChat'], required: true },
    userId: str(300),
    serviceUrl: str(500, true),
    channelId: str(50, true),
    bot: { type: account, required: true },
    user: { type: account, required: false },
    name: str(300),
    teamId: str(500),
    removed: { type: Boolean, default: false },
  },
  { versionKey: false, timestamps: true, collection: 'teams_conversations' },
);
conversationSchema.index({ tenantId: 1, kind: 1, userId: 1, updatedAt: -1 });
conversationSchema.index({ tenantId: 1, updatedAt: -1 });

const userSchema = new Schema<TeamsUserRecord & { _id: string }>(
  {
    _id: { type: String, required: true },
    tenantId: str(100, true),
    userId: str(300, true),
    teamsId: str(300, true),
    name: str(300),
  },
  { versionKey: false, timestamps: true, collection: 'teams_users' },
);
userSchema.index({ tenantId: 1, teamsId: 1 });

const key = (tenantId: string, id: string): string => `${tenantId}|${id}`;

/** How long a record written by this process is taken as stored, for writes asked `ifChanged`. */
export const REMEMBER_MS = 10 * 60_000;
/** Most records remembered as written; the oldest are forgotten first. */
const REMEMBER_MAX = 20_000;
/** Attempts at an upsert that lost a race to create the same document. */
const UPSERT_ATTEMPTS = 3;
/** How long a display name looked up for a mention is reused (ms); a stale name is harmless. */
const NAME_TTL_MS = 60_000;
/** How long "no name known" is reused: shorter, since another replica may be storing the person now. */
const NO_NAME_TTL_MS = 5_000;

export interface TeamsConversationStoreOptions {
  /**
   * How long a record this process wrote is taken as stored (ms): `ifChanged` writes of the
   * same record within it are skipped. It also bounds how stale `updatedAt` (most recent
   * use) gets for a conversation in steady use. @defaultValue 600000
   */
  rememberMs?: number;
}

export interface SaveOptions {
  /**
   * Skip the write when this process stored exactly this record within `rememberMs`, for
   * the copy kept on every message. Installs and re-adds write always, since another
   * replica may have marked the conversation removed meanwhile.
   */
  ifChanged?: boolean;
}

/**
 * JSON with object keys sorted and ids the database adds to nested objects left out, so a
 * stored document and a new record compare by content.
 */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => k !== '_id').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The fields of `doc` named in `like`, for comparing what is stored with what would be written. */
function pick(doc: Record<string, unknown>, like: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map((k) => [k, doc[k]]));
}

function isDuplicate(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * Two upserts of a new document can both try to insert it; the loser fails with a
 * duplicate key. The document exists by then, so trying again updates it.
 */
async function upsert(run: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      return;
    } catch (err) {
      if (!isDuplicate(err) || attempt >= UPSERT_ATTEMPTS) throw err;
    }
  }
}
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

type Stored<T> = T & { _id: string; createdAt?: Date };

function conversationOut(doc: Stored<TeamsConversationRecord> | null): TeamsConversationRecord | null {
  if (!doc) return null;
  const { _id: _key, createdAt: _created, ...rest } = doc;
  return rest;
}

function userOut(doc: Stored<TeamsUserRecord> | null): TeamsUserRecord | null {
  if (!doc) return null;
  const { _id: _key, createdAt: _created, ...rest } = doc;
  return rest;
}

export class TeamsConversationStore {
  private readonly conversations: Model<Stored<TeamsConversationRecord>>;
  private readonly users: Model<Stored<TeamsUserRecord>>;
  private readonly rememberMs: number;
  /** `c|<key>` or `u|<key>` → what this process last wrote there, and when the write started. */
  private readonly written = new Map<string, { at: number; sig: string }>();
  /** Writes in flight, so concurrent messages from one person share one. */
  private readonly writing = new Map<string, { sig: string; done: Promise<void> }>();
  /** Counts removals marked through this process. */
  private forgets = 0;
  /** `<tenant>|<user>` → display name (null: none known) for mentions, and when it was read. */
  private readonly nameCache = new Map<string, { at: number; name: string | null }>();

  constructor(connection: Connection, options: TeamsConversationStoreOptions = {}) {
    this.rememberMs = options.rememberMs ?? REMEMBER_MS;
    // Two adapters may share one connection (tests, or a web process restarting its adapter).
    this.conversations = (connection.models.TeamsConversation ?? connection.model('TeamsConversation', conversationSchema)) as Model<Stored<TeamsConversationRecord>>;
    this.users = (connection.models.TeamsUser ?? connection.model('TeamsUser', userSchema)) as Model<Stored<TeamsUserRecord>>;
  }

  async createIndexes(): Promise<void> {
    await this.conversations.createIndexes();
    await this.users.createIndexes();
  }

  /** Records (or refreshes) a conversation; it is live again if it had been removed. */
  async saveConversation(rec: TeamsConversationRecord, opts: SaveOptions = {}): Promise<void> {
    const { updatedAt: _u, ...fields } = rec;
    const id = key(rec.tenantId, rec.conversationId);
    await this.write(`c|${id}`, fields, opts, {
      // A removed conversation must be written live again, so it never counts as stored.
      read: async () => {
        const doc = await this.conversations.findById(id).lean<Stored<TeamsConversationRecord>>();
        return doc && !doc.removed ? doc : null;
      },
      run: () => this.conversations.updateOne({ _id: id }, { $set: { ...fields, removed: false } }, { upsert: true, runValidators: true }),
    });
  }

  async markRemoved(tenantId: string, conversationId: string): Promise<void> {
    if (!isText(tenantId) || !isText(conversationId)) return;
    const id = key(tenantId, conversationId);
    this.forget(`c|${id}`);
    await this.conversations.updateOne({ _id: id }, { $set: { removed: true } });
  }

  /** A live conversation by id, within the tenant. */
  async conversation(tenantId: string, conversationId: string): Promise<TeamsConversationRecord | null> {
    if (!isText(tenantId) || !isText(conversationId)) return null;
    return conversationOut(await this.conversations.findOne({ _id: key(tenantId, conversationId), removed: false }).lean<Stored<TeamsConversationRecord>>());
  }

  /** The person's live personal chat with the bot, the most recently used if several. */
  async personal(tenantId: string, userId: string): Promise<TeamsConversationRecord | null> {
    if (!isText(tenantId) || !isText(userId)) return null;
    const doc = await this.conversations
      .findOne({ tenantId, kind: 'personal', userId, removed: false })
      .sort({ updatedAt: -1 })
      .lean<Stored<TeamsConversationRecord>>();
    return conversationOut(doc);
  }

  /** Any live conversation in the tenant: its service URL and bot account start new chats. */
  async anyInTenant(tenantId: string): Promise<TeamsConversationRecord | null> {
    if (!isText(tenantId)) return null;
    return conversationOut(await this.conversations.findOne({ tenantId, removed: false }).sort({ updatedAt: -1 }).lean<Stored<TeamsConversationRecord>>());
  }

  async saveUser(rec: TeamsUserRecord, opts: SaveOptions = {}): Promise<void> {
    const { updatedAt: _u, ...fields } = rec;
    const id = key(rec.tenantId, rec.userId);
    await this.write(`u|${id}`, fields, opts, {
      read: () => this.users.findById(id).lean<Stored<TeamsUserRecord>>(),
      run: () => this.users.updateOne({ _id: id }, { $set: fields }, { upsert: true, runValidators: true }),
    });
    if (isText(fields.name)) this.cacheName(id, fields.name, Date.now());
  }

  async user(tenantId: string, userId: string): Promise<TeamsUserRecord | null> {
    if (!isText(tenantId) || !isText(userId)) return null;
    return userOut(await this.users.findOne({ _id: key(tenantId, userId) }).lean<Stored<TeamsUserRecord>>());
  }

  async userByTeamsId(tenantId: string, teamsId: string): Promise<TeamsUserRecord | null> {
    if (!isText(tenantId) || !isText(teamsId)) return null;
    return userOut(await this.users.findOne({ tenantId, teamsId }).lean<Stored<TeamsUserRecord>>());
  }

  /** Display names of the given users in the tenant, for mentions; recently read ones from memory. */
  async names(tenantId: string, userIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(userIds.filter(isText))].slice(0, 200);
    if (!isText(tenantId) || ids.length === 0) return new Map();
    const out = new Map<string, string>();
    const now = Date.now();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.nameCache.get(key(tenantId, id));
      if (!hit || now - hit.at >= (hit.name === null ? NO_NAME_TTL_MS : NAME_TTL_MS)) missing.push(id);
      else if (hit.name !== null) out.set(id, hit.name);
    }
    if (missing.length === 0) return out;
    // The connection sanitises filters; this operator is ours, built from plain keys.
    const docs = await this.users.find({ _id: mongoose.trusted({ $in: missing.map((id) => key(tenantId, id)) }) }).lean<Stored<TeamsUserRecord>[]>();
    const found = new Map(docs.filter((d) => isText(d.name)).map((d) => [d.userId, d.name as string]));
    for (const id of missing) {
      const name = found.get(id) ?? null;
      this.cacheName(key(tenantId, id), name, now);
      if (name !== null) out.set(id, name);
    }
    return out;
  }

  /**
   * Runs an upsert, unless (`ifChanged`) the same record is known to be stored within
   * `rememberMs`: written or read by this process, being written now, or (on a first
   * sight here, e.g. after a restart or on another replica) found stored by a read by id,
   * which costs far less than a write. A failed write is not remembered, so the next
   * message tries again.
   */
  private async write(slot: string, fields: Record<string, unknown>, opts: SaveOptions, db: { read(): PromiseLike<object | null>; run(): Promise<unknown> }): Promise<void> {
    const sig = canonical(fields);
    if (opts.ifChanged) {
      const known = this.written.get(slot);
      if (known && known.sig === sig && Date.now() - known.at < this.rememberMs) return;
      const flying = this.writing.get(slot);
      if (flying && flying.sig === sig) return flying.done;
    }
    const started = Date.now();
    const forgetsBefore = this.forgets;
    // A removal marked while this write was in flight wins: the write is not taken as current.
    const done = (async () => {
      if (opts.ifChanged) {
        const stored = (await db.read()) as Record<string, unknown> | null;
        const at = stored?.updatedAt instanceof Date ? stored.updatedAt.getTime() : 0;
        if (stored && canonical(pick(stored, fields)) === sig && started - at < this.rememberMs) {
          if (this.forgets === forgetsBefore) this.remember(slot, sig, at);
          return;
        }
      }
      await upsert(db.run);
      if (this.forgets === forgetsBefore) this.remember(slot, sig, started);
    })();
    const entry = { sig, done };
    this.writing.set(slot, entry);
    try {
      await done;
    } finally {
      if (this.writing.get(slot) === entry) this.writing.delete(slot);
    }
  }

  private remember(slot: string, sig: string, at: number): void {
    this.written.delete(slot);
    if (this.written.size >= REMEMBER_MAX) {
      const oldest = this.written.keys().next();
      if (!oldest.done) this.written.delete(oldest.value);
    }
    this.written.set(slot, { at, sig });
  }

  private cacheName(id: string, name: string | null, at: number): void {
    this.nameCache.delete(id);
    if (this.nameCache.size >= REMEMBER_MAX) {
      const oldest = this.nameCache.keys().next();
      if (!oldest.done) this.nameCache.delete(oldest.value);
    }
    this.nameCache.set(id, { at, name });
  }

  private forget(slot: string): void {
    this.forgets++;
    this.written.delete(slot);
    this.writing.delete(slot);
  }
}
