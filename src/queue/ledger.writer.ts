/**
 * How ledger entries are inserted. Every nudge delivered costs two inserts, and when many
 * come due together (Monday 09:00 in every workspace) they arrive by the thousand, so the
 * worker gathers the inserts made in the same tick of the event loop into one unordered
 * `insertMany`: the unique index still judges each entry on its own, and the database
 * commits once per batch instead of once per entry.
 */
import type { NudgeRecord, Store } from '../core/ports.js';

export type InsertOutcome = 'ok' | 'duplicate';

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

/** The slice of the MongoDB driver's collection the batch writer needs. */
export interface BulkCollection {
  insertMany(docs: NudgeRecord[], options: { ordered: false }): Promise<unknown>;
}

interface Pending {
  doc: NudgeRecord;
  resolve(outcome: InsertOutcome): void;
  reject(err: unknown): void;
}

function writeErrors(err: unknown): { index: number; code: number }[] | null {
  const list = (err as { writeErrors?: unknown }).writeErrors;
  if (!list) return null;
  const arr = Array.isArray(list) ? list : [list];
  return arr.map((e) => ({ index: Number((e as { index?: unknown }).index), code: Number((e as { code?: unknown }).code) }));
}

/**
 * Coalesces inserts into unordered batches. Each entry is built here with its workspace,
 * so the batch is as scoped as the single inserts it replaces.
 */
export class BatchLedgerWriter implements LedgerWriter {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly collection: BulkCollection,
    private readonly maxBatch = 1_000,
  ) {}

  insert(workspaceId: string, doc: Omit<NudgeRecord, 'workspaceId'>): Promise<InsertOutcome> {
    if (typeof workspaceId !== 'string' || workspaceId === '') return Promise.reject(new Error('a workspace id is required'));
    return new Promise<InsertOutcome>((resolve, reject) => {
      this.pending.push({ doc: { ...doc, workspaceId }, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.collection.insertMany(batch.map((p) => ({ ...p.doc })), { ordered: false }).then(
      () => {
        for (const p of batch) p.resolve('ok');
      },
      (err: unknown) => {
        const errors = writeErrors(err);
        if (!errors) {
          for (const p of batch) p.reject(err);
          return;
        }
        const failed = new Map(errors.map((e) => [e.index, e.code]));
        batch.forEach((p, i) => {
          const code = failed.get(i);
          if (code === undefined) p.resolve('ok');
          else if (code === 11000) p.resolve('duplicate');
          else p.reject(err);
        });
      },
    );
  }
}

/**
 * The batch writer when the store is the MongoDB one (it exposes its connection), else
 * single inserts through the port.
 */
export function ledgerWriterFor(store: Store): LedgerWriter {
  const models = (store as { connection?: { models?: Record<string, { collection?: BulkCollection }> } }).connection?.models;
  const collection = models?.NudgeRecord?.collection;
  return collection && typeof collection.insertMany === 'function' ? new BatchLedgerWriter(collection) : new PortLedgerWriter(store);
}
