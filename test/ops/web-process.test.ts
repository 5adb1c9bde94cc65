// `npm run web` as a real process: it starts on the real MongoDB and Redis, answers its
// operational endpoints, logs JSON lines, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoUri, redisUrl, testDb, uniquePrefix } from '../helpers/services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DB = testDb(import.meta.url);
const SECRET = 'admin-password-that-must-not-be-logged';

let child: ChildProcess;
let url = '';
let exited: Promise<number | null>;
const lines: string[] = [];

function waitForLine(match: (entry: Record<string, unknown>) => boolean, ms: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      for (const l of lines) {
        try {
          const entry = JSON.parse(l) as Record<string, unknown>;
          if (match(entry)) {
            clearInterval(timer);
            resolve(entry);
            return;
          }
        } catch {
          // not JSON; the test on log shape reports it
        }
      }
      if (Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error(`no matching log line in ${ms} ms; got:\n${lines.join('\n')}`));
      }
    }, 50);
  });
}

beforeAll(async () => {
  child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/web.main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: mongoUri(DB),
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: uniquePrefix('web_process'),
      ADMIN_PASSWORD: SECRET,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = await Promise.race([
    waitForLine((e) => e.msg === 'web process listening', 30_000),
    exited.then((code) => {
      throw new Error(`web process exited (${code}) before listening: ${stderr}`);
    }),
  ]);
  url = String(listening.url);
}, 45_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  const conn = await mongoose.createConnection(mongoUri(DB)).asPromise();
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

describe('the web process', () => {
  it('answers GET /healthz', async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('becomes ready once MongoDB and Redis answer', async () => {
    let last: unknown;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${url}/readyz`);
      last = await res.json();
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last).toEqual({ status: 'ready', checks: { mongodb: true, redis: true } });
  });

  it('exposes Prometheus metrics', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('# TYPE consortia_commands_total counter');
    expect(body).toContain('# TYPE consortia_command_seconds histogram');
    expect(body).toContain('consortia_process_resident_memory_bytes');
  });

  it('answers an unknown calendar token with 404', async () => {
    expect((await fetch(`${url}/calendar/${'A'.repeat(32)}.ics`)).status).toBe(404);
  });

  it('stops on SIGTERM with exit code 0, logging JSON lines without secrets', async () => {
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(code).toBe(0);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      const entry = JSON.parse(l) as Record<string, unknown>;
      expect(entry).toMatchObject({ service: 'consortia' });
      expect(typeof entry.time).toBe('string');
    }
    expect(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg?.startsWith('shutting down'))).toBe(true);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});
