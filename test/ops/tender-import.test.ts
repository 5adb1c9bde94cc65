// `tender import` end to end: real Contracts Finder releases (and packages wrapping them)
// read from the import folder through the document source the web process uses, into
// draft tenders on the real store; bad input gets one clear reply and creates nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportDocuments } from '../../src/documents.js';
import { startOpsCore, type OpsCore } from './ops-core.js';

const DATA = fileURLToPath(new URL('../../../shared/data/ocds/', import.meta.url));
const FILES = readdirSync(DATA).filter((f) => f.endsWith('.json')).sort();
const WS = 'imports';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free-form JSON
const load = (name: string): Json => JSON.parse(readFileSync(path.join(DATA, name), 'utf8')) as Json;

let t: OpsCore;
let dir = '';
let web: Server;
let webHits = 0;
let webUrl = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'consortia-import-'));
  const folder = path.join(dir, 'imports');
  mkdirSync(folder);
  for (const f of FILES) copyFileSync(path.join(DATA, f), path.join(folder, f));
  const releases = FILES.map(load);
  writeFileSync(path.join(folder, 'release-package.json'), JSON.stringify({
    uri: 'https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search', version: '1.1',
    publishedDate: '2025-02-01T00:00:00Z', publisher: { name: 'Crown Commercial Service' }, releases,
  }));
  writeFileSync(path.join(folder, 'record-package.json'), JSON.stringify({
    uri: 'https://example.org/records.json', version: '1.1', publishedDate: '2025-02-01T00:00:00Z',
    records: [{ ocid: releases[4]?.ocid, releases: [releases[4]], compiledRelease: releases[4] }],
  }));
  writeFileSync(path.join(folder, 'broken.json'), '{"releases": [ {"ocid": "ocds-x", ');
  writeFileSync(path.join(folder, 'not-ocds.json'), JSON.stringify({ name: 'Spring fair', stalls: 12 }));
  writeFileSync(path.join(folder, 'empty-package.json'), JSON.stringify({ uri: 'x', releases: [] }));
  writeFileSync(path.join(dir, 'outside.json'), JSON.stringify(releases[0]));

  // A local web server holding a real release: an import must never reach it.
  web = createServer((_req, res) => {
    webHits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(releases[0]));
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;

  t = await startOpsCore(import.meta.url, { documents: new ImportDocuments([folder]) });
  await t.store.workspaces.ensure(WS, 'console', WS, 'coord');
});

afterAll(async () => {
  await t.close();
  await new Promise<void>((r) => web.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const tenders = () => t.store.scoped(WS).tenders.find({}, { sort: { ref: 1 } });

describe('importing real Contracts Finder notices', () => {
  it('makes a draft with the notice\'s title, buyer, value and deadline, and lists what is missing', async () => {
    const raw = load('cf-Release49.json');
    const r = await t.say(WS, 'coord', 'tender import cf-Release49.json');
    expect(r.outcome).toBe('ok');
    expect(r.text).toContain('Draft T-1: Pan London Sexual Violence Support Service');
    expect(r.text).toContain("Buyer: Mayor's Office for Policing and Crime");
    expect(r.text).toContain('Submission deadline: Fri 24 Jan 2025, 12:00');
    expect(r.text).toContain('Missing from the notice');
    expect(r.text).toContain('clarification deadline (tender.enquiryPeriod.endDate)');
    expect(r.text).toContain('tender edit T-1');

    const [draft] = await tenders();
    expect(draft).toMatchObject({
      ref: 'T-1', status: 'draft', title: raw.tender.title, buyer: raw.buyer.name, source: raw.ocid,
      currency: 'GBP', cpv: [raw.tender.classification.id], regions: ['London'], suitability: { sme: true, vcse: true },
      missing: ['clarification deadline (tender.enquiryPeriod.endDate)'], createdBy: 'coord', cells: [],
    });
    expect(draft?.dates.submission.toISOString()).toBe(new Date(raw.tender.tenderPeriod.endDate).toISOString());
    // The notice gives the whole value over the contract period; the draft keeps it per year.
    expect((draft?.annualValue ?? 0) * (draft?.years ?? 0)).toBeGreaterThan(raw.tender.value.amount * 0.95);
    expect(await t.store.scoped(WS).audit.count({ action: 'tender.import', subject: 'T-1' })).toBe(1);
  });

  it('says plainly when a planning notice has no deadline, and still makes a draft', async () => {
    const r = await t.say(WS, 'coord', 'tender import cf-Release139.json');
    expect(r.outcome).toBe('ok');
    expect(r.text).toContain('Submission deadline: not given');
    expect(r.text).toContain('submission deadline (tender.tenderPeriod.endDate)');
    expect(r.text).toContain('planning notice');
    const draft = (await tenders()).find((x) => x.title.startsWith('To Provide Non-acute'));
    expect(draft?.missing).toContain('submission deadline (tender.tenderPeriod.endDate)');
  });

  it('reads a release package of all six notices, five at a time, and says what it left', async () => {
    const before = (await tenders()).length;
    const r = await t.say(WS, 'coord', 'tender import release-package.json');
    expect(r.outcome).toBe('ok');
    const after = await tenders();
    expect(after.length - before).toBe(5);
    expect(r.text).toContain('1 more notices in the file were not imported');
    const titles = after.slice(before).map((x) => x.title);
    expect(titles).toEqual(FILES.slice(0, 5).map((f) => load(f).tender.title));
  });

  it('reads a record package through its compiled release', async () => {
    const raw = load(FILES[4] as string);
    const r = await t.say(WS, 'coord', 'tender import record-package.json');
    expect(r.outcome).toBe('ok');
    const last = (await tenders()).at(-1);
    expect(last).toMatchObject({ title: raw.tender.title, source: raw.ocid, status: 'draft' });
  });

  it('lets only a coordinator import', async () => {
    const before = (await tenders()).length;
    const r = await t.say(WS, 'ana', 'tender import cf-Release6.json');
    expect(r.outcome).toBe('denied');
    expect((await tenders()).length).toBe(before);
  });
});

describe('bad input creates nothing', () => {
  const cases: [string, string, RegExp][] = [
    ['invalid JSON', 'tender import broken.json', /broken\.json: This isn't valid JSON/],
    ['JSON that is not OCDS', 'tender import not-ocds.json', /isn't an OCDS release or package/],
    ['an empty package', 'tender import empty-package.json', /has no releases/],
    ['a missing file', 'tender import no-such-notice.json', /can't find a file called "no-such-notice\.json"/],
    ['a path out of the import folder', 'tender import ../../etc/passwd', /can't find a file called "\.\.\/\.\.\/etc\/passwd"/],
    ['a sibling of the import folder', 'tender import ../outside.json', /can't find a file/],
    ['an absolute path', 'tender import /etc/hostname', /can't find a file/],
    ['nothing at all', 'tender import', /Give a file name or a link/],
  ];

  it.each(cases)('%s gets one clear reply', async (_name, command, message) => {
    const before = (await tenders()).length;
    const audits = await t.store.scoped(WS).audit.count({ action: 'tender.import' });
    const r = await t.say(WS, 'coord', command);
    expect(r.outcome).toBe('invalid');
    expect(r.text).toMatch(message);
    expect(r.text).toContain('tender import <file-or-url>');
    expect((await tenders()).length).toBe(before);
    expect(await t.store.scoped(WS).audit.count({ action: 'tender.import' })).toBe(audits);
  });

  it('refuses links to loopback and private addresses without fetching them', async () => {
    const before = (await tenders()).length;
    const port = new URL(webUrl).port;
    for (const url of [`${webUrl}/notice.json`, `http://localhost:${port}/notice.json`, `<http://[::1]:${port}/x>`, 'http://10.0.0.8/notice.json', 'http://169.254.169.254/latest/meta-data']) {
      const r = await t.say(WS, 'coord', `tender import ${url}`);
      expect(r.outcome, url).toBe('invalid');
      expect(r.text).toContain('I only fetch notices from public web addresses');
    }
    expect(webHits).toBe(0);
    expect((await tenders()).length).toBe(before);
  });
});

describe('from draft to open', () => {
  it('refuses to open a draft while fields are missing, and opens it once they are set', async () => {
    const refused = await t.say(WS, 'coord', 'tender open T-1');
    expect(refused.outcome).toBe('conflict');
    expect(refused.text).toContain('T-1 is still missing: clarification deadline');
    expect((await t.store.scoped(WS).tenders.findOne({ ref: 'T-1' }))?.status).toBe('draft');

    await t.say(WS, 'ana', 'org register "Easton Wellbeing" income 310k services mental health areas Easton home Easton');
    const interest = await t.say(WS, 'ana', 'interest T-1');
    expect(interest.outcome).toBe('conflict');
    expect(interest.text).toContain('not open for interest (it is draft)');

    const clarify = await t.say(WS, 'coord', 'tender edit T-1 clarify 04/01/2027 12:00');
    expect(clarify.outcome).toBe('ok');
    expect(clarify.text).toBe('Updated clarify of T-1.');
    // The notice's deadline (January 2025) has passed, so opening still waits for a new one.
    const stale = await t.say(WS, 'coord', 'tender open T-1');
    expect(stale.outcome).toBe('conflict');
    expect(stale.text).toContain('deadline has passed');

    const deadline = await t.say(WS, 'coord', 'tender edit T-1 deadline 15/01/2027 12:00');
    expect(deadline.outcome).toBe('ok');
    const opened = await t.say(WS, 'coord', 'tender open T-1');
    expect(opened.outcome).toBe('ok');
    expect(opened.text).toBe('T-1 is open for interest.');
    const tender = await t.store.scoped(WS).tenders.findOne({ ref: 'T-1' });
    expect(tender).toMatchObject({ status: 'open', missing: [] });
    expect(tender?.dates.submission.toISOString()).toBe('2027-01-15T12:00:00.000Z');
    expect(tender?.dates.clarification?.toISOString()).toBe('2027-01-04T12:00:00.000Z');
  });

  it('refuses an edit of a field it does not know, changing nothing', async () => {
    const r = await t.say(WS, 'coord', 'tender edit T-2 colour blue');
    expect(r.outcome).toBe('invalid');
    expect(r.text).toContain('tender edit <tender> <field> <value>');
  });
});
