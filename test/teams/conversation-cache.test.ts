// Every Teams message carries its conversation and sender; they are written when new or
// changed, not on every message, and two first messages racing to create them both succeed.
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamsConversationStore, type TeamsConversationRecord } from '../../src/store/teams-conversation.store.js';
import { mongoUri, testDb } from '../helpers/services.js';
import { textOfAll } from './fake-connector.js';
import { TeamsHarness, teamsUser, type TeamsTenant } from './harness.js';

const TENANT = '22222222-aaaa-4bbb-8ccc-000000000002';

describe('the store, counting database writes', () => {
  let conn: Connection;
  const updates: string[] = [];
  const finds: string[] = [];

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUri(testDb(import.meta.url)), { serverSelectionTimeoutMS: 5000, monitorCommands: true } as mongoose.ConnectOptions).asPromise();
    conn.getClient().on('commandStarted', (e) => {
      if (e.commandName === 'update') updates.push(String((e.command as { update?: unknown }).update));
      if (e.commandName === 'find') finds.push(String((e.command as { find?: unknown }).find));
    });
  });
  afterAll(async () => {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });

  const writesTo = (collection: string) => updates.filter((c) => c === collection).length;
  const record = (conversationId: string, serviceUrl = 'https://smba.example/emea/'): TeamsConversationRecord => ({
    tenantId: TENANT, conversationId, kind: 'personal', userId: 'aad-1', serviceUrl, channelId: 'msteams',
    bot: { id: '28:bot', name: 'Consortia' }, user: { id: '29:one', name: 'One', aadObjectId: 'aad-1' },
  });

  it('writes a conversation once for many saves of the same record, concurrent or not', async () => {
    const store = new TeamsConversationStore(conn);
    const rec = record('a:one');
    await Promise.all(Array.from({ length: 5 }, () => store.saveConversation(rec, { ifChanged: true })));
    for (let i = 0; i < 5; i++) await store.saveConversation({ ...rec }, { ifChanged: true });
    expect(writesTo('teams_conversations')).toBe(1);
    expect(await store.conversation(TENANT, 'a:one')).toMatchObject({ serviceUrl: rec.serviceUrl });

    // A changed record is written; an unconditional save always is.
    await store.saveConversation(record('a:one', 'https://smba.example/uk/'), { ifChanged: true });
    expect(writesTo('teams_conversations')).toBe(2);
    expect((await store.conversation(TENANT, 'a:one'))?.serviceUrl).toBe('https://smba.example/uk/');
    await store.saveConversation(record('a:one', 'https://smba.example/uk/'));
    expect(writesTo('teams_conversations')).toBe(3);
  });

  it('after a restart (or on another replica) reads a stored, unchanged record by id instead of writing it', async () => {
    const rec = record('a:restart');
    await new TeamsConversationStore(conn).saveConversation(rec, { ifChanged: true });
    const user = { tenantId: TENANT, userId: 'aad-restart', teamsId: '29:restart', name: 'Rae' };
    await new TeamsConversationStore(conn).saveUser(user, { ifChanged: true });
    const writes = updates.length;
    const reads = finds.length;
    const restarted = new TeamsConversationStore(conn);
    for (let i = 0; i < 3; i++) {
      await restarted.saveConversation({ ...rec }, { ifChanged: true });
      await restarted.saveUser({ ...user }, { ifChanged: true });
    }
    expect(updates.length).toBe(writes);
    expect(finds.length).toBe(reads + 2);
    // What differs from the stored record is written.
    await new TeamsConversationStore(conn).saveUser({ ...user, name: 'Rae R.' }, { ifChanged: true });
    expect(updates.length).toBe(writes + 1);
  });

  it('writes again after the conversation was marked removed', async () => {
    const store = new TeamsConversationStore(conn);
    const rec = record('a:two');
    await store.saveConversation(rec, { ifChanged: true });
    await store.markRemoved(TENANT, 'a:two');
    expect(await store.conversation(TENANT, 'a:two')).toBeNull();
    await store.saveConversation(rec, { ifChanged: true });
    expect(await store.conversation(TENANT, 'a:two')).not.toBeNull();
    // Removed by another replica: this one's first sight reads it, sees it removed, and writes it live.
    await new TeamsConversationStore(conn).markRemoved(TENANT, 'a:two');
    await new TeamsConversationStore(conn).saveConversation(rec, { ifChanged: true });
    expect(await store.conversation(TENANT, 'a:two')).not.toBeNull();
  });

  it('writes again once the record is older than rememberMs', async () => {
    const store = new TeamsConversationStore(conn, { rememberMs: 100 });
    const user = { tenantId: TENANT, userId: 'aad-3', teamsId: '29:three', name: 'Three' };
    await store.saveUser(user, { ifChanged: true });
    await store.saveUser(user, { ifChanged: true });
    const before = writesTo('teams_users');
    await new Promise((r) => setTimeout(r, 150));
    await store.saveUser(user, { ifChanged: true });
    expect(writesTo('teams_users')).toBe(before + 1);
  });

  it('reads display names for mentions once, and knows a name it has just stored', async () => {
    const store = new TeamsConversationStore(conn);
    await store.saveUser({ tenantId: TENANT, userId: 'aad-n1', teamsId: '29:n1', name: 'Nia' });
    await new TeamsConversationStore(conn).saveUser({ tenantId: TENANT, userId: 'aad-n2', teamsId: '29:n2', name: 'Noor' });
    const before = finds.filter((c) => c === 'teams_users').length;
    for (let i = 0; i < 3; i++) expect(await store.names(TENANT, ['aad-n1', 'aad-n2', 'aad-unknown'])).toEqual(new Map([['aad-n1', 'Nia'], ['aad-n2', 'Noor']]));
    // Nia was stored here; Noor (stored by another replica) and the unknown person are read once.
    expect(finds.filter((c) => c === 'teams_users').length).toBe(before + 1);
    await store.saveUser({ tenantId: TENANT, userId: 'aad-n2', teamsId: '29:n2', name: 'Noor N.' });
    expect((await store.names(TENANT, ['aad-n2'])).get('aad-n2')).toBe('Noor N.');
    expect(finds.filter((c) => c === 'teams_users').length).toBe(before + 1);
  });

  it('lets concurrent first writes of one person all succeed (a lost insert race is retried)', async () => {
    // Separate stores, as separate replicas would be: nothing is shared in memory.
    const stores = Array.from({ length: 8 }, () => new TeamsConversationStore(conn));
    const user = { tenantId: TENANT, userId: 'aad-race', teamsId: '29:race', name: 'Race' };
    const results = await Promise.allSettled(stores.map((s) => s.saveUser(user, { ifChanged: true })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await conn.collection('teams_users').countDocuments({ _id: `${TENANT}|aad-race` } as never)).toBe(1);
  });
});

describe('the receiver', () => {
  let h: TeamsHarness;
  let tenant: TeamsTenant;

  beforeAll(async () => {
    h = await TeamsHarness.start(import.meta.url);
    tenant = h.tenant(TENANT, 'Cache tests');
  });
  afterAll(async () => h.close());

  const stored = async (u: ReturnType<typeof teamsUser>) => {
    const db = h.store.connection;
    const conversation = await db.collection('teams_conversations').findOne({ _id: `${TENANT}|${tenant.personalChat(u)}` } as never);
    const user = await db.collection('teams_users').findOne({ _id: `${TENANT}|${u.aad}` } as never);
    return { conversation, user };
  };

  it('keeps the conversation and the person from the first message, and leaves them be on the next ones', async () => {
    const dan = teamsUser('Dan Delivery');
    expect((await tenant.say(dan, 'help')).status).toBe(200);
    const first = await stored(dan);
    expect(first.conversation).toMatchObject({ kind: 'personal', userId: dan.aad, removed: false });
    expect(first.user).toMatchObject({ teamsId: dan.teamsId, name: dan.name });

    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 4; i++) expect((await tenant.say(dan, 'help')).status).toBe(200);
    const later = await stored(dan);
    expect(later.conversation?.updatedAt).toEqual(first.conversation?.updatedAt);
    expect(later.user?.updatedAt).toEqual(first.user?.updatedAt);

    // A new display name is news: it is written.
    const renamed = { ...dan, name: 'Dan D. Delivery' };
    expect((await tenant.say(renamed, 'help')).status).toBe(200);
    expect((await stored(dan)).user).toMatchObject({ name: 'Dan D. Delivery' });
  });

  it('answers a person\'s concurrent first messages, storing them once', async () => {
    const eve = teamsUser('Eve Early');
    const answers = await Promise.all(Array.from({ length: 6 }, () => tenant.say(eve, 'help')));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    for (const a of answers) expect(textOfAll(a.posted)).toMatch(/help/i);
    const db = h.store.connection;
    expect(await db.collection('teams_users').countDocuments({ _id: `${TENANT}|${eve.aad}` } as never)).toBe(1);
    expect(await db.collection('teams_conversations').countDocuments({ _id: `${TENANT}|${tenant.personalChat(eve)}` } as never)).toBe(1);
  });
});
