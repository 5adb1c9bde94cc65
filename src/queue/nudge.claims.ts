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

// KEYS: claim and attempts of each nudge in turn. ARGV: claim TTL (ms), keep (ms), token
// prefix. For each nudge, two numbers: {-1, 0} when done, {-2, pttl} when another worker
// holds it, {attempts, n} when taken, with token `<prefix>:<n>`.
const CLAIM = `
local out = {}
local n = 0
for i = 1, #KEYS, 2 do
  local v = redis.call('GET', KEYS[i])
  if v == 'done' then
    out[#out + 1] = -1
    out[#out + 1] = 0
  elseif v then
    out[#out + 1] = -2
    out[#out + 1] = redis.call('PTTL', KEYS[i])
  else
    n = n + 1
    redis.call('SET', KEYS[i], ARGV[3] .. ':' .. n, 'PX', ARGV[1])
    out[#out + 1] = redis.call('INCR', KEYS[i + 1])
    out[#out + 1] = n
    redis.call('PEXPIRE', KEYS[i + 1], ARGV[2])
  end
end
return out
`;

// KEYS: claim. ARGV: token. Deletes the claim only if it is still this token's.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

// KEYS: claims. ARGV: keep (ms). Marks each nudge done.
const DONE = `
for i = 1, #KEYS do redis.call('SET', KEYS[i], 'done', 'PX', ARGV[1]) end
return #KEYS
`;

type Scripted = Redis & {
  nudgeClaim(...args: (string | number)[]): Promise<number[]>;
  nudgeRelease(claim: string, token: string): Promise<number>;
  nudgeDone(...args: (string | number)[]): Promise<number>;
};

/** Most nudges claimed in one script call (each names two keys). */
const MAX_BATCH = 500;

interface Waiting {
  key: string;
  resolve(state: ClaimState): void;
  reject(err: unknown): void;
}

/** Tells this process's claim tokens from every other process's. */
const PROCESS_ID = randomBytes(8).toString('hex');

/**
 * Claims asked for in the same turn of the event loop go to Redis together, one script call
 * per workspace: a slot job claims hundreds of nudges at once, and a command each would cost
 * the worker more than the nudges' own work.
 */
export class NudgeClaims {
  private readonly redis: Scripted;
  private batches = 0;
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    /** A claim lasts this long unless its worker finishes first. */
    readonly ttlMs: number,
  ) {
    redis.defineCommand('nudgeClaim', { lua: CLAIM });
    redis.defineCommand('nudgeRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('nudgeDone', { lua: DONE });
    this.redis = redis as Scripted;
  }

  /** A workspace's claim keys share one hash slot (`{workspace}`), so a batch is one script call on Redis Cluster too. */
  private keys(workspaceId: string, key: string): [string, string] {
    const tag = `{${workspaceId}}`;
    return [`${this.prefix}:claim:${tag}:${key}`, `${this.prefix}:claim-n:${tag}:${key}`];
  }

  claim(workspaceId: string, key: string): Promise<ClaimState> {
    return new Promise<ClaimState>((resolve, reject) => {
      const list = this.waiting.get(workspaceId);
      if (list) list.push({ key, resolve, reject });
      else this.waiting.set(workspaceId, [{ key, resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = new Map();
    for (const [workspaceId, list] of waiting) {
      for (let i = 0; i < list.length; i += MAX_BATCH) void this.send(workspaceId, list.slice(i, i + MAX_BATCH));
    }
  }

  private async send(workspaceId: string, batch: Waiting[]): Promise<void> {
    const args: (string | number)[] = [batch.length * 2];
    for (const w of batch) args.push(...this.keys(workspaceId, w.key));
    const prefix = `${PROCESS_ID}:${++this.batches}`;
    args.push(this.ttlMs, KEEP_MS, prefix);
    let out: number[];
    try {
      out = await this.redis.nudgeClaim(...args);
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const code = Number(out[2 * i]);
      const extra = Number(out[2 * i + 1]);
      if (code === -1) w.resolve({ kind: 'done' });
      else if (code === -2) w.resolve({ kind: 'busy', retryInMs: Math.max(50, extra) });
      else w.resolve({ kind: 'mine', attempts: code, token: `${prefix}:${extra}` });
    });
  }

  /** Lets another attempt start at once (after a failed send). */
  async release(workspaceId: string, key: string, token: string): Promise<void> {
    await this.redis.nudgeRelease(this.keys(workspaceId, key)[0], token);
  }

  /** Marks the nudges delivered or settled; best effort, since MongoDB holds the record. */
  async done(workspaceId: string, keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += MAX_BATCH) {
      const chunk = keys.slice(i, i + MAX_BATCH);
      // The attempt count is left to expire: it no longer matters once the mark is there.
      await this.redis.nudgeDone(chunk.length, ...chunk.map((k) => this.keys(workspaceId, k)[0]), KEEP_MS).catch(() => undefined);
    }
  }
}
