/**
 * `npm run worker`: the BullMQ workers alone, delivering through every chat platform the
 * configuration enables (and printing console-workspace nudges). Several may run at once
 * against one Redis. SIGTERM (or Ctrl-C) lets in-flight nudges finish, or hands them
 * back to another worker, before exiting.
 */
import { ConsoleNotifier } from '../adapters/console/console.notifier.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startRuntime } from '../src/runtime.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, { process: 'worker' });
  const consoleNotifier = new ConsoleNotifier((text) => process.stdout.write(`${text}\n`));
  const runtime = await startRuntime(config, { consoleNotifier, workers: true, web: false, logger });
  logger.info({ prefix: config.QUEUE_PREFIX, timeScale: config.NUDGE_TIME_SCALE }, 'workers started');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers: finishing in-flight nudges');
    void runtime.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'workers did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration problem: ${err.message}\n` : `The worker could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
