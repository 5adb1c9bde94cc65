// Names and addresses for integration tests that use the real MongoDB and Redis started by
// `npm test` (scripts/test.mjs sets MONGODB_URI and REDIS_URL). Every test file gets its own
// database and queue prefix, so files can run in parallel and clean up after themselves.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';

/** Every test database starts with this; anything else is refused, so a test can never touch real data. */
export const TEST_DB_PREFIX = 'consortia_test_';

// FerretDB (and MongoDB) limit database names to 63 characters of [A-Za-z0-9_-].
const MAX_DB_NAME = 63;

function requiredEnv(name: 'MONGODB_URI' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Run integration tests with \`npm test\` (or \`node scripts/with-services.mjs vitest run …\`), which starts the services and sets it.`,
    );
  }
  return value;
}

function slug(text: string, max: number): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, max) || 'x';
}

function fileSlug(fileUrl: string, max: number): string {
  const file = fileUrl.startsWith('file:') ? fileURLToPath(fileUrl) : fileUrl;
  return slug(path.basename(file).replace(/\.test\.[cm]?[jt]s$/, '').replace(/\.[cm]?[jt]s$/, ''), max);
}

const randomSuffix = (): string => randomBytes(4).toString('hex');

/** A fresh database name for one test file: `testDb(import.meta.url)` → `consortia_test_<file>_<random>`. */
export function testDb(fileUrl: string): string {
  const room = MAX_DB_NAME - TEST_DB_PREFIX.length - 1 - 8;
  return `${TEST_DB_PREFIX}${fileSlug(fileUrl, room)}_${randomSuffix()}`;
}

function assertTestDb(dbName: string): void {
  if (!dbName.startsWith(TEST_DB_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(dbName) || dbName.length > MAX_DB_NAME) {
    throw new Error(`Refusing database "${dbName}": test databases are named ${TEST_DB_PREFIX}… (use testDb(import.meta.url)).`);
  }
}

/** `uri` pointed at database `db`, keeping its hosts, credentials and options (the benchmarks use it too). */
export function withDatabase(uri: string, db: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error('MONGODB_URI is not a mongodb:// or mongodb+srv:// URI.');
  const [, hosts, query = ''] = match;
  return `${hosts}/${db}${query}`;
}

/** MONGODB_URI pointed at `dbName`, keeping its hosts, credentials and options. */
export function mongoUri(dbName: string): string {
  assertTestDb(dbName);
  return withDatabase(requiredEnv('MONGODB_URI'), dbName);
}

/** Deletes every Redis key under `prefix:` (a test's or a benchmark's), failing fast when Redis is down. */
export async function clearPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 1_000 });
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

/** The Redis the test run uses. */
export function redisUrl(): string {
  return requiredEnv('REDIS_URL');
}

/** A BullMQ prefix (or Redis key prefix) unique to this run of a test file. */
export function uniquePrefix(name: string): string {
  return `${TEST_DB_PREFIX}${slug(name, 40)}_${randomSuffix()}`;
}

export interface TestDatabase {
  readonly name: string;
  readonly connection: Connection;
  /** Drops the database and closes the connection; call it in `afterAll`. */
  drop(): Promise<void>;
}

/** Opens a mongoose connection to a fresh test database for the calling test file. */
export async function openTestDb(fileUrl: string): Promise<TestDatabase> {
  const name = testDb(fileUrl);
  const connection = await mongoose.createConnection(mongoUri(name), { serverSelectionTimeoutMS: 5_000 }).asPromise();
  return {
    name,
    connection,
    async drop() {
      assertTestDb(connection.name);
      try {
        await connection.dropDatabase();
      } finally {
        await connection.close();
      }
    },
  };
}

/** Runs `work` against a fresh test database, then drops it whatever happened. */
export async function withMongo<T>(fileUrl: string, work: (connection: Connection) => Promise<T>): Promise<T> {
  const db = await openTestDb(fileUrl);
  try {
    return await work(db.connection);
  } finally {
    await db.drop();
  }
}
