/**
 * Reads served from memory while the records behind them are unchanged.
 *
 * A cached collection answers `find`, `findOne` and `count` from copies kept in this
 * process, each tagged with the revision token (see revisions.ts) of its collection in its
 * workspace as it was before the database was read. A copy is used only while that token
 * is still current and it is younger than `maxAgeMs`; every write through a cached
 * collection replaces the token once the database has it, so the next read anywhere goes
 * to the database. Callers always get their own copy of what is cached.
 */
import type { Collection, Filter, FindOptions, SharedReadOptions, WriteResult, ArrayEdits } from '../core/ports.js';
import type { RevisionBoard } from './revisions.js';

export interface ReadCacheOptions {
  /** Most results kept. @defaultValue 5000 */
  maxEntries?: number;
  /**
   * Most records held across all results (a whole list counts each of its records): the
   * bound on memory, since one result may be a workspace's every task. @defaultValue 50000
   */
  maxRecords?: number;
  /** Oldest copy served even with an unchanged token (bounds the cost of a lost token change). @defaultValue 30000 */
  maxAgeMs?: number;
  /** Told of every read: its collection, and whether it was served from memory. */
  observe?: (collection: string, result: 'hit' | 'miss' | 'bypass') => void;
}

/** One workspace's share of a grouped read: the whole collection, or one partition of it. */
export interface ReadGroup {
  workspaceId: string;
  /** The partition field's value, when the read is of one partition. */
  value?: string;
}

export const groupKey = (g: ReadGroup): string => (g.value === undefined ? g.workspaceId : `${g.workspaceId}\u0000${g.value}`);

interface Waiter<V> {
  group: ReadGroup;
  value: Promise<V>;
  resolve(v: V): void;
  reject(e: unknown): void;
}

/** Grouped reads of one shape: those waiting, and whether a query for the shape is out. */
interface Batch<V> {
  /** The tokens and query of the shape, when it is of whole collections (copies alongside may join it). */
  whole?: { names: readonly string[]; shape: string };
  waiting: Map<string, Waiter<V>>;
  loadMany(groups: ReadGroup[]): Promise<Map<string, V>>;
  empty: V;
  busy: boolean;
  scheduled: boolean;
}

interface Entry {
  token: string;
  /** When its read started. */
  readAt: number;
  /** When it was last served (or read). */
  usedAt: number;
  /** When the copy goes, whatever the token: between 3/4 and all of the maximum age after its read. */
  expires: number;
  /** A read of the same query started before this copy goes (see through), until it replaces it. */
  next?: Promise<unknown>;
  value: Promise<unknown>;
  /** The value once it has arrived, for a writer that patches it. */
  settled?: { value: unknown };
  /** Records it holds, counted towards `maxRecords` once it has arrived. */
  records?: number;
}

const recordsIn = (value: unknown): number => (Array.isArray(value) ? value.length : 1);

/** Where a copy is kept: by workspace, the first token it depends on, and the query. */
const entryKey = (workspaceId: string, names: readonly string[], query: string): string => `${workspaceId}\u0000${names[0] ?? ''}\u0000${query}`;

/** The collection a token belongs to (`interests/T-1` → `interests`), for the metrics. */
const collectionOf = (names: readonly string[]): string => (names[0] ?? '').split('/')[0] as string;

/**
 * Most records read again alongside one grouped read (see ReadCache.alongside): on a
 * database that answers from an index, each costs what it would cost read on its own.
 */
const MAX_ALONGSIDE_RECORDS = 20_000;

/** Longest query description cached; longer ones (huge `in` lists) go to the database. */
const MAX_KEY = 2_000;

export interface ReadCacheStats {
  hits: number;
  misses: number;
  bypassed: number;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  /** Cross-workspace reads gathering in this turn of the event loop, by collection and query. */
  private readonly batches = new Map<string, Batch<unknown>>();
  private readonly maxEntries: number;
  private readonly maxRecords: number;
  /** Records held by the entries kept (those whose value has arrived). */
  private records = 0;
  private readonly maxAgeMs: number;
  private readonly observe: NonNullable<ReadCacheOptions['observe']>;
  readonly stats: ReadCacheStats = { hits: 0, misses: 0, bypassed: 0 };

  constructor(readonly board: RevisionBoard, opts: ReadCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 5_000;
    this.maxRecords = opts.maxRecords ?? 50_000;
    this.maxAgeMs = opts.maxAgeMs ?? 30_000;
    this.observe = opts.observe ?? (() => undefined);
    board.onLost(() => this.clear());
  }

  clear(): void {
    this.entries.clear();
    this.records = 0;
  }

  /** Entries and records kept now (for tests and reports). */
  get size(): { entries: number; records: number } {
    return { entries: this.entries.size, records: this.records };
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.records -= entry.records ?? 0;
  }

  /** Keeps `entry` as the most recently used, counting its records once its value arrives. */
  private keep(key: string, entry: Entry): void {
    this.remove(key);
    this.entries.set(key, entry);
    if (entry.settled) this.count(key, entry, entry.settled.value);
    else {
      entry.value.then((v) => {
        entry.settled = { value: v };
        if (this.entries.get(key) === entry) this.count(key, entry, v);
      }, () => undefined);
    }
    this.trim();
  }

  /** Counts an arrived value; one bigger than the whole bound is not kept (and evicts nothing). */
  private count(key: string, entry: Entry, value: unknown): void {
    const records = recordsIn(value);
    if (records > this.maxRecords) {
      this.entries.delete(key);
      return;
    }
    entry.records = records;
    this.records += records;
    this.trim();
  }

  /** Drops the least recently used entries until both bounds hold. */
  private trim(): void {
    while (this.entries.size > this.maxEntries || this.records > this.maxRecords) {
      const oldest = this.entries.keys().next();
      if (oldest.done) return;
      this.remove(oldest.value);
    }
  }

  /**
   * Copies read together (a busy minute's first reads) would all expire together and send
   * a burst of reads to the database at once; spreading their ages spreads the reads. A
   * grouped read's copies are not spread: reads of them that miss together go together
   * (see readGrouped), so copies that expire together cost one query.
   */
  private expiry(now: number, grouped: boolean): number {
    return now + (grouped ? this.maxAgeMs : this.maxAgeMs * (0.75 + 0.25 * Math.random()));
  }

  /**
   * A copy that a reader needs to last longer than it will (a slot job reading ahead of its
   * instant, see ReadOptions.freshUntil) is read again while it is still served, and the new
   * copy takes its place when it arrives, so the reader finds it in memory then instead of
   * waiting on the database. The new read is tagged with the tokens as they were before it
   * started, as any read is.
   */
  private readAhead<V>(key: string, hit: Entry, token: string, make: () => Promise<V>, now: number, grouped: boolean): void {
    const value = make();
    hit.next = value;
    const entry: Entry = { token, readAt: now, usedAt: hit.usedAt, expires: this.expiry(now, grouped), value };
    value.then(
      () => {
        if (this.entries.get(key) === hit) this.keep(key, entry);
      },
      () => {
        if (this.entries.get(key) === hit) delete hit.next;
      },
    );
  }

  /**
   * The copy under `key` if its tokens are current, else a new one made by `make` (which
   * starts the read) and remembered under the current tokens. Null when the tokens cannot be
   * known (Redis unreachable): the caller reads the database itself.
   */
  private async through<V>(workspaceId: string, names: readonly string[], query: string, make: () => Promise<V>, freshUntil?: number, grouped = false): Promise<Promise<V> | null> {
    const collection = collectionOf(names);
    const key = entryKey(workspaceId, names, query);
    const tokens = await this.board.tokens(workspaceId, names);
    if (!tokens) {
      this.stats.bypassed++;
      this.observe(collection, 'bypass');
      return null;
    }
    const token = tokens.join('|');
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.token === token && now < hit.expires) {
      this.stats.hits++;
      this.observe(collection, 'hit');
      hit.usedAt = now;
      // Most recently used last, so eviction takes the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      if (freshUntil !== undefined && hit.expires < freshUntil && !hit.next && hit.settled) this.readAhead(key, hit, token, make, now, grouped);
      return hit.value as Promise<V>;
    }
    // Gone past its age while the read ahead of it is still out: that read is as new as any.
    if (hit && hit.token === token && hit.next) return hit.next as Promise<V>;
    this.stats.misses++;
    this.observe(collection, 'miss');
    const value = make();
    const entry: Entry = { token, readAt: now, usedAt: now, expires: this.expiry(now, grouped), value };
    this.keep(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.remove(key);
    });
    return value;
  }

  /**
   * The value of `load()` for this query, shared with other callers while the collection's
   * token is unchanged. The result is shared: callers must copy it before handing it on.
   */
  async read<V>(workspaceId: string, names: readonly string[], query: string, load: () => Promise<V>, freshUntil?: number): Promise<V> {
    if (query.length > MAX_KEY) {
      this.stats.bypassed++;
      this.observe(collectionOf(names), 'bypass');
      return load();
    }
    // A real promise, awaited by every sharer (a mongoose query is a thenable that runs once).
    const shared = await this.through(workspaceId, names, query, () => Promise.resolve().then(load), freshUntil);
    return shared ?? load();
  }

  /**
   * Like `read`, for a query that has the same shape in every workspace (a whole
   * collection, or the whole of one partition): the reads that miss while a query of that
   * shape is out are gathered and go to the database together as the next query, by
   * `loadMany`, which answers for each group it was given. A burst of reads across many
   * workspaces or partitions (nudges falling due at 09:00 everywhere; interest in many
   * tenders) then costs a few queries, where a database that scans for any filter would
   * otherwise scan once per read; the busier the database, the more each query carries.
   */
  async readGrouped<V>(group: ReadGroup, names: readonly string[], shape: string, loadMany: (groups: ReadGroup[]) => Promise<Map<string, V>>, empty: V, freshUntil?: number): Promise<V> {
    const shared = await this.through(group.workspaceId, names, shape, () => {
      const batchKey = `${collectionOf(names)}\u0000${shape.replace(/"[^"]*"\s*:\s*"[^"]*"/g, '')}\u0000${group.value === undefined ? 'whole' : 'part'}`;
      let batch = this.batches.get(batchKey) as Batch<V> | undefined;
      if (!batch) {
        batch = { waiting: new Map(), loadMany, empty, busy: false, scheduled: false, ...(group.value === undefined ? { whole: { names, shape } } : {}) };
        this.batches.set(batchKey, batch as Batch<unknown>);
      }
      const gk = groupKey(group);
      let waiter = batch.waiting.get(gk);
      if (!waiter) {
        let resolve!: (v: V) => void;
        let reject!: (e: unknown) => void;
        const value = new Promise<V>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        waiter = { group, value, resolve, reject };
        batch.waiting.set(gk, waiter);
        this.schedule(batch as Batch<unknown>);
      }
      return waiter.value;
    }, freshUntil, true);
    return shared ?? ((await loadMany([group])).get(groupKey(group)) ?? empty);
  }

  /** Sends the batch's waiting reads after this turn of the event loop, unless a query of its shape is out. */
  private schedule(batch: Batch<unknown>): void {
    if (batch.busy || batch.scheduled || batch.waiting.size === 0) return;
    batch.scheduled = true;
    setImmediate(() => {
      batch.scheduled = false;
      const waiting = [...batch.waiting.values()];
      batch.waiting = new Map();
      batch.busy = true;
      this.send(batch, waiting).finally(() => {
        batch.busy = false;
        this.schedule(batch);
      });
    });
  }

  /** One query for the waiting reads, and for the copies alongside them that are due a read (see alongside). */
  private async send(batch: Batch<unknown>, waiting: Waiter<unknown>[]): Promise<void> {
    const along = batch.whole ? await this.alongside(batch.whole, new Set(waiting.map((w) => w.group.workspaceId))).catch(() => []) : [];
    const loading = batch.loadMany([...waiting.map((w) => w.group), ...along.map((a) => ({ workspaceId: a.workspaceId }))]);
    const now = Date.now();
    for (const a of along) {
      if (this.entries.get(a.key) !== a.entry || a.entry.next) continue;
      this.readAhead(a.key, a.entry, a.entry.token, () => loading.then((found) => found.get(a.workspaceId) ?? batch.empty), now, true);
    }
    await loading.then(
      (found) => {
        for (const w of waiting) w.resolve(found.get(groupKey(w.group)) ?? batch.empty);
      },
      (err: unknown) => {
        for (const w of waiting) w.reject(err);
      },
    );
  }

  /**
   * Copies of the same whole collection in other workspaces that are in use (served within
   * the maximum age) and past a third of it, with their tokens as they are now: read again
   * in the query about to go, they take its age, so the next time they are due they are due
   * together. On a database that scans the whole collection for any query (FerretDB), the
   * copies of many workspaces, each falling due at its own time, would otherwise cost a scan
   * each; here one scan serves them all, for little more than the records sent.
   */
  private async alongside(whole: { names: readonly string[]; shape: string }, asked: ReadonlySet<string>): Promise<{ key: string; workspaceId: string; entry: Entry }[]> {
    const now = Date.now();
    const suffix = `\u0000${whole.names[0] ?? ''}\u0000${whole.shape}`;
    const due: { key: string; workspaceId: string; entry: Entry }[] = [];
    let records = 0;
    for (const [key, entry] of this.entries) {
      if (!key.endsWith(suffix) || !entry.settled || entry.next) continue;
      if (now - entry.readAt < this.maxAgeMs / 3 || now - entry.usedAt > this.maxAgeMs) continue;
      const workspaceId = key.slice(0, -suffix.length);
      if (asked.has(workspaceId)) continue;
      records += entry.records ?? 0;
      if (records > MAX_ALONGSIDE_RECORDS) break;
      due.push({ key, workspaceId, entry });
    }
    const tokens = await Promise.all(due.map((d) => this.board.tokens(d.workspaceId, whole.names)));
    // Only a copy still under the tokens it was read with: one whose tokens changed is read by its next reader.
    return due.filter((d, i) => tokens[i]?.join('|') === d.entry.token);
  }

  /**
   * After a write confined to one partition: the tokens change as for any write, and if
   * this process holds that whole partition as read under the tokens current just before
   * the write, it keeps it with the write applied by `patch` (null: it cannot say, read it
   * again) instead of reading it all again. The copy keeps the age of its read, so the
   * maximum age still bounds it.
   */
  async changedPatching(workspaceId: string, write: readonly string[], read: readonly string[], shape: string, patch: (list: unknown[]) => unknown[] | null): Promise<void> {
    const key = entryKey(workspaceId, read, shape);
    const entry = this.entries.get(key);
    const list = entry?.settled?.value;
    if (!entry || !Array.isArray(list)) return this.board.bump(workspaceId, write);
    const patched = patch(list);
    if (patched === null) return this.board.bump(workspaceId, write);
    const token = await this.board.bumpChecked(workspaceId, write, read, entry.token);
    if (token === null || this.entries.get(key) !== entry) return;
    this.keep(key, { token, readAt: entry.readAt, usedAt: entry.usedAt, expires: entry.expires, value: Promise.resolve(patched), settled: { value: patched } });
  }

  /** After a write: copies that depend on these tokens, everywhere, are out of date. */
  changed(workspaceId: string, names: readonly string[]): Promise<void> {
    return this.board.bump(workspaceId, names);
  }
}

/** A deep copy of plain data (objects, arrays, dates), much cheaper than structuredClone for records. */
export function copyData<V>(v: V): V {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return new Date(v.getTime()) as V;
  if (Array.isArray(v)) return v.map(copyData) as V;
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyData((v as Record<string, unknown>)[k]);
  return out as V;
}

/** The list with the one record matching `filter` (plain values only) replaced; null when not exactly one matches. */
function replaceOne(list: unknown[], filter: object, replacement: unknown): unknown[] | null {
  const conditions = Object.entries(filter);
  if (conditions.some(([k, v]) => k.includes('.') || (typeof v === 'object' && v !== null))) return null;
  const matches = list.flatMap((item, i) => (conditions.every(([k, v]) => (item as Record<string, unknown>)[k] === v) ? [i] : []));
  if (matches.length !== 1) return null;
  const out = [...list];
  out[matches[0] as number] = copyData(replacement);
  return out;
}

/** A stable description of a query: the same filter written the same way gives the same key. */
function describe(op: string, filter: unknown, opts?: unknown): string {
  return `${op}:${JSON.stringify(filter)}${opts === undefined ? '' : `:${JSON.stringify(opts)}`}`;
}

/**
 * A workspace's collection whose reads go through the cache and whose writes invalidate it.
 *
 * With `partitionBy` (a field such as a tender reference), the collection's tokens are
 * finer: a write confined to one value of the field (its filter or new document names
 * that value, and it does not change the field) replaces only that partition's token, so
 * the reads of other partitions stay cached. The tokens:
 * - `name` — replaced by every write; reads that do not name one partition depend on it;
 * - `name/<value>` — replaced by writes confined to that partition;
 * - `name/*` — replaced by writes that may touch any partition.
 * A read naming one partition depends on its own token and on `name/*`.
 */
export class CachedCollection<T> implements Collection<T> {
  constructor(
    private readonly inner: Collection<T>,
    private readonly cache: ReadCache,
    private readonly workspaceId: string,
    private readonly name: string,
    private readonly partitionBy?: string,
    /**
     * Reads whole collections, or whole partitions, for several workspaces in one query,
     * answering by `groupKey`.
     */
    private readonly loadGroups?: (groups: ReadGroup[]) => Promise<Map<string, T[]>>,
  ) {}

  /**
   * The whole collection for this workspace (no filter), or the whole of one partition (a
   * filter naming only the partition field): such reads are gathered across workspaces and
   * partitions (see ReadCache.readGrouped).
   */
  private grouped(filter: object, opts: FindOptions = {}, freshUntil?: number): Promise<T[]> | null {
    if (!this.loadGroups || opts.sort !== undefined || opts.limit || opts.skip) return null;
    const keys = Object.keys(filter);
    if (keys.length === 0) return this.cache.readGrouped({ workspaceId: this.workspaceId }, [this.name], describe('find', {}, {}), this.loadGroups, [], freshUntil);
    const p = this.partition(filter);
    if (keys.length === 1 && p !== undefined) return this.cache.readGrouped({ workspaceId: this.workspaceId, value: p }, this.readTokens(filter), describe('find', filter, {}), this.loadGroups, [], freshUntil);
    return null;
  }

  /** The partition a filter or document is confined to, if any. */
  private partition(of: unknown): string | undefined {
    if (!this.partitionBy || typeof of !== 'object' || of === null) return undefined;
    const v = (of as Record<string, unknown>)[this.partitionBy];
    return typeof v === 'string' ? v : undefined;
  }

  private readTokens(filter: unknown): string[] {
    const p = this.partition(filter);
    return p === undefined ? [this.name] : [`${this.name}/${p}`, `${this.name}/*`];
  }

  private read<V>(query: string, filter: unknown, load: () => Promise<V>, freshUntil?: number): Promise<V> {
    return this.cache.read(this.workspaceId, this.readTokens(filter), query, load, freshUntil);
  }

  async findOne(filter: Filter<T>): Promise<T | null> {
    // One record by the partition field alone (a tender's last match run): the first of the
    // partition's list, which writes to the partition keep current.
    const keys = Object.keys(filter);
    if (keys.length === 1 && this.partition(filter) !== undefined) {
      const grouped = this.grouped(filter);
      if (grouped) return copyData((await grouped)[0] ?? null);
    }
    return copyData(await this.read(describe('one', filter), filter, () => this.inner.findOne(filter)));
  }

  async find(filter: Filter<T>, opts: FindOptions = {}): Promise<T[]> {
    const grouped = this.grouped(filter, opts);
    if (grouped) return copyData(await grouped);
    return copyData(await this.read(describe('find', filter, opts), filter, () => this.inner.find(filter, opts)));
  }

  findShared(filter: Filter<T>, opts: SharedReadOptions = {}): Promise<readonly T[]> {
    const grouped = this.grouped(filter, {}, opts.freshUntil);
    if (grouped) return grouped;
    return this.read(describe('find', filter, {}), filter, () => this.inner.find(filter, {}), opts.freshUntil);
  }

  count(filter: Filter<T>): Promise<number> {
    return this.read(describe('count', filter), filter, () => this.inner.count(filter));
  }

  /**
   * Runs a write, then replaces the tokens it affects. A write confined to one partition
   * may say how its result changes that partition's whole list (`patchWith`), so the
   * writer's copy is kept up to date instead of dropped (see ReadCache.changedPatching).
   */
  private async write<R>(confinedTo: string | undefined, run: () => Promise<R>, patchWith?: (result: R) => ((list: unknown[]) => unknown[] | null) | null): Promise<R> {
    let result: { value: R } | undefined;
    try {
      result = { value: await run() };
      return result.value;
    } finally {
      const write = [this.name, confinedTo === undefined ? `${this.name}/*` : `${this.name}/${confinedTo}`];
      const whole = confinedTo !== undefined && this.partitionBy ? { [this.partitionBy]: confinedTo } : undefined;
      const patch = whole && result && patchWith ? patchWith(result.value) : null;
      if (whole && patch) await this.cache.changedPatching(this.workspaceId, write, this.readTokens(whole), describe('find', whole, {}), patch);
      else await this.cache.changed(this.workspaceId, write);
    }
  }

  /** A write's partition: named by its filter and not moved by its changes. */
  private confined(filter: unknown, set: object, edits: ArrayEdits = {}): string | undefined {
    const p = this.partition(filter);
    if (p === undefined || !this.partitionBy) return undefined;
    const touched = [set, edits.push, edits.pull, edits.addToSet, edits.inc].some((o) => o !== undefined && this.partitionBy! in o) || edits.unset?.includes(this.partitionBy);
    return touched ? undefined : p;
  }

  insert(doc: Omit<T, 'workspaceId'>): Promise<WriteResult<T>> {
    // The partition's list grows by the new record, in insertion order as a read returns it.
    return this.write(this.partition(doc), () => this.inner.insert(doc), (res) => (res.ok ? (list) => [...list, copyData(res.value)] : null));
  }

  update(filter: Filter<T>, set: Partial<Omit<T, 'workspaceId'>>, edits?: ArrayEdits): Promise<WriteResult<T | null>> {
    // The one record the filter picks out of the list is replaced by what the update
    // returned; if the filter is not plain values, or picks out other than one, read again.
    return this.write(this.confined(filter, set, edits), () => this.inner.update(filter, set, edits), (res) => {
      const after = res.ok ? res.value : null;
      return after === null ? null : (list) => replaceOne(list, filter, after);
    });
  }

  updateMany(filter: Filter<T>, set: Partial<Omit<T, 'workspaceId'>>): Promise<number> {
    return this.write(this.confined(filter, set), () => this.inner.updateMany(filter, set));
  }

  delete(filter: Filter<T>): Promise<number> {
    return this.write(this.partition(filter), () => this.inner.delete(filter));
  }
}
