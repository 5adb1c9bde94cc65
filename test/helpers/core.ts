// A core wired to a real MongoStore on a fresh test database, with ports that record what
// they were asked to do, for tests that drive commands end to end.
import { Core } from '../../src/core/app.js';
import type { Command } from '../../src/core/command.js';
import type { CoreDeps, Handler } from '../../src/core/context.js';
import type { Workspace } from '../../src/core/domain.js';
import { allHandlers } from '../../src/core/handlers/index.js';
import type { Clock, Notifier, Recipient, Scheduler } from '../../src/core/ports.js';
import { replyText, type Reply } from '../../src/core/reply.js';
import { MongoStore } from '../../src/store/mongo.store.js';
import { ReadCache } from '../../src/store/read.cache.js';
import { RedisRevisionBoard } from '../../src/store/revisions.js';
import { mongoUri, redisUrl, testDb, uniquePrefix } from './services.js';

export interface Sent {
  workspaceId: string;
  to: Recipient;
  text: string;
  reply: Reply;
}

export class RecordingNotifier implements Notifier {
  readonly sent: Sent[] = [];
  async send(ws: Workspace, to: Recipient, message: Reply): Promise<void> {
    this.sent.push({ workspaceId: ws.id, to, text: replyText(message), reply: message });
  }
  to(userId: string): Sent[] {
    return this.sent.filter((s) => s.to.kind === 'user' && s.to.userId === userId);
  }
}

export class RecordingScheduler implements Scheduler {
  readonly tasks: string[] = [];
  readonly consortia: string[] = [];
  async taskChanged(ws: string, ref: string): Promise<void> {
    this.tasks.push(`${ws}/${ref}`);
  }
  async consortiumChanged(ws: string, ref: string): Promise<void> {
    this.consortia.push(`${ws}/${ref}`);
  }
}

export class FixedClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
}

export interface TestCore {
  core: Core;
  store: MongoStore;
  notifier: RecordingNotifier;
  scheduler: RecordingScheduler;
  clock: FixedClock;
  /** Runs a text command as a user of a workspace and returns the reply with its text. */
  say(workspaceId: string, userId: string, text: string): Promise<Reply & { text: string }>;
  close(): Promise<void>;
}

/**
 * A core on its own database. Reads go through the read cache on the real Redis, as in the
 * running product, so every test that reads after a write also checks that the write reached
 * the cache (`cache: false` for a store without one).
 */
export async function startTestCore(fileUrl: string, opts: { now?: Date; extra?: Handler[]; deps?: Partial<CoreDeps>; cache?: boolean } = {}): Promise<TestCore> {
  const cache = opts.cache === false ? undefined : new ReadCache(new RedisRevisionBoard(redisUrl(), uniquePrefix(fileUrl.split('/').pop() ?? 'core')));
  const store = await MongoStore.connect(mongoUri(testDb(fileUrl)), cache ? { cache } : {});
  const notifier = new RecordingNotifier();
  const scheduler = new RecordingScheduler();
  const clock = new FixedClock(opts.now ?? new Date('2026-11-24T10:00:00Z'));
  const core = new Core({ store, clock, scheduler, notifier, slowMatchPool: 20, ...opts.deps }, allHandlers(opts.extra ?? []));
  return {
    core, store, notifier, scheduler, clock,
    async say(workspaceId, userId, text) {
      const cmd: Command = { actor: { workspaceId, platform: 'console', userId }, text };
      let r = await core.handle(cmd);
      if (r.followUp) r = await r.followUp();
      return { ...r, text: replyText(r) };
    },
    async close() {
      await store.connection.dropDatabase().catch(() => undefined);
      await store.close();
    },
  };
}

/** Creates a workspace with a coordinator. */
export async function workspace(t: TestCore, id: string, coordinator = 'coord'): Promise<void> {
  await t.store.workspaces.ensure(id, 'console', id, coordinator);
}
