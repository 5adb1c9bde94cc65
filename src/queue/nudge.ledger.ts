/**
 * The nudge ledger in MongoDB: what makes a retried, duplicated or recovered job deliver
 * once. Every write is an insert against the unique `(workspaceId, key)` index, so the
 * database arbitrates every race.
 *
 * A nudge `K` has up to three kinds of entry:
 * - `K` — the claim: a worker is delivering it (`attempts` ≥ 1), or it was settled
 *   without sending (`attempts` 0: already past when its task got its date, or nudges off);
 * - `K#done` — delivered (`deliveredAt`); `attempts` is how many claims it took;
 * - `K#to:<recipient>` — one recipient already has it, written only when a delivery to
 *   several people fails part-way, so the retry skips them.
 *
 * Delivery is recorded by a second insert rather than by updating the claim because
 * inserts are the one write every supported MongoDB server does by index; FerretDB's
 * SQLite backend rewrites an update by scanning the collection, which a ledger growing
 * by every nudge cannot afford on the hot path.
 *
 * Guarantee: a nudge is sent at least once (a crash between claim and delivery leaves a
 * claim that goes stale and is taken over), and at most once except when a process dies
 * between the chat platform accepting a message and `K#done` being written — a window of
 * one round trip, in which the retry sends it again. The key travels with the message
 * (`Notifier.send` meta) so an adapter that can deduplicate closes that window too.
 */
import type { NudgeRecord, Store, WorkspaceData } from '../core/ports.js';
import type { Nudge } from '../core/nudges/nudge.policy.js';
import { ledgerWriterFor, type LedgerWriter } from './ledger.writer.js';

const DONE = '#done';
const TO = '#to:';

export type Claim =
  | { kind: 'mine'; attempts: number; claimedAt: Date }
  | { kind: 'settled' }
  | { kind: 'busy'; retryAt: Date };

export class NudgeLedger {
  private readonly writer: LedgerWriter;

  constructor(
    private readonly store: Store,
    /** A claim older than this is presumed abandoned by a dead process. */
    readonly claimTtlMs: number,
    writer?: LedgerWriter,
  ) {
    this.writer = writer ?? ledgerWriterFor(store);
  }

  private data(workspaceId: string): WorkspaceData {
    return this.store.scoped(workspaceId);
  }

  private record(n: Pick<Nudge, 'kind' | 'subject' | 'dueAt'>, key: string, now: Date, attempts: number, delivered?: Date): Omit<NudgeRecord, 'workspaceId'> {
    return { key, kind: n.kind, subject: n.subject, dueAt: n.dueAt, claimedAt: now, attempts, ...(delivered ? { deliveredAt: delivered } : {}) };
  }

  /**
   * Claims a nudge for delivery. `mine` when this caller may send it (first claim, or
   * taking over a stale one); `settled` when it was delivered or settled already; `busy`
   * when another worker's claim is still fresh.
   */
  async claim(workspaceId: string, n: Nudge, now: Date): Promise<Claim> {
    const data = this.data(workspaceId);
    if ((await this.writer.insert(workspaceId, this.record(n, n.key, now, 1))) === 'ok') return { kind: 'mine', attempts: 1, claimedAt: now };
    const entries = await data.nudges.find({ key: { in: [n.key, n.key + DONE] } });
    const claim = entries.find((e) => e.key === n.key);
    if (entries.some((e) => e.key === n.key + DONE) || !claim || claim.attempts === 0) return { kind: 'settled' };
    const staleAt = claim.claimedAt.getTime() + this.claimTtlMs;
    if (staleAt > now.getTime()) return { kind: 'busy', retryAt: new Date(staleAt) };
    // Compare-and-set on the claim time: of several takers only one moves it.
    const taken = await data.nudges.update({ key: n.key, claimedAt: claim.claimedAt, attempts: claim.attempts }, { claimedAt: now }, { inc: { attempts: 1 } });
    if (taken.ok && taken.value) return { kind: 'mine', attempts: taken.value.attempts, claimedAt: now };
    return { kind: 'busy', retryAt: new Date(now.getTime() + this.claimTtlMs) };
  }

  /** Records delivery. False when someone else recorded it first (a duplicate was sent). */
  async delivered(workspaceId: string, n: Nudge, now: Date, attempts: number): Promise<boolean> {
    return (await this.writer.insert(workspaceId, this.record(n, n.key + DONE, now, attempts, now))) === 'ok';
  }

  /** Settles nudges that will not be sent, unless a worker claimed them first. */
  async settle(workspaceId: string, nudges: readonly Nudge[], now: Date): Promise<void> {
    await Promise.all(nudges.map((n) => this.writer.insert(workspaceId, this.record(n, n.key, now, 0))));
  }

  /** Lets a failed delivery be retried at once instead of waiting for the claim to go stale. */
  async release(workspaceId: string, n: Nudge, claimedAt: Date): Promise<void> {
    await this.data(workspaceId).nudges.update({ key: n.key, claimedAt }, { claimedAt: new Date(0) });
  }

  /** Notes recipients who already have a nudge whose delivery to others failed. */
  async sentTo(workspaceId: string, n: Nudge, recipients: readonly string[], now: Date): Promise<void> {
    await Promise.all(recipients.map((r) => this.writer.insert(workspaceId, this.record(n, `${n.key}${TO}${r}`, now, 1, now))));
  }

  /** Recipients a previous attempt already reached. */
  async alreadySent(workspaceId: string, n: Nudge, recipients: readonly string[]): Promise<Set<string>> {
    if (recipients.length === 0) return new Set();
    const found = await this.data(workspaceId).nudges.find({ key: { in: recipients.map((r) => `${n.key}${TO}${r}`) } });
    return new Set(found.map((e) => e.key.slice(n.key.length + TO.length)));
  }

  /** Keys among `keys` that need nothing more: delivered, or settled without sending. */
  async settledKeys(workspaceId: string, keys: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const data = this.data(workspaceId);
    for (let i = 0; i < keys.length; i += 400) {
      const chunk = keys.slice(i, i + 400);
      const entries = await data.nudges.find({ key: { in: [...chunk, ...chunk.map((k) => k + DONE)] } });
      for (const e of entries) {
        if (e.key.endsWith(DONE)) out.add(e.key.slice(0, -DONE.length));
        else if (e.attempts === 0) out.add(e.key);
      }
    }
    return out;
  }

  /** Delivered entries (for reports and tests): key → attempts it took. */
  async deliveries(workspaceId: string): Promise<Map<string, { attempts: number; deliveredAt: Date }>> {
    const entries = await this.data(workspaceId).nudges.find({ deliveredAt: { exists: true } });
    const out = new Map<string, { attempts: number; deliveredAt: Date }>();
    for (const e of entries) {
      if (e.key.endsWith(DONE) && e.deliveredAt) out.set(e.key.slice(0, -DONE.length), { attempts: e.attempts, deliveredAt: e.deliveredAt });
    }
    return out;
  }
}
