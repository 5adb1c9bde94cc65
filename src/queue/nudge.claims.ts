/**
 * Who is delivering a nudge right now: a short-lived claim in Redis, taken by the worker
 * about to send it. Claims only keep two live workers from sending the same nudge at once
 * (a job handed to another worker while its first worker was slow, a retry racing its
 * original); whether a nudge was delivered is recorded in MongoDB's ledger, which the
 * sweeper trusts. A claim expires on its own when its worker dies, so the next attempt
 * takes it over without a compare-and-set, and the number of claims taken tells that
 * attempt to look in the ledger for what the previous one already did.
 *
 * A delivered nudge's claim simply expires; the attempt count outlives it for weeks, so a
 * job queued again for that nudge counts as a retry and reads the ledger before sending. A
 * nudge settled without sending gets a `done` mark instead, so a job already queued for it
 * ends at once. Marks and counts are shortcuts, not the record: if Redis loses them
 * (flushed), the sweeper consults MongoDB before queueing anything again.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ClaimState =
  | { kind: 'mine'; attempts: number; token: string }
  | { kind: 'done' }
  | { kind: 'busy'; retryInMs: number };

/** How long the done mark and the attempt count outlive a nudge. */
const KEEP_MS = 35 * 86_400_000;

// KEYS: claim, attempts. ARGV: token, claim TTL (ms), keep (ms).
// Returns {-1} when done, {-2, pttl} when another worker holds it, {attempts} when taken.
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v == 'done' then return {-1, 0} end
if v then return {-2, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local a = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {a, 0}
`;

// KEYS: claim. ARGV: token. Deletes the claim only if it is still this token's.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type Scripted = Redis & {
  nudgeClaim(claim: string, attempts: string, token: string, ttlMs: number, keepMs: number): Promise<[number, number]>;
  nudgeRelease(claim: string, token: string): Promise<number>;
};

/** Tells this process's claim tokens from every other process's. */
const PROCESS_ID = randomBytes(8).toString('hex');

export class NudgeClaims {
  private readonly redis: Scripted;
  private taken = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    /** A claim lasts this long unless its worker finishes first. */
    readonly ttlMs: number,
  ) {
    redis.defineCommand('nudgeClaim', { numberOfKeys: 2, lua: CLAIM });
    redis.defineCommand('nudgeRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as Scripted;
  }

  /** Both keys of a nudge hash to one slot (`{…}`), for Redis Cluster. */
  private keys(workspaceId: string, key: string): [string, string] {
    const tag = `{${workspaceId}|${key}}`;
    return [`${this.prefix}:claim:${tag}`, `${this.prefix}:claim-n:${tag}`];
  }

  async claim(workspaceId: string, key: string): Promise<ClaimState> {
    const [claimKey, attemptsKey] = this.keys(workspaceId, key);
    const token = `${PROCESS_ID}:${++this.taken}`;
    const [code, pttl] = await this.redis.nudgeClaim(claimKey, attemptsKey, token, this.ttlMs, KEEP_MS);
    if (code === -1) return { kind: 'done' };
    if (code === -2) return { kind: 'busy', retryInMs: Math.max(50, Number(pttl)) };
    return { kind: 'mine', attempts: Number(code), token };
  }

  /** Lets another attempt start at once (after a failed send). */
  async release(workspaceId: string, key: string, token: string): Promise<void> {
    await this.redis.nudgeRelease(this.keys(workspaceId, key)[0], token);
  }

  /** Marks the nudge delivered or settled; best effort, since MongoDB holds the record. */
  async done(workspaceId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const batch = this.redis.pipeline();
    // The attempt count is left to expire: it no longer matters once the mark is there.
    for (const key of keys) batch.set(this.keys(workspaceId, key)[0], 'done', 'PX', KEEP_MS);
    await batch.exec().catch(() => undefined);
  }
}
