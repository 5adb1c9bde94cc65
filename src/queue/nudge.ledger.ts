/**
 * The nudge ledger in MongoDB: the record of what was delivered, which the sweeper trusts
 * and which makes a retried, duplicated or recovered job deliver once. Every write is an
 * insert against the unique `(workspaceId, key)` index, so the database arbitrates races.
 *
 * A nudge `K` has up to three kinds of entry:
 * - `K#done` — delivered (`claimedAt` says when); `attempts` is how many claims it took;
 * - `K` with `attempts` 0 — settled without sending (already past when its task got its
 *   date, or nudges off);
 * - `K#to:<recipient>` — one recipient already has it, written only when a delivery to
 *   several people fails part-way, so the retry skips them.
 *
 * Who is sending a nudge right now is a claim in Redis (see nudge.claims.ts): it keeps two
 * live workers from sending at once and expires by itself when a worker dies. An attempt
 * that is not the first reads the ledger before sending, since an earlier one may have
 * delivered and died before saying so.
 *
 * Guarantee: a nudge is sent at least once (a crash between claim and delivery leaves a
 * claim that expires and is taken over), and at most once except when a process dies
 * between the chat platform accepting a message and `K#done` being written — a window of
 * one round trip, in which the retry sends it again. The key travels with the message
 * (`Notifier.send` meta) so an adapter that can deduplicate closes that window too.
 */
import type { NudgeRecord, Store, WorkspaceData } from '../core/ports.js';
import { catchUpHorizon, type Nudge } from '../core/nudges/nudge.policy.js';
import { recipientOfKey, sentToKey } from '../core/nudges/nudge.recipients.js';
import { ledgerCollection, ledgerWriterFor, type LedgerCollection, type LedgerWriter } from './ledger.writer.js';
import type { NudgeClaims } from './nudge.claims.js';

const DONE = '#done';
/**
 * How long ledger records are kept, from when they were written. Longer than the catch-up
 * horizon (CATCH_UP_DAYS) with room to spare: a nudge the sweeper could still send was
 * due within that horizon, so any record of it is younger than this.
 */
export const LEDGER_KEEP_DAYS = 60;

/** Keys asked about in one `$in` query. */
const CHUNK = 400;

/** The nudge a record shows needs nothing more (delivered, or settled without sending), or null. */
function settledKey(e: Pick<NudgeRecord, 'key' | 'attempts'>): string | null {
  if (e.key.endsWith(DONE)) return e.key.slice(0, -DONE.length);
  return e.attempts === 0 ? e.key : null;
}

/**
 * From when settled records matter to a sweep or a workspace-wide sync at `now`: nudges
 * due within the catch-up horizon or later, with a day's margin.
 */
export function settledSince(now: Date): Date {
  return new Date(catchUpHorizon(now).getTime() - 86_400_000);
}

export type Claim =
  | { kind: 'mine'; attempts: number; claimedAt: Date; token: string }
  | { kind: 'settled' }
  | { kind: 'busy'; retryAt: Date };

export class NudgeLedger {
  private readonly writer: LedgerWriter;
  /** settledKeys questions gathering in this turn of the event loop. */
  private readonly asked: { workspaceId: string; keys: readonly string[]; resolve(s: Set<string>): void; reject(e: unknown): void }[] = [];

  constructor(
    private readonly store: Store,
    /** Claims in Redis; only the workers that deliver need them. */
    private readonly claims?: NudgeClaims,
    writer?: LedgerWriter,
  ) {
    this.writer = writer ?? ledgerWriterFor(store);
  }

  private data(workspaceId: string): WorkspaceData {
    return this.store.scoped(workspaceId);
  }

  private record(n: Pick<Nudge, 'dueAt'>, key: string, now: Date, attempts: number): Omit<NudgeRecord, 'workspaceId'> {
    return { key, dueAt: n.dueAt, claimedAt: now, attempts };
  }

  private claimsOrThrow(): NudgeClaims {
    if (!this.claims) throw new Error('this ledger was made without claims: only workers deliver');
    return this.claims;
  }

  /**
   * Claims a nudge for delivery. `mine` when this caller may send it (first claim, or
   * taking over an expired one); `settled` when it was delivered or settled already; `busy`
   * when another worker's claim is still live.
   */
  async claim(workspaceId: string, n: Nudge, now: Date): Promise<Claim> {
    const claims = this.claimsOrThrow();
    const c = await claims.claim(workspaceId, n.key);
    if (c.kind === 'done') return { kind: 'settled' };
    if (c.kind === 'busy') return { kind: 'busy', retryAt: new Date(now.getTime() + c.retryInMs) };
    if (c.attempts > 1 && (await this.settledKeys(workspaceId, [n.key])).has(n.key)) {
      await claims.done(workspaceId, [n.key]);
      return { kind: 'settled' };
    }
    return { kind: 'mine', attempts: c.attempts, claimedAt: now, token: c.token };
  }

  /** Records delivery. False when someone else recorded it first (a duplicate was sent). */
  async delivered(workspaceId: string, n: Nudge, now: Date, attempts: number): Promise<boolean> {
    // The claim is left to expire rather than replaced by a done mark: one Redis command
    // less per nudge, and any later attempt counts as a retry, which reads this record first.
    return (await this.writer.insert(workspaceId, this.record(n, n.key + DONE, now, attempts))) === 'ok';
  }

  /**
   * Marks delivered nudges finished in Redis, so a job that runs again for them while their
   * claims would still be live ends at once instead of waiting the claims out.
   */
  async closeClaims(workspaceId: string, keys: readonly string[]): Promise<void> {
    await this.claims?.done(workspaceId, keys);
  }

  /** Settles nudges that will not be sent. */
  async settle(workspaceId: string, nudges: readonly Nudge[], now: Date): Promise<void> {
    await Promise.all(nudges.map((n) => this.writer.insert(workspaceId, this.record(n, n.key, now, 0))));
    await this.claims?.done(workspaceId, nudges.map((n) => n.key));
  }

  /** Lets a failed delivery be retried at once instead of waiting for the claim to expire. */
  async release(workspaceId: string, n: Nudge, claim: { token: string }): Promise<void> {
    await this.claimsOrThrow().release(workspaceId, n.key, claim.token);
  }

  /** Notes recipients who already have a nudge whose delivery to others failed. */
  async sentTo(workspaceId: string, n: Nudge, recipients: readonly string[], now: Date): Promise<void> {
    await Promise.all(recipients.map((r) => this.writer.insert(workspaceId, this.record(n, sentToKey(n.key, r), now, 1))));
  }

  /** Recipients a previous attempt already reached. */
  async alreadySent(workspaceId: string, n: Nudge, recipients: readonly string[]): Promise<Set<string>> {
    if (recipients.length === 0) return new Set();
    const found = await this.data(workspaceId).nudges.find({ key: { in: recipients.map((r) => sentToKey(n.key, r)) } });
    return new Set(found.map((e) => recipientOfKey(e.key)).filter((r): r is string => r !== null));
  }

  /**
   * Keys among `keys` that need nothing more: delivered, or settled without sending. With
   * the MongoDB store, the questions asked in one turn of the event loop (the workspaces of a
   * sweep checking their late nudges again, together) go as one query naming them all: on
   * FerretDB each query scans every workspace's records, whatever its filter.
   */
  settledKeys(workspaceId: string, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return Promise.resolve(new Set());
    const collection = ledgerCollection(this.store);
    if (!collection || typeof workspaceId !== 'string' || workspaceId === '') return this.settledKeysOf(workspaceId, keys);
    return new Promise<Set<string>>((resolve, reject) => {
      this.asked.push({ workspaceId, keys, resolve, reject });
      if (this.asked.length === 1) setImmediate(() => void this.askTogether(collection));
    });
  }

  private async askTogether(collection: LedgerCollection): Promise<void> {
    const asked = this.asked.splice(0);
    try {
      const settled = new Map<string, Set<string>>();
      const pairs = asked.flatMap((a) => a.keys.map((key) => ({ workspaceId: a.workspaceId, key })));
      for (let i = 0; i < pairs.length; i += CHUNK) {
        const chunk = pairs.slice(i, i + CHUNK);
        const ids = [...new Set(chunk.map((p) => p.workspaceId))];
        const keys = [...new Set(chunk.map((p) => p.key))];
        const records = await collection.find({ workspaceId: { $in: ids }, key: { $in: [...keys, ...keys.map((k) => k + DONE)] } }, { projection: { workspaceId: 1, key: 1, attempts: 1, _id: 0 } }).toArray();
        for (const e of records) {
          const k = settledKey(e);
          if (k === null) continue;
          const set = settled.get(e.workspaceId) ?? new Set<string>();
          settled.set(e.workspaceId, set.add(k));
        }
      }
      for (const a of asked) a.resolve(new Set(a.keys.filter((k) => settled.get(a.workspaceId)?.has(k))));
    } catch (err) {
      for (const a of asked) a.reject(err);
    }
  }

  /** settledKeys through the store's scoped collections, a query per chunk of keys. */
  private async settledKeysOf(workspaceId: string, keys: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const data = this.data(workspaceId);
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      for (const e of await data.nudges.find({ key: { in: [...chunk, ...chunk.map((k) => k + DONE)] } })) {
        const k = settledKey(e);
        if (k !== null) out.add(k);
      }
    }
    return out;
  }

  /**
   * What each of these workspaces' ledgers holds as settled, for nudges due since `since`
   * (see settledSince). A sweep needs every workspace's, and on FerretDB each query scans the
   * whole ledger whatever its filter, so with the MongoDB store it is one query naming every
   * workspace rather than one per workspace.
   */
  async settledByWorkspace(workspaceIds: readonly string[], since: Date): Promise<Map<string, Set<string>>> {
    const ids = workspaceIds.filter((id) => typeof id === 'string' && id !== '');
    const out = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
    if (ids.length === 0) return out;
    const collection = ledgerCollection(this.store);
    const records = collection
      ? await collection.find({ workspaceId: { $in: ids }, dueAt: { $gte: since } }, { projection: { workspaceId: 1, key: 1, attempts: 1, _id: 0 } }).toArray()
      : (await Promise.all(ids.map((id) => this.data(id).nudges.find({ dueAt: { gte: since } })))).flat();
    for (const e of records) {
      const k = settledKey(e);
      if (k !== null) out.get(e.workspaceId)?.add(k);
    }
    return out;
  }

  /**
   * Deletes these workspaces' records written more than LEDGER_KEEP_DAYS before `now` (they
   * name the people a nudge reached, and every sweep reads the ledger). Returns how many
   * went. Like settledByWorkspace, one query for every workspace with the MongoDB store.
   */
  async purge(workspaceIds: readonly string[], now: Date): Promise<number> {
    const ids = workspaceIds.filter((id) => typeof id === 'string' && id !== '');
    if (ids.length === 0) return 0;
    const before = new Date(now.getTime() - LEDGER_KEEP_DAYS * 86_400_000);
    const collection = ledgerCollection(this.store);
    if (collection) return (await collection.deleteMany({ workspaceId: { $in: ids }, claimedAt: { $lt: before } })).deletedCount ?? 0;
    let deleted = 0;
    for (const id of ids) deleted += await this.data(id).nudges.delete({ claimedAt: { lt: before } });
    return deleted;
  }

  /** Delivered entries (for reports and tests): key → attempts it took. */
  async deliveries(workspaceId: string): Promise<Map<string, { attempts: number; deliveredAt: Date }>> {
    const entries = await this.data(workspaceId).nudges.find({ attempts: { gte: 1 } });
    const out = new Map<string, { attempts: number; deliveredAt: Date }>();
    for (const e of entries) {
      if (e.key.endsWith(DONE)) out.set(e.key.slice(0, -DONE.length), { attempts: e.attempts, deliveredAt: e.claimedAt });
    }
    return out;
  }
}
