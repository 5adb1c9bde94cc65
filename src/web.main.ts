/** `npm run web`: the HTTP process (Slack and Teams receivers, health, metrics, calendar feeds). */
import { ConfigError, loadConfig } from './config.js';
import { startRuntime } from './runtime.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const runtime = await startRuntime(config, { web: true, workers: false });
  runtime.log.info({ url: runtime.webUrl }, 'web process listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration problem: ${err.message}\n` : `Consortia web could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
