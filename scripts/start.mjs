#!/usr/bin/env node
// `npm start`: installs dependencies if needed, makes MongoDB (FerretDB) and Redis
// available, then runs the product locally with the console chat.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensure-deps.mjs';
import { ensureServices, ServicesError } from './services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = !process.stdin.isTTY;

try {
  await ensureDeps();
  const { mongodbUri, redisUrl } = await ensureServices({ quiet });
  // The local database is called consortia unless MONGODB_URI names one.
  const named = /^mongodb(\+srv)?:\/\/[^/]+\/[^/?]+/.test(mongodbUri);
  const env = { ...process.env, MONGODB_URI: named ? mongodbUri : mongodbUri.replace(/\/?(\?.*)?$/, '/consortia$1'), REDIS_URL: redisUrl };
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [path.join(root, 'adapters', 'console', 'console.main.ts')], { stdio: 'inherit', env, cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} catch (err) {
  process.stderr.write(`${err instanceof ServicesError ? err.message : `Could not start: ${err?.message ?? err}`}\n`);
  process.exit(1);
}
