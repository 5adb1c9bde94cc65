/**
 * `npm start`: the product locally. Connects to the services the start script made
 * available, seeds the demo workspace on first run, runs the web server and the workers,
 * and opens the console chat as the demo coordinator.
 */
import { createInterface } from 'node:readline';
import { loadConfig, ConfigError } from '../../src/config.js';
import { DEMO_COORDINATOR, DEMO_WORKSPACE, seedDemo } from '../../src/demo/demo.seed.js';
import { createLogger } from '../../src/log.js';
import { startRuntime } from '../../src/runtime.js';
import { ConsoleChat } from './console.chat.js';
import { ConsoleNotifier } from './console.notifier.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const interactive = Boolean(process.stdin.isTTY);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const logger = createLogger(interactive ? config.LOG_LEVEL : 'error');
  const runtime = await startRuntime(config, { consoleNotifier: new ConsoleNotifier(out), web: true, workers: true, logger });
  const seeded = await seedDemo(runtime.store, new Date());

  const rl = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  const ask = interactive ? (q: string) => new Promise<string>((resolve) => rl.question(q, resolve)) : undefined;
  const chat = new ConsoleChat(runtime.core, DEMO_WORKSPACE, { write: out, ...(ask ? { ask } : {}) }, DEMO_COORDINATOR);

  if (interactive) {
    out(`Consortia — console chat${seeded ? ' (demo workspace created: 44 Bristol organisations, 3 tenders)' : ''}.`);
    if (runtime.webUrl) out(`Web server on ${runtime.webUrl} (health: ${runtime.webUrl}/healthz).`);
    out(`You are ${DEMO_COORDINATOR}, the demo coordinator. Type help to start, "as amara" to speak as someone else, quit to leave.`);
  }

  let closing = false;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    rl.close();
    await runtime.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  if (interactive) {
    rl.setPrompt(chat.prompt());
    rl.prompt();
    // Lines are handled one at a time so replies stay in order.
    let queue = Promise.resolve();
    rl.on('line', (line) => {
      queue = queue.then(async () => {
        if (/^\s*(quit|exit)\s*$/i.test(line)) return shutdown(0);
        await chat.line(line);
        rl.setPrompt(chat.prompt());
        rl.prompt();
      });
    });
    rl.on('close', () => void queue.then(() => shutdown(0)));
  } else {
    for await (const line of rl) {
      if (/^\s*(quit|exit)\s*$/i.test(line)) break;
      if (line.trim()) out(`\n${chat.prompt()}${line.trim()}`);
      await chat.line(line);
    }
    await shutdown(0);
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration problem: ${err.message}\n`);
  } else {
    process.stderr.write(`Consortia could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
