// Every command needs its workspace record; the directory keeps it for a few seconds, so a
// burst of commands reads it once. A change made through this process counts at once; one
// made by another replica within the directory's TTL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core/app.js';
import { allHandlers } from '../../src/core/handlers/index.js';
import { replyText } from '../../src/core/reply.js';
import { MongoStore } from '../../src/store/mongo.store.js';
import { mongoUri, testDb } from '../helpers/services.js';
import { FixedClock, RecordingNotifier, RecordingScheduler } from '../helpers/core.js';

const WS = 'cache-ws';
const COORD = 'coord-1';

let uri: string;
/** The store the core uses (a TTL long enough for a slow machine), its workspace reads counted. */
let here: MongoStore;
/** Another replica on the same database, with a short TTL. */
let there: MongoStore;
let core: Core;
const workspaceReads: number[] = [];

beforeAll(async () => {
  const base = mongoUri(testDb(import.meta.url));
  uri = `${base}${base.includes('?') ? '&' : '?'}monitorCommands=true`;
  here = await MongoStore.connect(uri, { workspaceTtlMs: 60_000 });
  there = await MongoStore.connect(uri, { workspaceTtlMs: 1000 });
  here.connection.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'find' && (e.command as { find?: unknown }).find === 'workspaces') workspaceReads.push(Date.now());
  });
  // Created through the other replica, so this one has nothing cached.
  await there.workspaces.ensure(WS, 'console', 'Cache tests', COORD);
  core = new Core({ store: here, clock: new FixedClock(new Date('2026-11-24T10:00:00Z')), scheduler: new RecordingScheduler(), notifier: new RecordingNotifier() }, allHandlers([]));
});
afterAll(async () => {
  await here?.connection.dropDatabase().catch(() => undefined);
  await here?.close();
  await there?.close();
});

async function say(userId: string, text: string): Promise<{ outcome: string; text: string }> {
  const r = await core.handle({ actor: { workspaceId: WS, platform: 'console', userId }, text });
  return { outcome: r.outcome, text: replyText(r) };
}

describe('the workspace directory cache', () => {
  it('reads the workspace once for a burst of commands, concurrent ones included', async () => {
    const before = workspaceReads.length;
    const first = await Promise.all(Array.from({ length: 5 }, () => say('someone', 'help')));
    expect(first.every((r) => r.outcome === 'ok')).toBe(true);
    for (let i = 0; i < 5; i++) await say('someone', 'org list');
    expect(workspaceReads.length - before).toBe(1);
  });

  it('sees a settings change made through this process on the very next command', async () => {
    expect((await say('newbie', 'tender add "Cache tender" value 100k years 1 deadline 15/01/2027')).outcome).toBe('denied');
    expect((await say(COORD, 'settings coordinator add @newbie')).outcome).toBe('ok');
    expect((await say('newbie', 'tender add "Cache tender" value 100k years 1 deadline 15/01/2027')).outcome).toBe('ok');
  });

  it('gives every caller its own copy', async () => {
    const ws = await here.workspaces.get(WS);
    ws?.settings.coordinators.push('intruder');
    expect((await here.workspaces.get(WS))?.settings.coordinators).not.toContain('intruder');
  });

  it('lets another replica see a change within its TTL', async () => {
    expect((await there.workspaces.get(WS))?.settings.timezone).toBe('Europe/London');
    await here.workspaces.updateSettings(WS, { timezone: 'Europe/Dublin' });
    expect((await here.workspaces.get(WS))?.settings.timezone).toBe('Europe/Dublin');
    // Still the copy it read a moment ago…
    expect((await there.workspaces.get(WS))?.settings.timezone).toBe('Europe/London');
    // …until its TTL has passed.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await there.workspaces.get(WS))?.settings.timezone).toBe('Europe/Dublin');
  });

  it('reads every time with a TTL of 0', async () => {
    const uncached = await MongoStore.connect(uri, { workspaceTtlMs: 0, autoIndex: false });
    try {
      await here.workspaces.updateSettings(WS, { timezone: 'Europe/London' });
      expect((await uncached.workspaces.get(WS))?.settings.timezone).toBe('Europe/London');
      await here.workspaces.updateSettings(WS, { timezone: 'Europe/Dublin' });
      expect((await uncached.workspaces.get(WS))?.settings.timezone).toBe('Europe/Dublin');
    } finally {
      await uncached.close();
    }
  });
});
