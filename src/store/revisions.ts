/**
 * Revision tokens: how every process learns that a workspace's records changed, so reads
 * can be served from memory without ever serving what a finished write replaced.
 *
 * Each (workspace, collection) has a token in Redis, a random string replaced by every
 * write after it reaches MongoDB. A cached read remembers the token it saw before it read
 * the database and is reused only while the token is unchanged, so a write in any process
 * (web replica or worker) invalidates every process's copies at once. Tokens are random,
 * never counters, so nothing can come back to an old value: not after a `FLUSHALL`, not
 * after the hash expires, not when two writers race.
 *
 * When Redis cannot be reached the board says "unknown" and callers read the database.
 * Losing the connection also wipes what this process cached (a write elsewhere may have
 * been missed), and a write whose token could not be replaced is remembered and replaced
 * as soon as Redis is back, before this process caches again.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RevisionBoard {
  /** The current token of each name, or null when it cannot be known now (do not cache). */
  tokens(workspaceId: string, names: readonly string[]): Promise<string[] | null>;
  /** Replaces the tokens after a write. Never throws: a failure is retried on reconnect. */
  bump(workspaceId: string, names: readonly string[]): Promise<void>;
  /**
   * Replaces the `write` tokens, and says whether the `read` tokens were still `expected`
   * just before: then nothing else had changed what a copy read under them holds, and the
   * writer may keep that copy with its own change applied, under the `read` tokens it
   * returns. Null when they had changed (or Redis failed: handled as `bump` does).
   */
  bumpChecked(workspaceId: string, write: readonly string[], read: readonly string[], expected: string): Promise<string | null>;
  /** Called whenever cached copies may have missed a change and must all go. */
  onLost(listener: () => void): void;
  close(): Promise<void>;
}

/** How long an idle workspace's tokens are kept; a missing token is simply made anew. */
const TOKEN_TTL_MS = 7 * 24 * 3_600_000;

/**
 * How long a read of a workspace's tokens is reused by other reads in this process. Writes
 * through this process drop it at once; a write in another process is seen at most this
 * much later than it would be otherwise, as if the read had started that much earlier.
 */
export const TOKEN_MEMO_MS = 5;

// KEYS: the workspace's hash. ARGV: ttl, expected (read tokens joined by '|'), read count,
// the read names, then write name/token pairs. Writes the new tokens; returns the read
// tokens after the write (joined) if they were `expected` before it, else nil.
const BUMP_CHECKED = `
local n = tonumber(ARGV[3])
local before = {}
for i = 1, n do before[i] = redis.call('HGET', KEYS[1], ARGV[3 + i]) or '' end
for i = 4 + n, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if table.concat(before, '|') ~= ARGV[2] then return false end
local after = {}
for i = 1, n do after[i] = redis.call('HGET', KEYS[1], ARGV[3 + i]) or '' end
return table.concat(after, '|')
`;

const fresh = (): string => randomBytes(9).toString('base64url');

export class RedisRevisionBoard implements RevisionBoard {
  private readonly redis: Redis & {
    consortiaBumpChecked(key: string, ttlMs: number, expected: string, readCount: number, ...args: string[]): Promise<string | null>;
  };
  private readonly listeners: (() => void)[] = [];
  /** `${workspace}\u0000${name}` whose token a write could not replace yet. */
  private readonly pending = new Set<string>();
  private flushing: Promise<void> | undefined;
  /** Token hashes read in the last few milliseconds, shared by the reads of concurrent commands. */
  private readonly recent = new Map<string, { at: number; all: Promise<Record<string, string>> }>();
  private closed = false;

  constructor(url: string, private readonly prefix: string) {
    const redis = new Redis(url, {
      // Fail at once while disconnected: a command must never wait on the cache.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      enableAutoPipelining: true,
      lazyConnect: false,
    });
    redis.defineCommand('consortiaBumpChecked', { numberOfKeys: 1, lua: BUMP_CHECKED });
    redis.on('error', () => undefined); // reported through readiness; the events below act on it
    redis.on('close', () => this.lost());
    redis.on('ready', () => void this.flush());
    this.redis = redis as RedisRevisionBoard['redis'];
  }

  private key(workspaceId: string): string {
    return `${this.prefix}:rev:${workspaceId}`;
  }

  private lost(): void {
    this.recent.clear();
    for (const l of this.listeners) l();
  }

  onLost(listener: () => void): void {
    this.listeners.push(listener);
  }

  private get usable(): boolean {
    return !this.closed && this.redis.status === 'ready' && this.pending.size === 0 && !this.flushing;
  }

  /** A workspace's whole token hash, as read a moment ago. */
  private current(workspaceId: string): Promise<Record<string, string>> {
    const now = Date.now();
    const hit = this.recent.get(workspaceId);
    if (hit && now - hit.at <= TOKEN_MEMO_MS) return hit.all;
    if (this.recent.size >= 1_000) this.recent.clear();
    const all = this.redis.hgetall(this.key(workspaceId));
    const entry = { at: now, all };
    this.recent.set(workspaceId, entry);
    all.catch(() => {
      if (this.recent.get(workspaceId) === entry) this.recent.delete(workspaceId);
    });
    return all;
  }

  async tokens(workspaceId: string, names: readonly string[]): Promise<string[] | null> {
    if (!this.usable) return null;
    const key = this.key(workspaceId);
    try {
      const all = await this.current(workspaceId);
      const out = names.map((n) => all[n] ?? null);
      if (out.every((v): v is string => v !== null)) return out;
      this.recent.delete(workspaceId);
      // The first reader after a flush (or of a new workspace) makes the missing tokens;
      // a concurrent reader's may win, so read back whatever is there.
      const tx = this.redis.multi();
      names.forEach((n, i) => {
        if (out[i] === null) tx.hsetnx(key, n, fresh());
      });
      tx.pexpire(key, TOKEN_TTL_MS).hmget(key, ...names);
      const res = await tx.exec();
      const again = res?.at(-1)?.[1];
      return Array.isArray(again) && again.every((v): v is string => typeof v === 'string') ? again : null;
    } catch {
      return null;
    }
  }

  async bumpChecked(workspaceId: string, write: readonly string[], read: readonly string[], expected: string): Promise<string | null> {
    if (this.closed) return null;
    try {
      if (!this.usable) throw new Error('redis not ready, or token changes still waiting');
      const out = await this.redis.consortiaBumpChecked(this.key(workspaceId), TOKEN_TTL_MS, expected, read.length, ...read, ...write.flatMap((n) => [n, fresh()]));
      this.recent.delete(workspaceId);
      return typeof out === 'string' ? out : null;
    } catch {
      this.recent.delete(workspaceId);
      await this.bump(workspaceId, write);
      return null;
    }
  }

  async bump(workspaceId: string, names: readonly string[]): Promise<void> {
    if (names.length === 0 || this.closed) return;
    const args = names.flatMap((n) => [n, fresh()]);
    try {
      if (this.redis.status !== 'ready') throw new Error('redis not ready');
      await this.redis.multi().hset(this.key(workspaceId), ...args).pexpire(this.key(workspaceId), TOKEN_TTL_MS).exec();
      // Replies come in order on the one connection, so any read of the hash sent before
      // the write has answered by now: dropping it makes this process's next read see the write.
      this.recent.delete(workspaceId);
    } catch {
      this.recent.delete(workspaceId);
      for (const n of names) this.pending.add(`${workspaceId}\u0000${n}`);
      // This process's copies may now be older than the database; other processes see the
      // new token once the retry lands: on reconnection, or shortly if the connection held
      // (a command that timed out).
      this.lost();
      setTimeout(() => {
        if (this.redis.status === 'ready') void this.flush();
      }, 100).unref();
    }
  }

  /** Replaces the tokens of writes made while Redis was away. */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.lost();
    if (this.pending.size === 0) return Promise.resolve();
    const run = (async () => {
      while (this.pending.size && !this.closed && this.redis.status === 'ready') {
        const batch = [...this.pending].slice(0, 500);
        const tx = this.redis.multi();
        for (const item of batch) {
          const [ws, name] = item.split('\u0000') as [string, string];
          tx.hset(this.key(ws), name, fresh());
        }
        try {
          await tx.exec();
          for (const item of batch) this.pending.delete(item);
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
    this.flushing = run.finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
