// The web process for the load benchmark, in its own process as in production: the
// runtime `npm run web` starts (store, core, queue scheduler, Slack and Teams adapters,
// HTTP server), configured from the environment. Seeds one Slack and one Teams workspace,
// then prints `BENCH_READY <json>` and serves until SIGTERM.
//
//   tsx bench/load/web.process.ts <orgs> <tenders> <members per org> <platform stub URL> [cold]
//   (environment: see load.bench.ts; `cold`: Teams people have never written to the bot)
import { loadConfig } from '../../src/config.js';
import { Core } from '../../src/core/app.js';
import { createLogger } from '../../src/log.js';
import { startRuntime } from '../../src/runtime.js';
import type { MongoStore } from '../../src/store/mongo.store.js';
import { TeamsConversationStore } from '../../src/store/teams-conversation.store.js';
import { conversationRecordOf, userIdOf } from '../../adapters/teams/teams.activity.js';
import { seedWorkspace } from './seed.js';
import { personalMessage, SLACK_TEAM, TEAMS_TENANT } from './traffic.js';

const slackUser = (i: number): string => `U${String(i).padStart(6, '0')}`;
const teamsUser = (i: number): string => `aad-${String(i).padStart(6, '0')}`;

interface QueryTotal {
  count: number;
  ms: number;
}

/**
 * Counts database commands and the time each waited for its answer, by collection and
 * command, through the driver's command monitoring (the URI asks for it).
 */
function watchQueries(store: MongoStore): { reset(): void; totals(): Record<string, QueryTotal> } {
  const client = store.connection.getClient();
  const pending = new Map<number, string>();
  let totals = new Map<string, QueryTotal>();
  client.on('commandStarted', (e) => {
    const target = (e.command as Record<string, unknown>)[e.commandName];
    pending.set(e.requestId, `${typeof target === 'string' ? target : '-'}.${e.commandName}`);
  });
  const done = (e: { requestId: number; duration: number }) => {
    const key = pending.get(e.requestId) ?? '?';
    pending.delete(e.requestId);
    const t = totals.get(key) ?? { count: 0, ms: 0 };
    t.count++;
    t.ms += e.duration;
    totals.set(key, t);
  };
  client.on('commandSucceeded', done);
  client.on('commandFailed', done);
  return { reset: () => (totals = new Map()), totals: () => Object.fromEntries(totals) };
}

async function main(): Promise<void> {
  const orgs = Number(process.argv[2] ?? 60);
  const tenders = Number(process.argv[3] ?? 20);
  const membersPerOrg = Number(process.argv[4] ?? 3);
  const stubUrl = process.argv[5] ?? '';
  const cold = process.argv[6] === 'cold';
  const config = loadConfig();
  const runtime = await startRuntime(config, { web: true, workers: false, logger: createLogger(config.LOG_LEVEL, { process: 'web' }) });
  const { core, store } = runtime;
  if (!runtime.webUrl) throw new Error('the runtime started no web server');

  const queries = watchQueries(store);
  const seededAt = Date.now();
  // The seed builds the directory; it is not traffic. Its notifications (joins, invitations,
  // tasks) would each DM someone and refresh their App Home during the measured window, so
  // it runs through a core whose notifier drops them.
  const seedCore = new Core({ ...core.deps, notifier: { async send() {} } }, core.handlers);
  const [slackWs, teamsWs] = await Promise.all([
    seedWorkspace(seedCore, store, { workspaceId: `slack:${SLACK_TEAM}`, platform: 'slack', coordinator: 'U0COORD', userId: slackUser, orgs, tenders, membersPerOrg }),
    seedWorkspace(seedCore, store, { workspaceId: `teams:${TEAMS_TENANT}`, platform: 'teams', coordinator: 'aad-coord', userId: teamsUser, orgs, tenders, membersPerOrg }),
  ]);
  // People in the directory have talked to the bot before (that is how they registered), so
  // their Teams conversation and account are stored, as the receiver stored them then.
  if (!cold) {
    const conversations = new TeamsConversationStore(store.connection);
    await Promise.all([teamsWs.coordinator, ...teamsWs.users].map(async (user) => {
      const activity = personalMessage(stubUrl, TEAMS_TENANT, user, 'help');
      // The same record the receiver builds from such a message (the JSON has no SDK types).
      const rec = conversationRecordOf(activity as unknown as Parameters<typeof conversationRecordOf>[0], TEAMS_TENANT);
      if (rec) await conversations.saveConversation(rec);
      await conversations.saveUser({ tenantId: TEAMS_TENANT, userId: userIdOf(activity.from) ?? user, teamsId: activity.from.id, name: activity.from.name });
    }));
  }
  const seedMs = Date.now() - seededAt;

  queries.reset();
  // The benchmark signals the start of its measured window.
  process.on('SIGUSR2', () => queries.reset());
  process.stdout.write(`BENCH_READY ${JSON.stringify({ url: runtime.webUrl, seedMs, slack: slackWs, teams: teamsWs })}\n`);

  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`BENCH_QUERIES ${JSON.stringify(queries.totals())}\n`);
    void runtime.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench web process failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
