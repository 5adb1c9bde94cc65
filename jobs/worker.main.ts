/**
 * `npm run worker`: the BullMQ workers alone. Several may run at once against one Redis.
 * SIGTERM (or Ctrl-C) lets in-flight nudges finish, or hands them back, before exiting.
 */
import { ConfigError, loadConfig } from '../src/config.js';
import { coreLog, createLogger } from '../src/log.js';
import { createNotifier } from '../src/notifier.factory.js';
import { MongoStore } from '../src/store/mongo.store.js';
import { startWorkers } from './workers.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, { process: 'worker' });
  const log = coreLog(logger);
  const store = await MongoStore.connect(config.MONGODB_URI, { autoIndex: config.NODE_ENV !== 'production' });
  const notifier = createNotifier({ write: (text) => process.stdout.write(`${text}\n`) });
  const workers = await startWorkers({
    store, notifier, log, redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, timeScale: config.NUDGE_TIME_SCALE,
  });
  logger.info({ prefix: config.QUEUE_PREFIX, timeScale: config.NUDGE_TIME_SCALE }, 'workers started');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers: finishing in-flight nudges');
    void workers.close()
      .then(() => store.close())
      .then(() => process.exit(0), (err: unknown) => {
        logger.error({ err }, 'workers did not stop cleanly');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration problem: ${err.message}\n` : `The worker could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
