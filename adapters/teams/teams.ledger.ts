/**
 * Remembers which activities have been taken on, so an activity Teams sends again (it
 * retries after 15 seconds without an answer, and web replicas may each get a copy) is
 * processed once. Redis `SET NX EX`: one atomic claim that expires by itself.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface ActivityLedger {
  /** True the first time `key` is claimed within the expiry; false for a repeat. */
  claim(key: string): Promise<boolean>;
  /** Forgets a claim, so a later retry of the activity is processed after all. */
  release(key: string): Promise<void>;
}

export interface LedgerOptions {
  /** Key prefix in Redis. */
  prefix: string;
  /**
   * How long a claim lasts (s): longer than Teams keeps retrying.
   * @defaultValue 900
   */
  ttlSeconds?: number;
  log?: { warn(obj: Record<string, unknown>, msg: string): void };
}

export class RedisActivityLedger implements ActivityLedger {
  private readonly ttl: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: LedgerOptions,
  ) {
    this.ttl = options.ttlSeconds ?? 900;
  }

  private key(key: string): string {
    return `${this.options.prefix}${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
  }

  async claim(key: string): Promise<boolean> {
    try {
      return (await this.redis.set(this.key(key), '1', 'EX', this.ttl, 'NX')) === 'OK';
    } catch (err) {
      // Without Redis a repeat may be processed twice; refusing every message would be worse.
      this.options.log?.warn({ err }, 'activity ledger unavailable; processing without the repeat check');
      return true;
    }
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.key(key)).catch(() => undefined);
  }
}
