// The console chat: a scripted session through the real process, and the chat's own rules.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleChat } from '../../adapters/console/console.chat.js';
import { startTestCore, workspace, type TestCore } from '../helpers/core.js';
import { mongoUri, redisUrl, testDb } from '../helpers/services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function runConsole(input: string, db: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['adapters/console/console.main.ts'], {
      cwd: root,
      env: { ...process.env, MONGODB_URI: mongoUri(db), REDIS_URL: redisUrl(), PORT: '0', QUEUE_PREFIX: `t${Date.now()}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

describe('scripted console chat (npm start with a pipe)', () => {
  const db = testDb(import.meta.url);
  afterAll(async () => {
    const c = await mongoose.createConnection(mongoUri(db)).asPromise();
    await c.dropDatabase();
    await c.close();
  });

  it('seeds the demo workspace and answers each line, then exits', async () => {
    const r = await runConsole('help\norg list\ntender list\nas amara\norg show\n', db);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('coordinator> help');
    expect(r.out).toMatch(/4\d organisations in the directory/);
    expect(r.out).toContain('Open tenders');
    expect(r.out).toContain('Community mental health support');
    expect(r.out).toContain('amara> org show');
    expect(r.out).toContain('Easton Wellbeing Collective');
  }, 60_000);

  it('walks a demo tender from match to a formed consortium', async () => {
    const first = await runConsole('match T-3 pool directory top 1\npropose T-3 1\n', db);
    expect(first.out).toContain('Proposal 1');
    const ref = /Proposed (C-\d+)/.exec(first.out)?.[1];
    expect(ref).toBeDefined();
    const accepts = [...first.out.matchAll(/accept (C-\d+) for ([a-z0-9-]+)/g)].map((m) => `accept ${m[1]} for ${m[2]}`);
    const unique = [...new Set(accepts)];
    expect(unique.length).toBeGreaterThan(0);
    const second = await runConsole(`${unique.join('\n')}\nconsortium show ${ref}\n`, db);
    expect(second.out).toContain(`${ref} is formed`);
    expect(second.out).toContain(`${ref}: formed`);
  }, 90_000);
});

describe('console chat rules', () => {
  let t: TestCore;
  const lines: string[] = [];
  let chat: ConsoleChat;

  beforeAll(async () => {
    t = await startTestCore(import.meta.url);
    await workspace(t, 'c', 'boss');
    chat = new ConsoleChat(t.core, 'c', { write: (s) => lines.push(s) }, 'boss');
  });
  afterAll(async () => t.close());

  it('switches the acting user with "as"', async () => {
    await chat.line('as amara');
    expect(chat.actingUser).toBe('amara');
    await chat.line('as');
    expect(lines.at(-1)).toContain('Usage: as <user>');
    await chat.line('as boss');
  });

  it('presses a numbered button from the last reply', async () => {
    await chat.line('tender add "Test tender" value 100k years 1 deadline 15/01/2027');
    await chat.line('tender show T-1');
    lines.length = 0;
    await chat.line('1');
    expect(lines[0]).toContain('(pressed Express interest: interest T-1)');
    await chat.line('9');
    expect(lines.at(-1)).toMatch(/There (is no button|are no buttons)/);
  });

  it('explains that forms need a person at the terminal', async () => {
    lines.length = 0;
    await chat.line('org register');
    expect(lines.join('\n')).toContain('one-line form');
  });
});
