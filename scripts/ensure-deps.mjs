#!/usr/bin/env node
// Installs npm dependencies when node_modules is missing or out of date, so `npm test` and
// the service scripts work on a fresh clone. Node builtins only: this runs before any
// package is installed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE_JSON = path.join(ROOT, 'package.json');
const LOCK = path.join(ROOT, 'package-lock.json');
const NODE_MODULES = path.join(ROOT, 'node_modules');
// npm rewrites its hidden lockfile on every install, so its mtime is "when node_modules was
// last installed"; the directory's own mtime is not (it changes only when entries change).
const NPM_MARKER = path.join(NODE_MODULES, '.package-lock.json');
// Our own stamp holds a hash of what was installed, so editing package.json's `scripts`
// does not trigger a reinstall while someone else is running tests.
const STAMP = path.join(NODE_MODULES, '.consortia-deps');

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Hash of everything that decides what npm installs. */
function dependencyHash() {
  const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8'));
  const hash = createHash('sha256');
  for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides']) {
    hash.update(`${key}=${JSON.stringify(pkg[key] ?? null)}\n`);
  }
  if (fs.existsSync(LOCK)) hash.update(fs.readFileSync(LOCK));
  return hash.digest('hex');
}

/**
 * Why an install is needed, or undefined when node_modules is current: either our stamp
 * matches the manifests, or npm installed after the manifests last changed (someone ran
 * `npm install` by hand).
 */
function staleReason(hash) {
  if (!fs.existsSync(NODE_MODULES)) return 'node_modules is missing';
  let stamp;
  try {
    stamp = fs.readFileSync(STAMP, 'utf8').trim();
  } catch {
    stamp = undefined;
  }
  if (stamp === hash) return undefined;
  const installedAt = mtimeMs(NPM_MARKER) ?? mtimeMs(NODE_MODULES) ?? 0;
  const newest = Math.max(mtimeMs(LOCK) ?? 0, mtimeMs(PACKAGE_JSON) ?? 0);
  return newest > installedAt ? 'node_modules is older than package-lock.json' : undefined;
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    // npm's stdout goes to our stderr so callers can keep stdout for their own output.
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

/**
 * Runs `npm ci` (or `npm install` when there is no lockfile) if node_modules is missing or
 * older than the manifests. Resolves when dependencies are in place; rejects if npm fails.
 */
export async function ensureDeps() {
  const hash = dependencyHash();
  const reason = staleReason(hash);
  if (reason === undefined) {
    writeStamp(hash);
    return;
  }
  const args = fs.existsSync(LOCK) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  process.stderr.write(`Installing npm dependencies (${reason}): npm ${args.join(' ')}\n`);
  const code = await run('npm', args);
  if (code !== 0) throw new Error(`npm ${args[0]} failed with exit code ${code}; see the output above.`);
  // `npm install` may rewrite package-lock.json, so hash again after it.
  writeStamp(dependencyHash());
}

function writeStamp(hash) {
  try {
    if (fs.readFileSync(STAMP, 'utf8').trim() === hash) return;
  } catch {
    // no stamp yet
  }
  fs.writeFileSync(STAMP, `${hash}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureDeps().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
