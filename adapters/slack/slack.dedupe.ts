/**
 * Events API deliveries seen, so a retried event (X-Slack-Retry-Num) is processed once,
 * however many web replicas receive its copies: the first insert of an event id wins on a
 * unique key in MongoDB. Receipts expire after a day (Slack retries within minutes), by a
 * TTL index where the server has one and by an occasional sweep where it has not.
 */
import type { Connection } from 'mongoose';

interface Receipt {
  _id: string;
  at: Date;
}

export class EventReceipts {
  private inserts = 0;

  constructor(
    private readonly connection: Connection,
    private readonly ttlSeconds = 86_400,
  ) {}

  private get collection() {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    return db.collection<Receipt>('slack_event_receipts');
  }

  async init(): Promise<void> {
    await this.collection.createIndex({ at: 1 }, { expireAfterSeconds: this.ttlSeconds }).catch(() => undefined);
  }

  /** True the first time an event id is seen; false for every later copy. */
  async firstTime(eventId: string): Promise<boolean> {
    try {
      await this.collection.insertOne({ _id: eventId.slice(0, 100), at: new Date() });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
    if (++this.inserts % 500 === 0) {
      await this.collection.deleteMany({ at: { $lt: new Date(Date.now() - this.ttlSeconds * 1000) } }).catch(() => undefined);
    }
    return true;
  }
}
