/**
 * Where `tender import` reads from: files inside the configured import folders (never
 * elsewhere on the server) and public http(s) URLs (never loopback or private addresses).
 */
import { lookup } from 'node:dns/promises';
import { readFile, realpath, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
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

export type Resolve = (host: string) => Promise<string[]>;

const systemResolve: Resolve = (host) => lookup(host, { all: true }).then((r) => r.map((x) => x.address));

export type Fetched = { ok: true; text: string } | { ok: false; status?: number; reason: 'status' | 'too-large' | 'network' };

/**
 * GETs `url` from `address`, the address already checked, whatever the host name resolves
 * to by then: the connection is pinned, so a name that resolves to a public address for the
 * check and to a private one for the request (DNS rebinding) cannot reach inside. TLS still
 * verifies the certificate against the host name. No redirects; the body is cut off at
 * `maxBytes` rather than buffered whole.
 */
export function fetchPinned(url: URL, address: string, opts: { timeoutMs: number; maxBytes: number }): Promise<Fetched> {
  const family = isIP(address);
  // Node asks for every address (`all`) when it races IPv4 and IPv6, else for one.
  type Answer = (err: null, found: string | { address: string; family: number }[], family?: number) => void;
  const pinned = ((_host: string, options: { all?: boolean }, callback: Answer) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
  const get = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = get(url, { method: 'GET', lookup: pinned, timeout: opts.timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        resolve({ ok: false, status, reason: 'status' });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) {
          req.destroy();
          resolve({ ok: false, reason: 'too-large' });
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ ok: false, reason: 'network' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ok: false, reason: 'network' }));
    req.end();
  });
}

export interface ImportDocumentsOptions {
  /** Resolves a host name to its addresses. @defaultValue the system resolver */
  resolve?: Resolve;
  /** @defaultValue 10000 */
  timeoutMs?: number;
}

export class ImportDocuments implements DocumentSource {
  private readonly resolve: Resolve;
  private readonly timeoutMs: number;

  constructor(private readonly folders: string[], opts: ImportDocumentsOptions = {}) {
    this.resolve = opts.resolve ?? systemResolve;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

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
    const addresses = isIP(host) ? [host] : await this.resolve(host).catch(() => []);
    const address = addresses[0];
    if (!address) return { ok: false, error: `I couldn't reach ${host}.` };
    if (addresses.some(isPrivateAddress)) return { ok: false, error: 'I only fetch notices from public web addresses.' };
    const res = await fetchPinned(url, address, { timeoutMs: this.timeoutMs, maxBytes: MAX_BYTES });
    if (res.ok) return { ok: true, text: res.text, name: url.pathname.split('/').pop() || host };
    if (res.reason === 'status') return { ok: false, error: `${host} answered ${res.status}; check the link.` };
    if (res.reason === 'too-large') return { ok: false, error: 'That notice is too large to import (the most is 5 MB).' };
    return { ok: false, error: `I couldn't fetch ${host} just now; try again or download the file into the import folder.` };
  }
}
