// The web side for the load benchmark, in its own process as in production: the store,
// the core with the queue scheduler, the Slack and Teams adapters and the HTTP server,
// composed from the same parts as src/runtime.ts. Seeds one Slack and one Teams workspace
// first, then prints `BENCH_READY <json>` and serves until SIGTERM.
//
//   tsx bench/load/web.process.ts <orgs> <tenders> <members per org>   (environment: see load.bench.ts)
import { createSlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { createTeamsAdapter } from '../../adapters/teams/teams.adapter.js';
import { loadConfig } from '../../src/config.js';
import { Core } from '../../src/core/app.js';
import { calendarFeed } from '../../src/core/calendar/feed.js';
import { allHandlers } from '../../src/core/handlers/index.js';
import { systemClock } from '../../src/core/ports.js';
import { coreLog, createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { NotifierRouter } from '../../src/notify.router.js';
import { createQueueScheduler, extraHandlers, redisReady } from '../../src/runtime.jobs.js';
import { startServer } from '../../src/server.js';
import { MongoStore } from '../../src/store/mongo.store.js';
import { seedWorkspace } from './seed.js';

export const SLACK_TEAM = 'T0BENCH';
export const TEAMS_TENANT = 'bench-tenant-0001';

const slackUser = (i: number): string => `U${String(i).padStart(6, '0')}`;
const teamsUser = (i: number): string => `aad-${String(i).padStart(6, '0')}`;

async function main(): Promise<void> {
  const orgs = Number(process.argv[2] ?? 60);
  const tenders = Number(process.argv[3] ?? 20);
  const membersPerOrg = Number(process.argv[4] ?? 3);
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, { process: 'web' });
  const metrics = new Metrics();
  const store = await MongoStore.connect(config.MONGODB_URI, { autoIndex: true });
  const notifier = new NotifierRouter();
  const queue = await createQueueScheduler(config, store, log, metrics);
  const core = new Core(
    { store, clock: systemClock, scheduler: queue.scheduler, notifier, log: coreLog(log), metrics, publicUrl: 'http://127.0.0.1' },
    allHandlers(extraHandlers()),
  );
  const slack = await createSlackAdapter({ core, store, config, log, metrics });
  const teams = await createTeamsAdapter({ core, store, config, log, metrics });
  notifier.register('slack', slack.notifier);
  notifier.register('teams', teams.notifier);

  const seededAt = Date.now();
  const [slackWs, teamsWs] = await Promise.all([
    seedWorkspace(core, store, { workspaceId: `slack:${SLACK_TEAM}`, platform: 'slack', coordinator: 'U0COORD', userId: slackUser, orgs, tenders, membersPerOrg }),
    seedWorkspace(core, store, { workspaceId: `teams:${TEAMS_TENANT}`, platform: 'teams', coordinator: 'aad-coord', userId: teamsUser, orgs, tenders, membersPerOrg }),
  ]);
  const seedMs = Date.now() - seededAt;

  const server = await startServer(
    {
      log, metrics, adapters: [slack.web, teams.web],
      ready: { mongodb: () => store.ping(), redis: () => redisReady(config) },
      calendar: (token) => calendarFeed(store, token, new Date()),
      beforeScrape: () => queue.refreshGauges(),
    },
    0,
    '127.0.0.1',
  );
  process.stdout.write(`BENCH_READY ${JSON.stringify({ url: server.url, seedMs, slack: slackWs, teams: teamsWs })}\n`);

  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await server.close(5000);
      await queue.close();
      await store.close();
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench web process failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
