/**
 * What the benchmarks share about the services they run on: the URLs `npm run bench:*`
 * sets (scripts/with-services.mjs starts what is missing), a database of their own, and
 * clearing their Redis keys afterwards.
 */
import { Redis } from 'ioredis';

export const say = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** A service URL the npm script set; the bench says how to run it when it is missing. */
export function serviceUrl(name: 'MONGODB_URI' | 'REDIS_URL', script: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run through \`npm run ${script}\`, which starts the services.`);
  return v;
}

/** MONGODB_URI with its database replaced by `db`. */
export function withDatabase(uri: string, db: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error('MONGODB_URI is not a mongodb:// URI');
  return `${m[1]}/${db}${m[2] ?? ''}`;
}

/** Deletes every Redis key under `prefix:`. */
export async function clearPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
