/**
 * The one mechanism that scopes data to a workspace: a collection bound to a workspace id
 * adds it to every filter and every document, and turns the core's plain filters into
 * MongoDB queries without ever letting an operator come from data.
 */
import mongoose, { type Model } from 'mongoose';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the core's record types are checked at the port; mongoose's generic document types add nothing here
export type AnyModel = Model<any>;
import type { ArrayEdits, Collection, Filter, FindOptions, SharedReadOptions, WriteResult } from '../core/ports.js';
import type { InsertBatcher } from './insert.batcher.js';
import { groupKey, type ReadGroup } from './read.cache.js';

/** Documents per reply to a find: whole collections come back in a few replies, not in hundreds. */
const FIND_BATCH_SIZE = 5_000;

export class StoreError extends Error {
  readonly code = 'STORE_BAD_QUERY';
}

const ops = { in: '$in', ne: '$ne', lt: '$lt', lte: '$lte', gt: '$gt', gte: '$gte', exists: '$exists' } as const;
const fieldName = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && !Array.isArray(v);
}

function checkValue(v: unknown): unknown {
  if (isPlainObject(v)) throw new StoreError('a filter value must be plain data');
  if (Array.isArray(v)) return v.map(checkValue);
  return v;
}

/** Translates a core filter into a MongoDB filter for one workspace. */
export function toQuery(workspaceId: string, filter: Record<string, unknown>): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (!fieldName.test(key) || key === 'workspaceId') throw new StoreError(`bad filter field ${JSON.stringify(key)}`);
    if (isPlainObject(value)) {
      const entries = Object.entries(value);
      const [op, arg] = entries[0] ?? [];
      if (entries.length !== 1 || !op || !(op in ops)) throw new StoreError(`bad condition on ${key}`);
      // Operators built here are ours, so mark them trusted for sanitizeFilter.
      q[key] = mongoose.trusted({ [ops[op as keyof typeof ops]]: checkValue(arg) });
    } else {
      q[key] = checkValue(value);
    }
  }
  q.workspaceId = workspaceId;
  return q;
}

function checkSet(set: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(set)) {
    if (!fieldName.test(key) || key === 'workspaceId') throw new StoreError(`bad field ${JSON.stringify(key)}`);
  }
  return set;
}

/** Readable text for a mongoose validation error: "income: must be at least 0". */
export function describeValidation(err: unknown): string | null {
  if (err instanceof mongoose.Error.ValidationError) {
    return Object.values(err.errors)
      .map((e) => `${e.path}: ${friendly(e)}`)
      .join('; ');
  }
  if (err instanceof mongoose.Error.CastError) return `${err.path}: not a valid ${err.kind}`;
  return null;
}

function friendly(e: mongoose.Error.ValidatorError | mongoose.Error.CastError): string {
  if (e instanceof mongoose.Error.CastError) return `not a valid ${e.kind}`;
  const p = e.properties as { type?: string; maxlength?: number; minlength?: number; min?: number; max?: number; message?: string };
  switch (p.type) {
    case 'required': return 'is required';
    case 'maxlength': return `is too long (at most ${p.maxlength} characters)`;
    case 'minlength': return `is too short (at least ${p.minlength} characters)`;
    case 'min': return `must be at least ${p.min}`;
    case 'max': return `must be at most ${p.max}`;
    case 'enum': return 'is not one of the allowed values';
    case 'regexp': return 'has characters that are not allowed';
    default: return p.message ?? 'is not valid';
  }
}

function isDuplicate(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

function fail<T>(err: unknown): WriteResult<T> {
  if (isDuplicate(err)) return { ok: false, error: 'duplicate', message: 'that already exists' };
  const text = describeValidation(err);
  if (text) return { ok: false, error: 'invalid', message: text };
  throw err;
}

function stripRecord<T>(doc: unknown): T {
  if (!doc || typeof doc !== 'object') return doc as T;
  const { _id: _ignored, updatedAt: _u, ...rest } = doc as Record<string, unknown>;
  return rest as T;
}

export class ScopedCollection<T extends { workspaceId: string }> implements Collection<T> {
  constructor(
    private readonly model: AnyModel,
    readonly workspaceId: string,
    /** For append-only records: inserts are validated here and written in batches. */
    private readonly batcher?: InsertBatcher<Record<string, unknown>>,
  ) {}

  private q(filter: Filter<T>): Record<string, unknown> {
    return toQuery(this.workspaceId, filter as Record<string, unknown>);
  }

  async findOne(filter: Filter<T>): Promise<T | null> {
    const doc = await this.model.findOne(this.q(filter)).lean();
    return doc ? stripRecord<T>(doc) : null;
  }

  async find(filter: Filter<T>, opts: FindOptions = {}): Promise<T[]> {
    let query = this.model.find(this.q(filter)).batchSize(FIND_BATCH_SIZE);
    if (opts.sort) query = query.sort(opts.sort);
    if (opts.skip) query = query.skip(opts.skip);
    if (opts.limit) query = query.limit(opts.limit);
    const docs = await query.lean();
    return docs.map((d) => stripRecord<T>(d));
  }

  findShared(filter: Filter<T>, _opts?: SharedReadOptions): Promise<readonly T[]> {
    return this.find(filter);
  }

  /**
   * This collection whole, or whole partitions by `field`, for several workspaces in one
   * query (for the read cache's grouped reads; it names each workspace it reads), answered by
   * group. Records of a workspace and value that no group asked for are dropped.
   */
  async findGroups(groups: readonly ReadGroup[], field?: string): Promise<Map<string, T[]>> {
    const workspaceIds = [...new Set(groups.map((g) => g.workspaceId))];
    const values = [...new Set(groups.flatMap((g) => (g.value === undefined ? [] : [g.value])))];
    const byValue = field !== undefined && values.length > 0;
    const filter: Record<string, unknown> = { workspaceId: mongoose.trusted({ $in: workspaceIds }) };
    // Partitioned groups come in batches of their own (the cache never mixes the two).
    if (byValue) filter[field] = mongoose.trusted({ $in: values });
    const docs = await this.model.find(filter).batchSize(FIND_BATCH_SIZE).lean();
    const out = new Map<string, T[]>(groups.map((g) => [groupKey(g), []]));
    for (const d of docs as Record<string, unknown>[]) {
      const group = { workspaceId: d.workspaceId as string, ...(byValue ? { value: d[field] as string } : {}) };
      out.get(groupKey(group))?.push(stripRecord<T>(d));
    }
    return out;
  }

  count(filter: Filter<T>): Promise<number> {
    return this.model.countDocuments(this.q(filter)).exec();
  }

  async insert(doc: Omit<T, 'workspaceId'>): Promise<WriteResult<T>> {
    if (this.batcher) return this.batchedInsert(doc);
    try {
      const created = await this.model.create({ ...doc, workspaceId: this.workspaceId });
      return { ok: true, value: stripRecord<T>(created.toObject()) };
    } catch (err) {
      return fail(err);
    }
  }

  /** What `create` does (casting, defaults, validation, timestamps), with the write batched. */
  private async batchedInsert(doc: Omit<T, 'workspaceId'>): Promise<WriteResult<T>> {
    const created = new this.model({ ...doc, workspaceId: this.workspaceId });
    try {
      await created.validate();
    } catch (err) {
      return fail(err);
    }
    const raw = created.toObject({ depopulate: true }) as Record<string, unknown>;
    if (this.model.schema.get('timestamps')) {
      const now = new Date();
      raw.createdAt = now;
      raw.updatedAt = now;
    }
    const outcome = await this.batcher!.insert(raw);
    if (outcome === 'duplicate') return { ok: false, error: 'duplicate', message: 'that already exists' };
    return { ok: true, value: stripRecord<T>(raw) };
  }

  async update(filter: Filter<T>, set: Partial<Omit<T, 'workspaceId'>>, edits: ArrayEdits = {}): Promise<WriteResult<T | null>> {
    const update: Record<string, unknown> = {};
    if (Object.keys(set).length) update.$set = checkSet(set as Record<string, unknown>);
    if (edits.push) update.$push = checkSet(edits.push);
    if (edits.pull) update.$pull = checkSet(edits.pull);
    if (edits.addToSet) update.$addToSet = checkSet(edits.addToSet);
    if (edits.inc) update.$inc = checkSet(edits.inc);
    if (edits.unset?.length) update.$unset = checkSet(Object.fromEntries(edits.unset.map((k) => [k, 1])));
    try {
      const doc = await this.model
        .findOneAndUpdate(this.q(filter), update, { returnDocument: 'after', runValidators: true })
        .lean();
      return { ok: true, value: doc ? stripRecord<T>(doc) : null };
    } catch (err) {
      return fail(err);
    }
  }

  async updateMany(filter: Filter<T>, set: Partial<Omit<T, 'workspaceId'>>): Promise<number> {
    const res = await this.model.updateMany(this.q(filter), { $set: checkSet(set as Record<string, unknown>) }, { runValidators: true });
    return res.modifiedCount;
  }

  async delete(filter: Filter<T>): Promise<number> {
    const res = await this.model.deleteMany(this.q(filter));
    return res.deletedCount;
  }
}
