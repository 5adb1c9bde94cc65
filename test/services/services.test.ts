// Proves the services the test run uses are real servers with the behaviour the store and
// the queues rely on, and that the setup script reuses what is running.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoUri, openTestDb, redisUrl, testDb, uniquePrefix, type TestDatabase } from '../helpers/services.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const servicesScript = path.join(root, 'scripts/services.mjs');
const ferretPidFile = path.join(root, '.data/ferretdb.pid');
const localFerretUri = 'mongodb://127.0.0.1:27027';

describe('MongoDB API', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDb(import.meta.url);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('rejects a duplicate key on a unique index with code 11000', async () => {
    const Org = db.connection.model('Org', new Schema({ workspaceId: String, slug: String }));
    await Org.collection.createIndex({ workspaceId: 1, slug: 1 }, { unique: true });
    await Org.create({ workspaceId: 'T1', slug: 'voscur' });
    await Org.create({ workspaceId: 'T2', slug: 'voscur' }); // same slug, other workspace: allowed

    const duplicate = await Org.create({ workspaceId: 'T1', slug: 'voscur' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(duplicate).toMatchObject({ code: 11000 });
    expect(await Org.countDocuments({ slug: 'voscur' })).toBe(2);
  });

  // FerretDB 1.24 on SQLite applies an update as read-then-write with no lock, so concurrent
  // $inc or compare-and-set updates of one document can lose writes; a unique index is the
  // guarantee it does keep. Claims and idempotency keys therefore rest on inserts.
  it('lets exactly one of many concurrent inserts claim a unique key', async () => {
    const Claim = db.connection.model('Claim', new Schema({ key: { type: String, unique: true }, worker: Number }));
    await Claim.init();
    const attempts = await Promise.allSettled(Array.from({ length: 8 }, (_, worker) => Claim.create({ key: 'nudge:task-1', worker })));

    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason as { code?: number }] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((e) => e.code)).toEqual(Array.from({ length: 7 }, () => 11000));
    expect(await Claim.countDocuments({ key: 'nudge:task-1' })).toBe(1);
  });

  it('upserts and increments with findOneAndUpdate', async () => {
    const Counter = db.connection.model('Counter', new Schema({ _id: String, n: Number }));
    for (let i = 0; i < 3; i += 1) {
      await Counter.findOneAndUpdate({ _id: 'bids' }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
    }
    expect((await Counter.findById('bids').lean())?.n).toBe(3);
  });
});

describe('test naming', () => {
  it('gives each call a distinct database named for tests', () => {
    const a = testDb(import.meta.url);
    const b = testDb(import.meta.url);
    expect(a).toMatch(/^consortia_test_services_[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });

  it('refuses a database not named for tests', () => {
    expect(() => mongoUri('consortia')).toThrow(/Refusing database/);
    expect(() => mongoUri('admin')).toThrow(/Refusing database/);
  });

  it('keeps the hosts and options of MONGODB_URI', () => {
    const name = testDb(import.meta.url);
    const uri = mongoUri(name);
    expect(uri).toContain(`/${name}`);
    expect(uri.startsWith((process.env.MONGODB_URI ?? '').replace(/\/[^?]*(\?.*)?$/, ''))).toBe(true);
  });
});

describe('Redis', () => {
  it('stores and reads back a value', async () => {
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    const key = `${uniquePrefix('services')}:greeting`;
    try {
      await redis.set(key, 'hello', 'EX', 60);
      expect(await redis.get(key)).toBe('hello');
      expect(await redis.del(key)).toBe(1);
      expect(await redis.get(key)).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});

// Only meaningful when this run uses the local FerretDB and Redis that the script manages;
// with an external MONGODB_URI the script would have nothing to reuse.
const usesLocalServices = process.env.MONGODB_URI === localFerretUri && process.env.REDIS_URL === 'redis://127.0.0.1:6379';

describe.runIf(usesLocalServices)('scripts/services.mjs', () => {
  async function runServices(): Promise<{ stdout: string; stderr: string }> {
    const env = { ...process.env };
    delete env.MONGODB_URI;
    delete env.REDIS_URL;
    return run(process.execPath, [servicesScript], { cwd: root, env, timeout: 20_000 });
  }

  function ferretProcessesOnOurPort(): number {
    if (!fs.existsSync('/proc')) return 1;
    return fs
      .readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          return cmdline.includes('ferretdb') && cmdline.includes('--listen-addr=127.0.0.1:27027');
        } catch {
          return false; // the process ended while we looked
        }
      }).length;
  }

  const readPidFile = (): string | undefined => (fs.existsSync(ferretPidFile) ? fs.readFileSync(ferretPidFile, 'utf8') : undefined);

  it('reuses the running servers when run twice', async () => {
    const pidBefore = readPidFile();
    const first = await runServices();
    const second = await runServices();

    expect(first.stdout).toBe(`MONGODB_URI=${localFerretUri}\nREDIS_URL=redis://127.0.0.1:6379\n`);
    expect(second.stdout).toBe(first.stdout);
    expect(first.stderr + second.stderr).not.toMatch(/Starting|Building/);
    expect(readPidFile()).toBe(pidBefore);
    expect(ferretProcessesOnOurPort()).toBe(1);
  });
});
