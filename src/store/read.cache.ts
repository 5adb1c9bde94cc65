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
import type { Collection, Filter, FindOptions, WriteResult, ArrayEdits } from '../core/ports.js';
import type { RevisionBoard } from './revisions.js';

export interface ReadCacheOptions {
  /** Most results kept. @defaultValue 5000 */
  maxEntries?: number;
  /** Oldest copy served even with an unchanged token (bounds the cost of a lost token change). @defaultValue 30000 */
  maxAgeMs?: number;
  /** Told of every read: its collection, and whether it was served from memory. */
  observe?: (collection: string, result: 'hit' | 'miss' | 'bypass') => void;
}

interface Entry {
  token: string;
  at: number;
  value: Promise<unknown>;
}

/** Longest query description cached; longer ones (huge `in` lists) go to the database. */
const MAX_KEY = 2_000;

export interface ReadCacheStats {
  hits: number;
  misses: number;
  bypassed: number;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly observe: NonNullable<ReadCacheOptions['observe']>;
  readonly stats: ReadCacheStats = { hits: 0, misses: 0, bypassed: 0 };

  constructor(readonly board: RevisionBoard, opts: ReadCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 5_000;
    this.maxAgeMs = opts.maxAgeMs ?? 30_000;
    this.observe = opts.observe ?? (() => undefined);
    board.onLost(() => this.clear());
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * The value of `load()` for this query, shared with other callers while the collection's
   * token is unchanged. The result is shared: callers must copy it before handing it on.
   */
  async read<V>(workspaceId: string, names: readonly string[], query: string, load: () => Promise<V>): Promise<V> {
    const collection = (names[0] ?? '').split('/')[0] as string;
    if (query.length > MAX_KEY) {
      this.stats.bypassed++;
      this.observe(collection, 'bypass');
      return load();
    }
    const tokens = await this.board.tokens(workspaceId, names);
    if (!tokens) {
      this.stats.bypassed++;
      this.observe(collection, 'bypass');
      return load();
    }
    const token = tokens.join('|');
    const key = `${workspaceId}\u0000${names[0] ?? ''}\u0000${query}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.token === token && now - hit.at < this.maxAgeMs) {
      this.stats.hits++;
      this.observe(collection, 'hit');
      // Most recently used last, so eviction takes the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as Promise<V>;
    }
    this.stats.misses++;
    this.observe(collection, 'miss');
    // A real promise, awaited by every sharer (a mongoose query is a thenable that runs once).
    const value = Promise.resolve().then(load);
    const entry: Entry = { token, at: now, value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
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
  ) {}

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

  private read<V>(query: string, filter: unknown, load: () => Promise<V>): Promise<V> {
    return this.cache.read(this.workspaceId, this.readTokens(filter), query, load);
  }

  async findOne(filter: Filter<T>): Promise<T | null> {
    return copyData(await this.read(describe('one', filter), filter, () => this.inner.findOne(filter)));
  }

  async find(filter: Filter<T>, opts: FindOptions = {}): Promise<T[]> {
    return copyData(await this.read(describe('find', filter, opts), filter, () => this.inner.find(filter, opts)));
  }

  count(filter: Filter<T>): Promise<number> {
    return this.read(describe('count', filter), filter, () => this.inner.count(filter));
  }

  private async write<R>(confinedTo: string | undefined, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } finally {
      await this.cache.changed(this.workspaceId, [this.name, confinedTo === undefined ? `${this.name}/*` : `${this.name}/${confinedTo}`]);
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
    return this.write(this.partition(doc), () => this.inner.insert(doc));
  }

  update(filter: Filter<T>, set: Partial<Omit<T, 'workspaceId'>>, edits?: ArrayEdits): Promise<WriteResult<T | null>> {
    return this.write(this.confined(filter, set, edits), () => this.inner.update(filter, set, edits));
  }

  updateMany(filter: Filter<T>, set: Partial<Omit<T, 'workspaceId'>>): Promise<number> {
    return this.write(this.confined(filter, set), () => this.inner.updateMany(filter, set));
  }

  delete(filter: Filter<T>): Promise<number> {
    return this.write(this.partition(filter), () => this.inner.delete(filter));
  }
}
