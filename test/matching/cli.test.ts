import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instance, lead, org } from './builders.js';
import { solveMatch } from '../../src/core/matching/match.engine.js';

const root = join(import.meta.dirname, '..', '..');
let dir = '';

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/match.cli.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const feasible = instance([{ service: 'advice', area: 'Southmead' }], [lead('lead'), org('a')]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'match-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('match command line', () => {
  it('prints the answer JSON and nothing else', () => {
    const r = run(file('ok.json', JSON.stringify(feasible)));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(solveMatch(feasible));
  });

  it('prints the gap report for an infeasible tender, which is not an error', () => {
    const none = instance([{ service: 'youth-work', area: 'Filton' }], [lead('lead')]);
    const r = run(file('none.json', JSON.stringify(none)));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ feasible: false, proposals: [], gaps: { reasons: ['uncoverable-cells'] } });
  });

  it('works through npm run --silent match', () => {
    const r = spawnSync('npm', ['run', '--silent', 'match', '--', file('npm.json', JSON.stringify(feasible))], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(solveMatch(feasible));
  });

  it.each([
    ['bad JSON', 'broken.json', '{"tender": ', /is not valid JSON/],
    ['a missing field', 'missing.json', JSON.stringify({ ...feasible, orgs: [{ id: 'x' }] }), /orgs\[0\]\.services is missing/],
    ['a wrong type', 'type.json', JSON.stringify({ ...feasible, top: 'five' }), /top must be a number/],
  ])('fails with one line on stderr for %s', (_what, name, content, message) => {
    const r = run(file(name, content));
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('fails with one line on stderr for a missing file', () => {
    const r = run(join(dir, 'nowhere.json'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(/^cannot read .*nowhere\.json: no such file$/);
  });
});
