// The read cache between processes: two stores on one database stand for two processes
// (a web replica and a worker, say), each with its own cache, sharing revision tokens in
// Redis. A write through either must reach the other's next read; a write that goes past
// the stores (straight to the driver) shows what was served from memory.
import { createServer, connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Organisation } from '../../src/core/domain.js';
import type { Filter } from '../../src/core/ports.js';
import { MongoStore } from '../../src/store/mongo.store.js';
import { ReadCache, type ReadCacheOptions } from '../../src/store/read.cache.js';
import { RedisRevisionBoard, TOKEN_MEMO_MS } from '../../src/store/revisions.js';
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from '../nudges/fixtures/redis.server.js';
import { mongoUri, redisUrl, testDb, uniquePrefix } from '../helpers/services.js';

const WS = 'cache-ws';
const open: MongoStore[] = [];
let privateRedis: PrivateRedis | undefined;

afterEach(async () => {
  for (const s of open) await s.connection.dropDatabase().catch(() => undefined);
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  await privateRedis?.close();
  privateRedis = undefined;
});

async function processes(n: number, opts: { url?: string; cache?: ReadCacheOptions } = {}): Promise<MongoStore[]> {
  const prefix = uniquePrefix('read-cache');
  const db = mongoUri(testDb(import.meta.url));
  const out: MongoStore[] = [];
  for (let i = 0; i < n; i++) {
    const cache = new ReadCache(new RedisRevisionBoard(opts.url ?? redisUrl(), prefix), opts.cache);
    const store = await MongoStore.connect(db, { cache });
    open.push(store);
    out.push(store);
  }
  return out;
}

function org(slug: string, name: string): Omit<Organisation, 'workspaceId'> {
  return { slug, name, services: ['advice'], areas: ['Easton'], home: 'Easton', income: 100_000, capacity: 50_000, canLead: true, accreditations: [], partners: [], unavailable: false, createdBy: 'test' };
}

/** Renames an organisation straight through the driver: no store, so no token changes. */
async function renameBehindTheCache(store: MongoStore, slug: string, name: string): Promise<void> {
  await store.connection.collection('organisations').updateOne({ workspaceId: WS, slug }, { $set: { name } });
}

/**
 * A process reuses its read of the tokens for a few milliseconds, so another process's
 * write is certain to be seen by reads that start that long after it.
 */
const pastTheShare = () => new Promise((r) => setTimeout(r, TOKEN_MEMO_MS * 2));

const nameOf = async (store: MongoStore, slug: string) => (await store.scoped(WS).orgs.findOne({ slug }))?.name;

/** An organisation read once (so cached), then renamed behind the cache: still read with its old name. */
async function cachedThenRenamedBehind(store: MongoStore): Promise<void> {
  await store.scoped(WS).orgs.insert(org('food-bank', 'Food Bank'));
  expect(await nameOf(store, 'food-bank')).toBe('Food Bank');
  await renameBehindTheCache(store, 'food-bank', 'Changed Behind');
  expect(await nameOf(store, 'food-bank')).toBe('Food Bank');
}

/** A TCP link to a local port that can be cut (open connections dropped, new ones refused) and restored. */
async function cuttableLink(targetPort: string): Promise<{ url: string; cut(): Promise<void>; restore(): void; close(): Promise<void> }> {
  let up = true;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = connect(Number(targetPort), '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      up = false;
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, 50));
    },
    restore() {
      up = true;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('read cache', () => {
  it('serves a repeated read from memory, and a write in another process reaches it at once', async () => {
    const [web, worker] = (await processes(2)) as [MongoStore, MongoStore];
    await web.scoped(WS).orgs.insert(org('food-bank', 'Food Bank'));
    expect(await nameOf(worker, 'food-bank')).toBe('Food Bank');

    await renameBehindTheCache(web, 'food-bank', 'Changed Behind');
    expect(await nameOf(worker, 'food-bank')).toBe('Food Bank'); // from memory
    expect(worker.cache?.stats.hits).toBeGreaterThan(0);

    await web.scoped(WS).orgs.update({ slug: 'food-bank' }, { name: 'Food Bank Bristol' });
    await pastTheShare();
    expect(await nameOf(worker, 'food-bank')).toBe('Food Bank Bristol');
    // The writer's own next read sees its write too.
    expect(await nameOf(web, 'food-bank')).toBe('Food Bank Bristol');
  });

  it('hands out copies: changing what a read returned changes nothing for the next reader', async () => {
    const [store] = (await processes(1)) as [MongoStore];
    await store.scoped(WS).orgs.insert(org('food-bank', 'Food Bank'));
    const first = await store.scoped(WS).orgs.find({});
    (first[0] as Organisation).name = 'Scribbled';
    (first[0] as Organisation).services.push('scribbles');
    const again = await store.scoped(WS).orgs.find({});
    expect(again[0]?.name).toBe('Food Bank');
    expect(again[0]?.services).toEqual(['advice']);
  });

  it('keeps one tender\'s interest cached when another tender\'s changes, and refreshes the one that changed', async () => {
    const [a, b] = (await processes(2)) as [MongoStore, MongoStore];
    const interest = (tenderRef: string, orgSlug: string) => ({ tenderRef, orgSlug, as: 'either' as const, by: 'u1', withdrawn: false });
    await a.scoped(WS).interests.insert(interest('T-1', 'food-bank'));
    await a.scoped(WS).interests.insert(interest('T-2', 'food-bank'));
    expect(await b.scoped(WS).interests.find({ tenderRef: 'T-1' })).toHaveLength(1);
    expect(await b.scoped(WS).interests.find({ tenderRef: 'T-2' })).toHaveLength(1);
    const missesBefore = b.cache?.stats.misses ?? 0;

    await a.scoped(WS).interests.insert(interest('T-2', 'youth-club'));
    await pastTheShare();
    expect(await b.scoped(WS).interests.find({ tenderRef: 'T-1' })).toHaveLength(1);
    expect(b.cache?.stats.misses).toBe(missesBefore); // T-1 still from memory
    expect(await b.scoped(WS).interests.find({ tenderRef: 'T-2' })).toHaveLength(2);
    expect(b.cache?.stats.misses).toBe(missesBefore + 1);
    // A read across tenders depends on every write.
    expect(await b.scoped(WS).interests.count({})).toBe(3);

    // A write that names no single tender refreshes every tender's reads.
    await a.scoped(WS).interests.updateMany({ orgSlug: 'food-bank' }, { withdrawn: true });
    await pastTheShare();
    expect((await b.scoped(WS).interests.find({ tenderRef: 'T-1' }))[0]?.withdrawn).toBe(true);
  });

  it('after an insert into a tender\'s interest, the writer keeps the list with the new record instead of reading it again', async () => {
    const [a, b] = (await processes(2)) as [MongoStore, MongoStore];
    const interest = (orgSlug: string) => ({ tenderRef: 'T-1', orgSlug, as: 'either' as const, by: 'u1', withdrawn: false });
    await a.scoped(WS).interests.insert(interest('food-bank'));
    await pastTheShare();
    expect((await a.scoped(WS).interests.find({ tenderRef: 'T-1' })).map((i) => i.orgSlug)).toEqual(['food-bank']);
    const misses = a.cache?.stats.misses ?? 0;
    await a.scoped(WS).interests.insert(interest('youth-club'));
    expect((await a.scoped(WS).interests.find({ tenderRef: 'T-1' })).map((i) => i.orgSlug)).toEqual(['food-bank', 'youth-club']);
    expect(a.cache?.stats.misses).toBe(misses);
    // Another process sees the insert too, by reading it.
    await pastTheShare();
    expect((await b.scoped(WS).interests.find({ tenderRef: 'T-1' })).map((i) => i.orgSlug)).toEqual(['food-bank', 'youth-club']);

    // A write elsewhere between the read and the insert: the writer's copy would miss it, so
    // it reads the list again.
    await b.scoped(WS).interests.insert(interest('tenants-union'));
    await a.scoped(WS).interests.insert(interest('credit-union'));
    await pastTheShare();
    expect((await a.scoped(WS).interests.find({ tenderRef: 'T-1' })).map((i) => i.orgSlug).sort()).toEqual(['credit-union', 'food-bank', 'tenants-union', 'youth-club']);
  });

  it('after an update of one record in a tender\'s interest, the writer keeps the list with that record replaced', async () => {
    const [a] = (await processes(1)) as [MongoStore];
    const interest = (orgSlug: string) => ({ tenderRef: 'T-1', orgSlug, as: 'either' as const, by: 'u1', withdrawn: false });
    await a.scoped(WS).interests.insert(interest('food-bank'));
    await a.scoped(WS).interests.insert(interest('youth-club'));
    expect(await a.scoped(WS).interests.find({ tenderRef: 'T-1' })).toHaveLength(2);
    const misses = a.cache?.stats.misses ?? 0;
    await a.scoped(WS).interests.update({ tenderRef: 'T-1', orgSlug: 'youth-club' }, { as: 'lead' });
    const after = await a.scoped(WS).interests.find({ tenderRef: 'T-1' });
    expect(after.map((i) => [i.orgSlug, i.as])).toEqual([['food-bank', 'either'], ['youth-club', 'lead']]);
    expect(a.cache?.stats.misses).toBe(misses);
    // An update picking out several records: the list is read again, and right.
    await a.scoped(WS).interests.updateMany({ tenderRef: 'T-1' }, { withdrawn: true });
    expect((await a.scoped(WS).interests.find({ tenderRef: 'T-1' })).every((i) => i.withdrawn)).toBe(true);
    expect(a.cache?.stats.misses).toBe(misses + 1);
  });

  it('reads that miss together across workspaces and tenders each get their own records', async () => {
    const [a, b] = (await processes(2)) as [MongoStore, MongoStore];
    const interest = (tenderRef: string, orgSlug: string) => ({ tenderRef, orgSlug, as: 'either' as const, by: 'u1', withdrawn: false });
    for (const ws of [WS, 'cache-ws-2']) {
      await a.scoped(ws).orgs.insert(org(`org-of-${ws}`, `Org of ${ws}`));
      for (const t of ['T-1', 'T-2']) await a.scoped(ws).interests.insert(interest(t, `${ws}-${t}`.toLowerCase()));
    }
    await pastTheShare();
    const [orgs1, orgs2, i11, i12, i21, i22] = await Promise.all([
      b.scoped(WS).orgs.find({}), b.scoped('cache-ws-2').orgs.find({}),
      b.scoped(WS).interests.find({ tenderRef: 'T-1' }), b.scoped(WS).interests.find({ tenderRef: 'T-2' }),
      b.scoped('cache-ws-2').interests.find({ tenderRef: 'T-1' }), b.scoped('cache-ws-2').interests.find({ tenderRef: 'T-2' }),
    ]);
    expect(orgs1.map((o) => o.slug)).toEqual([`org-of-${WS}`]);
    expect(orgs2.map((o) => o.slug)).toEqual(['org-of-cache-ws-2']);
    expect([i11, i12, i21, i22].map((l) => l.map((i) => `${i.workspaceId}/${i.tenderRef}/${i.orgSlug}`))).toEqual([
      [`${WS}/T-1/${WS}-t-1`], [`${WS}/T-2/${WS}-t-2`], ['cache-ws-2/T-1/cache-ws-2-t-1'], ['cache-ws-2/T-2/cache-ws-2-t-2'],
    ]);
  });

  it('a copy older than its maximum age is read again even if no token changed', async () => {
    const [store] = (await processes(1, { cache: { maxAgeMs: 200 } })) as [MongoStore];
    await cachedThenRenamedBehind(store);
    await new Promise((r) => setTimeout(r, 250));
    expect(await nameOf(store, 'food-bank')).toBe('Changed Behind');
  });

  it('reads again, while serving it, a copy a reader needs to last longer than it will, so that reader does not wait for it later', async () => {
    const [store] = (await processes(1, { cache: { maxAgeMs: 1_000 } })) as [MongoStore];
    const names = async (freshUntil?: number) => (await store.scoped(WS).orgs.findShared({}, freshUntil === undefined ? {} : { freshUntil })).map((o) => o.name);
    await store.scoped(WS).orgs.insert(org('food-bank', 'Food Bank'));
    expect(await names()).toEqual(['Food Bank']);
    await renameBehindTheCache(store, 'food-bank', 'Changed Behind');
    expect(await names()).toEqual(['Food Bank']);
    const misses = store.cache?.stats.misses;
    // Needed again in 2 s, when the copy will be gone: served from memory, and read again behind the scenes.
    expect(await names(Date.now() + 2_000)).toEqual(['Food Bank']);
    await waitFor('the copy read ahead', async () => (await names()).includes('Changed Behind'), 1_500);
    // No reader missed: without the read ahead, the first read after the copy expired would have.
    expect(store.cache?.stats.misses).toBe(misses);
    // A reader who needs it no longer than it lasts reads nothing again.
    await renameBehindTheCache(store, 'food-bank', 'Changed Again');
    expect(await names(Date.now() + 10)).toEqual(['Changed Behind']);
    await new Promise((r) => setTimeout(r, 200));
    expect(await names()).toEqual(['Changed Behind']);
  });

  it('reads again, alongside a grouped read that goes to the database, other workspaces\' copies in use and past a third of their age', async () => {
    const [store] = (await processes(1, { cache: { maxAgeMs: 6_000 } })) as [MongoStore];
    const other = 'cache-ws-2';
    const names = async (ws: string) => (await store.scoped(ws).orgs.find({})).map((o) => o.name).sort();
    for (const ws of [WS, other]) await store.scoped(ws).orgs.insert(org('food-bank', 'Food Bank'));
    expect(await Promise.all([names(WS), names(other)])).toEqual([['Food Bank'], ['Food Bank']]);
    for (const ws of [WS, other]) await store.connection.collection('organisations').updateOne({ workspaceId: ws, slug: 'food-bank' }, { $set: { name: 'Changed Behind' } });
    // Still young: a read in one workspace leaves the other's copy as it is.
    await store.scoped(WS).orgs.insert(org('advice-hub', 'Advice Hub'));
    expect(await names(WS)).toEqual(['Advice Hub', 'Changed Behind']);
    expect(await names(other)).toEqual(['Food Bank']);
    // Past a third of its age and in use: read again with the next query, and served from memory after.
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await names(other)).toEqual(['Food Bank']);
    await store.scoped(WS).orgs.insert(org('food-hub', 'Food Hub'));
    expect(await names(WS)).toEqual(['Advice Hub', 'Changed Behind', 'Food Hub']);
    const misses = store.cache?.stats.misses;
    await waitFor('the copy read alongside', async () => (await names(other)).includes('Changed Behind'), 1_000);
    expect(store.cache?.stats.misses).toBe(misses);
  });

  it('holds at most maxRecords records, dropping the least recently used results first', async () => {
    const [a] = (await processes(1, { cache: { maxRecords: 5 } })) as [MongoStore];
    const orgs = a.scoped(WS).orgs;
    for (const slug of ['a', 'b', 'c']) await orgs.insert(org(slug, `Org ${slug}`));
    const names = async (filter: Filter<Organisation>) => (await orgs.find(filter)).map((o) => o.name).sort();
    expect(await names({})).toEqual(['Org a', 'Org b', 'Org c']);
    expect(await names({ canLead: true })).toEqual(['Org a', 'Org b', 'Org c']);
    // Six records would be over the bound: the first list went, the second is kept.
    expect((a.cache as ReadCache).size.records).toBeLessThanOrEqual(5);
    await renameBehindTheCache(a, 'a', 'Renamed');
    expect(await names({ canLead: true })).toEqual(['Org a', 'Org b', 'Org c']);
    expect(await names({})).toEqual(['Org b', 'Org c', 'Renamed']);
    // A single result bigger than the bound is not kept at all.
    const [b] = (await processes(1, { cache: { maxRecords: 2 } })) as [MongoStore];
    for (const slug of ['a', 'b', 'c']) await b.scoped(WS).orgs.insert(org(slug, `Org ${slug}`));
    expect(await b.scoped(WS).orgs.count({})).toBe(3);
    expect((await b.scoped(WS).orgs.find({})).length).toBe(3);
    expect((b.cache as ReadCache).size).toEqual({ entries: 1, records: 1 });
  });

  it('answers every read from the database while Redis cannot be reached', async () => {
    const [store] = (await processes(1, { url: 'redis://127.0.0.1:1' })) as [MongoStore];
    expect((await store.scoped(WS).orgs.insert(org('food-bank', 'Food Bank'))).ok).toBe(true);
    expect(await nameOf(store, 'food-bank')).toBe('Food Bank');
    await renameBehindTheCache(store, 'food-bank', 'Changed Behind');
    expect(await nameOf(store, 'food-bank')).toBe('Changed Behind');
    expect(store.cache?.stats.hits).toBe(0);
    expect(store.cache?.stats.bypassed).toBeGreaterThan(0);
  });
});

describe.runIf(redisServerAvailable())('read cache when Redis fails', () => {
  it('after FLUSHALL, copies made before are never served again', async () => {
    privateRedis = await startPrivateRedis();
    const [store] = (await processes(1, { url: privateRedis.url })) as [MongoStore];
    await cachedThenRenamedBehind(store);
    await privateRedis.flushAll();
    await new Promise((r) => setTimeout(r, 20)); // past the moment a token read is shared
    expect(await nameOf(store, 'food-bank')).toBe('Changed Behind');
  });

  it('a write made while Redis is down reaches a process that had the old copy, once Redis is back', async () => {
    privateRedis = await startPrivateRedis();
    const [web, worker] = (await processes(2, { url: privateRedis.url })) as [MongoStore, MongoStore];
    await web.scoped(WS).orgs.insert(org('food-bank', 'Food Bank'));
    expect(await nameOf(worker, 'food-bank')).toBe('Food Bank');

    await privateRedis.stop();
    // The command still succeeds: the database has the write, the token waits.
    expect((await web.scoped(WS).orgs.update({ slug: 'food-bank' }, { name: 'Renamed In Outage' })).ok).toBe(true);
    expect(await nameOf(web, 'food-bank')).toBe('Renamed In Outage');
    expect(await nameOf(worker, 'food-bank')).toBe('Renamed In Outage');

    await privateRedis.start();
    await waitFor('the worker to cache again', async () => {
      const before = worker.cache?.stats.hits ?? 0;
      await nameOf(worker, 'food-bank');
      await nameOf(worker, 'food-bank');
      return (worker.cache?.stats.hits ?? 0) > before;
    });
    expect(await nameOf(worker, 'food-bank')).toBe('Renamed In Outage');
    // And caching is live again in both directions.
    // The web process may still be reconnecting (its retries back off up to 2 s); its token
    // change lands when it is back.
    await web.scoped(WS).orgs.update({ slug: 'food-bank' }, { name: 'Renamed After' });
    await waitFor('the worker to see the later rename', async () => (await nameOf(worker, 'food-bank')) === 'Renamed After', 10_000);
  }, 30_000);

  it('a process that lost its connection drops what it cached, even if it wrote nothing', async () => {
    privateRedis = await startPrivateRedis();
    const [store] = (await processes(1, { url: privateRedis.url })) as [MongoStore];
    await cachedThenRenamedBehind(store);
    // Connections drop but Redis keeps its data, tokens included: only dropping the copies
    // on the disconnection keeps the old name from being served.
    const admin = new Redis(privateRedis.url);
    try {
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    } finally {
      admin.disconnect();
    }
    // Within moments, not the 30 s a copy may otherwise live.
    await waitFor('the new name', async () => (await nameOf(store, 'food-bank')) === 'Changed Behind', 5_000);
    expect(await nameOf(store, 'food-bank')).toBe('Changed Behind');
  }, 30_000);

  it('a write whose token change could not reach Redis changes it on reconnection, so other processes stop serving the old copy', async () => {
    // The web process reaches Redis through a link that can be cut; the worker's connection
    // and Redis's data stay up, so the worker keeps its copy under an unchanged token.
    const link = await cuttableLink(new URL(redisUrl()).port);
    const prefix = uniquePrefix('read-cache-link');
    const db = mongoUri(testDb(import.meta.url));
    const web = await MongoStore.connect(db, { cache: new ReadCache(new RedisRevisionBoard(link.url, prefix)) });
    const worker = await MongoStore.connect(db, { cache: new ReadCache(new RedisRevisionBoard(redisUrl(), prefix)) });
    open.push(web, worker);
    try {
      await web.scoped(WS).orgs.insert(org('food-bank', 'Food Bank'));
      await pastTheShare();
      expect(await nameOf(worker, 'food-bank')).toBe('Food Bank');

      await link.cut();
      expect((await web.scoped(WS).orgs.update({ slug: 'food-bank' }, { name: 'Renamed' })).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(await nameOf(worker, 'food-bank')).toBe('Food Bank'); // no token change has reached Redis

      link.restore();
      await waitFor('the worker to see the rename', async () => (await nameOf(worker, 'food-bank')) === 'Renamed', 10_000);
    } finally {
      await link.close();
    }
  }, 30_000);
});
