// `npm run teams:package` builds an app package Teams accepts: a ZIP whose central
// directory lists manifest.json and the two icons at the top level, a manifest that names
// the bot and only real commands, and icons of the sizes and colours Teams requires.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allHandlers } from '../../src/core/handlers/index.js';

const APP_ID = '0b7e3c1a-2d4f-4e6a-9b8c-7d6e5f4a3b2c';
const dir = mkdtempSync(path.join(tmpdir(), 'consortia-teams-'));
const out = path.join(dir, 'consortia-teams.zip');
let files: Map<string, Buffer>;
let stdout: string;

/** Bit by bit, independently of the writer's table-driven CRC. */
function slowCrc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Reads a ZIP through its central directory, checking each local header and CRC. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(method).toBe(0);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    expect(slowCrc32(data), `CRC of ${name}`).toBe(crc);
    out.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

/** Width, height, colour type and RGBA pixels of a non-interlaced 8-bit PNG with no filtering. */
function readPng(png: Buffer): { width: number; height: number; colourType: number; pixel(x: number, y: number): number[] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let at = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('ascii');
    const data = png.subarray(at + 8, at + 8 + length);
    expect(slowCrc32(png.subarray(at + 4, at + 8 + length)), `CRC of ${type}`).toBe(png.readUInt32BE(at + 8 + length));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colourType = data[9] as number;
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  return { width, height, colourType, pixel: (x, y) => [...raw.subarray(y * stride + 1 + x * 4, y * stride + 1 + x * 4 + 4)] };
}

beforeAll(async () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const run = await promisify(execFile)(path.join(root, 'node_modules', '.bin', 'tsx'), ['adapters/teams/package.script.ts', '--app-id', APP_ID, '--website', 'https://vcse.example.org', '--out', out], { cwd: root });
  stdout = run.stdout;
  files = unzip(readFileSync(out));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Teams app package', () => {
  it('is a ZIP with the manifest and both icons at the top level', () => {
    expect(stdout).toContain('consortia-teams.zip');
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('has a manifest naming the bot, its scopes and real commands with descriptions', () => {
    const m = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(m.manifestVersion).toBe('1.17');
    expect(m.id).toBe(APP_ID);
    expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(m.developer.privacyUrl).toBe('https://vcse.example.org/privacy');
    expect(m.name.short.length).toBeLessThanOrEqual(30);
    expect(m.description.short.length).toBeLessThanOrEqual(80);
    expect(m.description.full.length).toBeLessThanOrEqual(4000);
    expect(m.accentColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
    expect(JSON.stringify(m)).not.toMatch(/\{\{/);
    const [bot] = m.bots;
    expect(bot.botId).toBe(APP_ID);
    expect(bot.scopes).toEqual(expect.arrayContaining(['personal', 'team']));
    const known = new Set(allHandlers().map((h) => h.path.join(' ')));
    const scopes = bot.commandLists.flatMap((l: { scopes: string[] }) => l.scopes);
    expect(scopes).toEqual(expect.arrayContaining(['personal', 'team']));
    for (const list of bot.commandLists) {
      expect(list.commands.length).toBeGreaterThan(0);
      expect(list.commands.length).toBeLessThanOrEqual(10);
      for (const c of list.commands) {
        expect(known.has(c.title), c.title).toBe(true);
        expect(c.title.length).toBeLessThanOrEqual(32);
        expect(c.description.length).toBeGreaterThan(0);
        expect(c.description.length).toBeLessThanOrEqual(128);
      }
    }
    expect(m.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('has a 192×192 opaque colour icon', () => {
    const png = readPng(files.get('color.png')!);
    expect([png.width, png.height, png.colourType]).toEqual([192, 192, 6]);
    for (const [x, y] of [[0, 0], [191, 191], [96, 20]] as const) expect(png.pixel(x, y)[3]).toBe(255);
    // Not a flat square: the rings are there.
    const colours = new Set<string>();
    for (let x = 0; x < 192; x += 3) colours.add(png.pixel(x, 100).slice(0, 3).join());
    expect(colours.size).toBeGreaterThan(2);
  });

  it('has a 32×32 outline icon that is only white on transparent', () => {
    const png = readPng(files.get('outline.png')!);
    expect([png.width, png.height, png.colourType]).toEqual([32, 32, 6]);
    let transparent = 0;
    let solid = 0;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const [r, g, b, a] = png.pixel(x, y);
        expect([r, g, b]).toEqual([255, 255, 255]);
        if (a === 0) transparent++;
        if (a === 255) solid++;
      }
    }
    expect(transparent).toBeGreaterThan(300);
    expect(solid).toBeGreaterThan(50);
  });
});
