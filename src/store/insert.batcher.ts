/**
 * Inserts gathered into unordered batches. Records that are only ever appended (the audit
 * trail, the nudge ledger) arrive one per command or per job; under load, each sent alone
 * would cost the database a command and a commit. Here one batch is in flight at a time:
 * what arrives meanwhile waits and goes in the next `insertMany`, so batches grow with the
 * load and a quiet system still writes at once. Each caller learns its own record's fate:
 * the unique indexes judge every record alone.
 */

export type InsertOutcome = 'ok' | 'duplicate';

/** The slice of the MongoDB driver's collection the batcher needs. */
export interface BulkCollection<D> {
  insertMany(docs: D[], options: { ordered: false }): Promise<unknown>;
}

interface Pending<D> {
  doc: D;
  resolve(outcome: InsertOutcome): void;
  reject(err: unknown): void;
}

function writeErrors(err: unknown): { index: number; code: number }[] | null {
  const list = (err as { writeErrors?: unknown }).writeErrors;
  if (!list) return null;
  const arr = Array.isArray(list) ? list : [list];
  return arr.map((e) => ({ index: Number((e as { index?: unknown }).index), code: Number((e as { code?: unknown }).code) }));
}

export class InsertBatcher<D> {
  private pending: Pending<D>[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly collection: BulkCollection<D>,
    private readonly maxBatch = 1_000,
    /** Batches in flight at once. */
    private readonly maxInFlight = 1,
  ) {}

  insert(doc: D): Promise<InsertOutcome> {
    return new Promise<InsertOutcome>((resolve, reject) => {
      this.pending.push({ doc, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    // After the current tick, so inserts made together go together.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.pending.length && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      this.send(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async send(batch: Pending<D>[]): Promise<void> {
    try {
      await this.collection.insertMany(batch.map((p) => p.doc), { ordered: false });
      for (const p of batch) p.resolve('ok');
    } catch (err) {
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
    }
  }
}
