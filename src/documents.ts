/**
 * Where `tender import` reads from: files inside the configured import folders (never
 * elsewhere on the server) and public http(s) URLs (never loopback or private addresses).
 */
import { lookup } from 'node:dns/promises';
import { readFile, realpath, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { DocumentSource } from './core/ports.js';

const MAX_BYTES = 5 * 1024 * 1024;

export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 6) {
    const v = ip.toLowerCase();
    if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7));
    return v === '::1' || v === '::' || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
  }
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

export class ImportDocuments implements DocumentSource {
  constructor(private readonly folders: string[], private readonly fetchImpl: typeof fetch = fetch) {}

  async read(source: string): Promise<{ ok: true; text: string; name: string } | { ok: false; error: string }> {
    const s = source.trim().replace(/^<(.*)>$/, '$1').replace(/\|.*$/, '');
    if (/^https?:\/\//i.test(s)) return this.fromUrl(s);
    return this.fromFile(s);
  }

  private async fromFile(name: string): Promise<{ ok: true; text: string; name: string } | { ok: false; error: string }> {
    const notFound = { ok: false as const, error: `I can't find a file called "${name.slice(0, 80)}" in the import folder. Put the file there, or give a link.` };
    if (name.includes('\0') || name.length > 300) return notFound;
    for (const folder of this.folders) {
      const root = await realpath(folder).catch(() => null);
      if (!root) continue;
      const full = await realpath(path.resolve(root, name)).catch(() => null);
      if (!full || (full !== root && !full.startsWith(root + path.sep))) continue;
      const info = await stat(full).catch(() => null);
      if (!info?.isFile()) continue;
      if (info.size > MAX_BYTES) return { ok: false, error: `${path.basename(full)} is too large to import (the most is 5 MB).` };
      return { ok: true, text: await readFile(full, 'utf8'), name: path.basename(full) };
    }
    return notFound;
  }

  private async fromUrl(raw: string): Promise<{ ok: true; text: string; name: string } | { ok: false; error: string }> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, error: 'That link is not a valid web address.' };
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await lookup(host, { all: true }).then((r) => r.map((x) => x.address)).catch(() => []);
    if (addresses.length === 0) return { ok: false, error: `I couldn't reach ${host}.` };
    if (addresses.some(isPrivateAddress)) return { ok: false, error: 'I only fetch notices from public web addresses.' };
    try {
      const res = await this.fetchImpl(url, { redirect: 'error', signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
      if (!res.ok) return { ok: false, error: `${host} answered ${res.status}; check the link.` };
      const text = await res.text();
      if (text.length > MAX_BYTES) return { ok: false, error: 'That notice is too large to import (the most is 5 MB).' };
      return { ok: true, text, name: url.pathname.split('/').pop() || host };
    } catch {
      return { ok: false, error: `I couldn't fetch ${host} just now; try again or download the file into the import folder.` };
    }
  }
}
