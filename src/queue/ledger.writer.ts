/**
 * How ledger entries are inserted. Every nudge delivered costs two inserts, and when many
 * come due together (Monday 09:00 in every workspace) they arrive by the thousand, so the
 * worker gathers the inserts made in the same tick of the event loop into one unordered
 * `insertMany`: the unique index still judges each entry on its own, and the database
 * commits once per batch instead of once per entry.
 */
import type { NudgeRecord, Store } from '../core/ports.js';
import { InsertBatcher, type BulkCollection, type InsertOutcome } from '../store/insert.batcher.js';

export type { InsertOutcome };

export interface LedgerWriter {
  insert(workspaceId: string, doc: Omit<NudgeRecord, 'workspaceId'>): Promise<InsertOutcome>;
}

/** One insert per entry through the store's scoped collections. */
export class PortLedgerWriter implements LedgerWriter {
  constructor(private readonly store: Store) {}

  async insert(workspaceId: string, doc: Omit<NudgeRecord, 'workspaceId'>): Promise<InsertOutcome> {
    const res = await this.store.scoped(workspaceId).nudges.insert(doc);
    if (res.ok) return 'ok';
    if (res.error === 'duplicate') return 'duplicate';
    throw new Error(`nudge ledger refused ${doc.key}: ${res.message}`);
  }
}

/**
 * Coalesces inserts into unordered batches (see src/store/insert.batcher.ts). Each entry is
 * built here with its workspace, so the batch is as scoped as the single inserts it replaces.
 */
export class BatchLedgerWriter implements LedgerWriter {
  private readonly batcher: InsertBatcher<NudgeRecord>;

  constructor(collection: BulkCollection<NudgeRecord>, maxBatch = 1_000, maxInFlight = 4) {
    this.batcher = new InsertBatcher(collection, maxBatch, maxInFlight);
  }

  insert(workspaceId: string, doc: Omit<NudgeRecord, 'workspaceId'>): Promise<InsertOutcome> {
    if (typeof workspaceId !== 'string' || workspaceId === '') return Promise.reject(new Error('a workspace id is required'));
    return this.batcher.insert({ ...doc, workspaceId });
  }
}

/** The slice of the MongoDB driver's ledger collection used past the port: batched inserts, reads and purges across workspaces. */
export interface LedgerCollection extends BulkCollection<NudgeRecord> {
  find(filter: object, options: { projection: object }): { toArray(): Promise<Pick<NudgeRecord, 'workspaceId' | 'key' | 'attempts'>[]> };
  deleteMany(filter: object): Promise<{ deletedCount?: number }>;
}

/** The ledger's driver collection when the store is the MongoDB one (it exposes its connection). */
export function ledgerCollection(store: Store): LedgerCollection | undefined {
  const collection = (store as { connection?: { models?: Record<string, { collection?: LedgerCollection }> } }).connection?.models?.NudgeRecord?.collection;
  return collection && typeof collection.insertMany === 'function' && typeof collection.find === 'function' && typeof collection.deleteMany === 'function' ? collection : undefined;
}

/** The batch writer when the store is the MongoDB one, else single inserts through the port. */
export function ledgerWriterFor(store: Store): LedgerWriter {
  const collection = ledgerCollection(store);
  return collection ? new BatchLedgerWriter(collection) : new PortLedgerWriter(store);
}
