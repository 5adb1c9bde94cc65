#!/usr/bin/env node
// `npm test`: the whole check, in the order a failure is cheapest to read.
//
//   npm test                         dependencies, services, tsc, eslint, depcruise, vitest
//   npm test -- test/matching        extra arguments go to vitest
//   npm test -- --skip-checks test/matching   only vitest (services still ensured)
//
// Stops at the first failing step. Ends with one line `Tests: N passed, M failed[, K skipped]`
// read from vitest's JSON report, because CI reads that line rather than vitest's summary.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensure-deps.mjs';
import { ensureServices } from './services.mjs';
import { toolEnv } from './with-services.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VITEST_JSON = path.join('.data', 'vitest.json');

const CHECKS = [
  { title: 'Type check', command: 'tsc', args: ['--noEmit', '-p', 'tsconfig.json'] },
  { title: 'Lint', command: 'eslint', args: ['.'] },
  { title: 'Dependency rules', command: 'depcruise', args: ['--config', '.dependency-cruiser.cjs', 'src', 'adapters', 'jobs'] },
];

class StepFailed extends Error {}

function heading(title, detail) {
  process.stdout.write(`\n=== ${title}${detail ? `: ${detail}` : ''} ===\n`);
}

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env });
    child.once('error', (error) => {
      process.stderr.write(`Could not run ${command}: ${error.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(signal ? 128 + (os.constants.signals[signal] ?? 1) : (code ?? 1)));
  });
}

async function step(title, command, args, env) {
  heading(title, [command, ...args].join(' '));
  const code = await run(command, args, env);
  if (code !== 0) throw new StepFailed(`${title} failed (${command} exited with code ${code}).`);
}

/**
 * Counts from vitest's JSON report. A file that fails to load has no test results of its
 * own, so it counts as one failed test: otherwise a broken file would read "0 failed".
 */
function countTests(report) {
  const unloadable = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
  );
  for (const file of unloadable) process.stdout.write(`Could not run ${path.relative(ROOT, file.name)}: ${(file.message ?? '').split('\n')[0]}\n`);
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + unloadable.length,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

async function runVitest(extraArgs, env) {
  const reportFile = path.join(ROOT, VITEST_JSON);
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  fs.rmSync(reportFile, { force: true });
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${VITEST_JSON}`, ...extraArgs];
  heading('Tests', ['vitest', ...args].join(' '));
  const code = await run('vitest', args, env);

  let report;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  } catch {
    throw new StepFailed(`Tests failed: vitest exited with code ${code} without writing ${VITEST_JSON}.`);
  }
  const { passed, failed, skipped } = countTests(report);
  process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  if (code !== 0) throw new StepFailed(`Tests failed (vitest exited with code ${code}).`);
}

/** Hides credentials in a service URI before it is printed into a CI log. */
function redact(uri) {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

async function main(argv) {
  const skipChecks = argv.includes('--skip-checks');
  const vitestArgs = argv.filter((arg) => arg !== '--skip-checks');

  heading('Dependencies');
  await ensureDeps();
  heading('Services');
  const services = await ensureServices();
  process.stdout.write(`MongoDB: ${redact(services.mongodbUri)}\nRedis: ${redact(services.redisUrl)}\n`);

  const env = toolEnv(services);
  if (!skipChecks) for (const check of CHECKS) await step(check.title, check.command, check.args, env);
  await runVitest(vitestArgs, env);
  process.stdout.write(skipChecks ? '\nTests passed (tsc, eslint and depcruise were skipped).\n' : '\nAll checks passed.\n');
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error) => {
    process.stdout.write(`\n${error instanceof StepFailed ? error.message : `npm test stopped: ${error instanceof Error ? error.message : String(error)}`}\n`);
    process.exit(1);
  },
);
