#!/usr/bin/env node
// Runs a command with the project's services up and their addresses in its environment:
//
//   node scripts/with-services.mjs tsx bench/nudges.bench.ts
//
// Installs npm dependencies if needed, ensures MongoDB (FerretDB) and Redis, then runs the
// command with MONGODB_URI and REDIS_URL set and node_modules/.bin first on PATH, and exits
// with its exit code.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensure-deps.mjs';
import { ensureServices } from './services.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The environment for project tools: local binaries first on PATH, service addresses set. */
export function toolEnv(services) {
  return {
    ...process.env,
    PATH: [path.join(ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(path.delimiter),
    MONGODB_URI: services.mongodbUri,
    REDIS_URL: services.redisUrl,
  };
}

async function main([command, ...args]) {
  if (!command) {
    process.stderr.write('Usage: node scripts/with-services.mjs <command> [args...]\n');
    return 2;
  }
  await ensureDeps();
  const services = await ensureServices();
  const child = spawn(command, args, { cwd: process.cwd(), stdio: 'inherit', env: toolEnv(services) });
  // The child shares our terminal, so Ctrl-C reaches it directly; forward what is sent to us alone.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`Could not run ${command}: ${error.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(signal ? 128 + (os.constants.signals[signal] ?? 1) : (code ?? 1)));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
