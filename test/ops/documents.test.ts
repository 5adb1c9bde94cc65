// Where `tender import` may fetch from: the address that passed the public-address check is
// the one connected to, so a host name that later resolves inside (DNS rebinding) cannot
// reach a private service; responses are bounded and redirects not followed.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportDocuments, fetchPinned } from '../../src/documents.js';

const RELEASE = readFileSync(new URL('../../../shared/data/ocds/cf-Release49.json', import.meta.url), 'utf8');

let server: Server;
let port = 0;
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    if (req.url === '/release.json') res.writeHead(200, { 'content-type': 'application/json' }).end(RELEASE);
    else if (req.url === '/moved') res.writeHead(302, { location: '/release.json' }).end();
    else if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"releases": [${'"x",'.repeat(2000)}`);
      res.end('"x"]}');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('fetching from a checked address', () => {
  const opts = { timeoutMs: 2000, maxBytes: 5000 };

  it('connects to the address given, whatever the name, and sends the name as the host', async () => {
    const before = seen.length;
    const res = await fetchPinned(new URL(`http://notices.example.invalid:${port}/release.json`), '127.0.0.1', opts);
    expect(res).toEqual({ ok: true, text: RELEASE });
    expect(seen.slice(before).map((r) => r.headers.host)).toEqual([`notices.example.invalid:${port}`]);
  });

  it('does not follow redirects', async () => {
    const before = seen.length;
    const res = await fetchPinned(new URL(`http://notices.example.invalid:${port}/moved`), '127.0.0.1', opts);
    expect(res).toEqual({ ok: false, status: 302, reason: 'status' });
    expect(seen.slice(before).map((r) => r.url)).toEqual(['/moved']);
  });

  it('reports an error status', async () => {
    expect(await fetchPinned(new URL(`http://notices.example.invalid:${port}/gone`), '127.0.0.1', opts)).toEqual({ ok: false, status: 404, reason: 'status' });
  });

  it('stops reading a response larger than the limit', async () => {
    expect(await fetchPinned(new URL(`http://notices.example.invalid:${port}/huge`), '127.0.0.1', opts)).toEqual({ ok: false, reason: 'too-large' });
  });
});

describe('links to notices', () => {
  it('refuses a name that resolves to a private address, without a request', async () => {
    const before = seen.length;
    const docs = new ImportDocuments([], { resolve: async () => ['127.0.0.1'] });
    const res = await docs.read(`http://notices.example.invalid:${port}/release.json`);
    expect(res).toEqual({ ok: false, error: 'I only fetch notices from public web addresses.' });
    expect(seen.length).toBe(before);
  });

  it('refuses a name with any private address among its answers', async () => {
    const docs = new ImportDocuments([], { resolve: async () => ['203.0.113.7', '10.1.2.3'] });
    expect(await docs.read('https://notices.example.invalid/release.json')).toEqual({ ok: false, error: 'I only fetch notices from public web addresses.' });
  });

  it('resolves once and connects to what it checked, so a rebinding name cannot reach inside', async () => {
    const before = seen.length;
    let calls = 0;
    // Public for the check, loopback for anyone who asks again.
    const docs = new ImportDocuments([], { timeoutMs: 300, resolve: async () => (++calls === 1 ? ['203.0.113.7'] : ['127.0.0.1']) });
    const res = await docs.read(`http://rebind.example.invalid:${port}/release.json`);
    expect(res.ok).toBe(false);
    expect(calls).toBe(1);
    expect(seen.length).toBe(before);
  });

  it('says plainly when a name does not resolve', async () => {
    const docs = new ImportDocuments([], { resolve: async () => [] });
    expect(await docs.read('https://nowhere.example.invalid/x.json')).toEqual({ ok: false, error: "I couldn't reach nowhere.example.invalid." });
  });
});
