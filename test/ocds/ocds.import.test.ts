import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOT_OCDS, parseOcds, parseOcdsText } from '../../src/core/ocds/ocds.import.js';
import type { OcdsImportResult, TenderDraft } from '../../src/core/ocds/ocds.import.js';

/** The shared folder is a sibling of the repository root. */
const DATA = new URL('../../../shared/data/ocds/', import.meta.url);
const FILES = readdirSync(DATA).filter((f) => f.endsWith('.json')).sort();

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free-form JSON

function load(name: string): Json {
  return JSON.parse(readFileSync(new URL(name, DATA), 'utf8')) as Json;
}

function ok(result: OcdsImportResult): { drafts: TenderDraft[]; warnings: string[] } {
  if (!result.ok) throw new Error(`expected success, got: ${result.error}`);
  return result;
}

function only(result: OcdsImportResult): TenderDraft {
  const { drafts } = ok(result);
  expect(drafts).toHaveLength(1);
  return drafts[0]!;
}

function failure(result: OcdsImportResult): string {
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('tender import from real Contracts Finder releases', () => {
  it('finds all six releases', () => {
    expect(FILES).toHaveLength(6);
  });

  it.each(FILES)('reads %s field by field as published', (file) => {
    const raw = load(file);
    const draft = only(parseOcds(raw));
    const tender = raw.tender;
    expect(draft.source).toBe(raw.ocid);
    expect(draft.releaseId).toBe(raw.id);
    expect(draft.title).toBe(tender.title);
    expect(draft.buyer).toBe(raw.buyer.name.replace(/,$/, ''));
    expect(draft.totalValue).toBe(tender.value.amount);
    expect(draft.currency).toBe(tender.value.currency);
    expect(draft.cpv[0]).toBe(tender.classification.id);
    expect(draft.suitability).toEqual(tender.suitability);
    if (tender.tenderPeriod) expect(draft.dates.submission?.getTime()).toBe(Date.parse(tender.tenderPeriod.endDate));
    if (tender.contractPeriod) {
      expect(draft.dates.contractStart?.getTime()).toBe(Date.parse(tender.contractPeriod.startDate));
      expect(draft.dates.contractEnd?.getTime()).toBe(Date.parse(tender.contractPeriod.endDate));
    }
    // Contracts Finder never publishes an enquiry period: the import must say so.
    expect(draft.dates.clarification).toBeUndefined();
    expect(draft.missing).toContain('clarification deadline (tender.enquiryPeriod.endDate)');
    expect(draft.description).toBeDefined();
    expect(draft.description).not.toMatch(/rnrn|Â|â€/);
  });

  it('reads the active Pan London tender with its deadline, value per year and region', () => {
    const draft = only(parseOcds(load('cf-Release49.json')));
    expect(draft.title).toBe('Pan London Sexual Violence Support Service');
    expect(draft.buyer).toBe("Mayor's Office for Policing and Crime");
    expect(draft.dates.submission).toEqual(new Date('2025-01-24T12:00:00Z'));
    expect(draft.dates.published).toEqual(new Date('2024-11-12T16:45:04Z'));
    expect(draft.totalValue).toBe(65_387_492);
    // 1 May 2025 to 31 March 2032 is 6 years 11 months: seven contract years.
    expect(draft.years).toBe(7);
    expect(draft.annualValue).toBe(Math.round(65_387_492 / 7));
    expect(draft.regions).toEqual(['London']);
    expect(draft.cpv).toEqual(['85000000']);
    expect(draft.suitability).toEqual({ vcse: true, sme: true });
    expect(draft.lots).toEqual([]);
    expect(draft.url).toBe('https://www.contractsfinder.service.gov.uk/Notice/be92ba01-c2e2-4f12-8c7f-09a909fca24b');
    expect(draft.missing).toEqual(['clarification deadline (tender.enquiryPeriod.endDate)']);
  });

  it('says an amendment may change dates only in its description', () => {
    const { warnings } = ok(parseOcds(load('cf-Release49.json')));
    expect(warnings.join(' ')).toMatch(/amends an earlier/);
  });

  it('counts the large framework as ten years though its end date is a day past', () => {
    const draft = only(parseOcds(load('cf-Release6.json')));
    expect(draft.title).toBe('AT1299 - Provision for Children looked after');
    expect(draft.buyer).toBe('Luton Council');
    expect(draft.years).toBe(10);
    expect(draft.annualValue).toBe(11_800_000);
    expect(draft.dates.submission).toEqual(new Date('2025-02-17T17:00:00Z'));
    expect(draft.regions).toEqual(['England']);
  });

  it('imports the planning notice but lists the deadline and contract period as missing', () => {
    const result = parseOcds(load('cf-Release139.json'));
    const draft = only(result);
    expect(draft.title).toMatch(/^To Provide Non-acute intermediate care beds/);
    expect(draft.buyer).toBe('NHS North West London Integrated Care Board');
    expect(draft.dates.submission).toBeUndefined();
    expect(draft.years).toBeUndefined();
    expect(draft.annualValue).toBeUndefined();
    expect(draft.totalValue).toBe(15_000_000);
    expect(draft.missing).toEqual(expect.arrayContaining([
      'submission deadline (tender.tenderPeriod.endDate)',
      'contract period (tender.contractPeriod)',
    ]));
    // The postcode is the buyer's office; the region is the area served.
    expect(draft.regions).toEqual(['London']);
    // With no datePublished, the release date is when the notice appeared.
    expect(draft.dates.published).toEqual(new Date('2025-03-11T11:44:54Z'));
    expect(ok(result).warnings.join(' ')).toMatch(/planning notice/);
  });

  it('reads the award notice, tidying the buyer name and the damaged description', () => {
    const result = parseOcds(load('cf-Release44.json'));
    const draft = only(result);
    expect(draft.buyer).toBe('The Police and Crime Commissioner for Bedfordshire');
    expect(draft.totalValue).toBe(1_018_044.14);
    expect(draft.years).toBe(3);
    expect(draft.annualValue).toBe(339_348);
    expect(draft.dates.submission).toEqual(new Date('2024-09-09T15:00:00Z'));
    expect(draft.cpv).toEqual(['98000000', '85323000', '85000000', '85100000', '85312320']);
    expect(draft.regions).toEqual(['East of England']);
    expect(draft.description).toContain('The service will be accessible to:\n• Children and young people');
    expect(ok(result).warnings.join(' ')).toMatch(/award notice/);
  });

  it('offers the parish contract postcode as its area, with a warning', () => {
    const result = parseOcds(load('cf-Release155.json'));
    const draft = only(result);
    expect(draft.title).toBe('Martock Parish Council Village and Cemetery Maintenance Contract');
    expect(draft.buyer).toBe('Martock Parish Council');
    expect(draft.totalValue).toBe(10_000);
    expect(draft.years).toBe(3);
    expect(draft.annualValue).toBe(3_333);
    expect(draft.dates.submission).toEqual(new Date('2025-03-17T10:00:00Z'));
    expect(draft.cpv).toEqual(['50000000', '77000000']);
    expect(draft.regions).toEqual(['TA12 6JL']);
    expect(ok(result).warnings.join(' ')).toMatch(/only as a postcode \(TA12 6JL\)/);
  });

  it('repairs the pound sign in the community support award', () => {
    const draft = only(parseOcds(load('cf-Release173.json')));
    expect(draft.title).toBe('Equalities & Cultural Diversity Support Service');
    expect(draft.buyer).toBe('Bath and North East Somerset Council');
    expect(draft.description).toContain('the expected contract value is £178,542.');
    expect(draft.years).toBe(5);
    expect(draft.annualValue).toBe(Math.round(178_542 / 5));
  });
});

describe('packages', () => {
  const releases = FILES.map(load);

  it('turns a release package of all six into six drafts, in file order', () => {
    const { drafts } = ok(parseOcds({ uri: 'https://example.org/p.json', version: '1.1', releases }));
    expect(drafts.map((d) => d.source)).toEqual(releases.map((r) => r.ocid));
    expect(drafts.map((d) => d.title)).toEqual(releases.map((r) => r.tender.title));
  });

  it('keeps only the latest release of each procurement, wherever it sits', () => {
    const later = load('cf-Release49.json');
    const earlier: Json = { ...load('cf-Release49.json'), id: 'earlier', date: '2024-11-12T16:45:04Z', tag: ['tender'] };
    earlier.tender = { ...earlier.tender, title: 'Old title', tenderPeriod: { endDate: '2025-01-10T12:00:00Z' } };
    for (const order of [[earlier, later], [later, earlier]]) {
      const result = parseOcds({ releases: order });
      const draft = only(result);
      expect(draft.title).toBe('Pan London Sexual Violence Support Service');
      expect(draft.releaseId).toBe(later.id);
      expect(draft.dates.submission).toEqual(new Date('2025-01-24T12:00:00Z'));
      expect(ok(result).warnings.join(' ')).toMatch(/Found 2 releases/);
    }
  });

  it('names the tender in each warning when there are several', () => {
    const { warnings } = ok(parseOcds({ releases }));
    expect(warnings).toContain('Martock Parish Council Village and Cemetery Maintenance Contract: The delivery area is given only as a postcode (TA12 6JL); check the regions.');
  });

  it('prefers a record\'s compiled release over its releases', () => {
    const compiled = load('cf-Release6.json');
    const stale = { ...load('cf-Release6.json'), tender: { ...compiled.tender, title: 'Stale' } };
    const draft = only(parseOcds({ records: [{ ocid: compiled.ocid, releases: [stale], compiledRelease: compiled }] }));
    expect(draft.title).toBe('AT1299 - Provision for Children looked after');
  });

  it('uses the latest embedded release of a record without a compiled release', () => {
    const newest = load('cf-Release155.json');
    const older = { ...newest, date: '2025-03-01T00:00:00Z', tender: { ...newest.tender, title: 'Older' } };
    const draft = only(parseOcds({ records: [{ ocid: newest.ocid, releases: [newest, older] }] }));
    expect(draft.title).toBe(newest.tender.title);
  });

  it('reads a record package of several records', () => {
    const records = releases.map((r) => ({ ocid: r.ocid, compiledRelease: r }));
    const { drafts } = ok(parseOcds({ records }));
    expect(drafts.map((d) => d.buyer)).toEqual(releases.map((r) => r.buyer.name.replace(/,$/, '')));
  });

  it('reads a single record on its own', () => {
    const release = load('cf-Release173.json');
    expect(only(parseOcds({ ocid: release.ocid, compiledRelease: release })).source).toBe(release.ocid);
  });

  it('skips a record that only links to its releases, and says why', () => {
    const good = load('cf-Release49.json');
    const result = parseOcds({
      records: [
        { ocid: 'ocds-linked-1', releases: [{ url: 'https://example.org/r.json', date: '2025-01-01T00:00:00Z', tag: ['tender'] }] },
        { ocid: good.ocid, compiledRelease: good },
      ],
    });
    expect(only(result).source).toBe(good.ocid);
    expect(ok(result).warnings[0]).toMatch(/ocds-linked-1.*only links/);
    expect(failure(parseOcds({ records: [{ ocid: 'x', releases: [{ url: 'https://example.org' }] }] }))).toMatch(/only links/);
  });

  it('imports one release by its id or ocid when asked', () => {
    const pkg = { releases };
    const byId = only(parseOcds(pkg, { releaseId: releases[2]!.id }));
    expect(byId.source).toBe(releases[2]!.ocid);
    expect(only(parseOcds(pkg, { releaseId: releases[4]!.ocid })).title).toBe(releases[4]!.tender.title);
    expect(failure(parseOcds(pkg, { releaseId: 'nope' }))).toBe('No release with id or ocid "nope" in this file.');
  });
});

describe('fields real notices get wrong or leave out', () => {
  const base = (): Json => load('cf-Release49.json');

  it('decodes HTML entities in titles and names', () => {
    const release = base();
    release.tender.title = 'Children&apos;s &amp; Young People&#39;s Service';
    release.buyer.name = 'Smith &amp; Jones Trust';
    const draft = only(parseOcds(release));
    expect(draft.title).toBe("Children's & Young People's Service");
    expect(draft.buyer).toBe('Smith & Jones Trust');
  });

  it('reads an enquiry period as the clarification deadline, and lots', () => {
    const release = base();
    release.tender.enquiryPeriod = { endDate: '2025-01-10T17:00:00Z' };
    release.tender.lots = [{ id: 1, title: 'North' }, { id: '2' }];
    const draft = only(parseOcds(release));
    expect(draft.dates.clarification).toEqual(new Date('2025-01-10T17:00:00Z'));
    expect(draft.missing).toEqual([]);
    expect(draft.lots).toEqual([{ id: '1', title: 'North' }, { id: '2', title: 'Lot 2' }]);
  });

  it('lists every absent field by a plain name', () => {
    const draft = only(parseOcds({ ocid: 'ocds-x-1', tag: ['tender'], tender: { id: '1' } }));
    expect(draft.title).toBe('Untitled tender ocds-x-1');
    expect(draft.missing).toEqual([
      'title (tender.title)',
      'description (tender.description)',
      'buyer (buyer.name)',
      'value (tender.value.amount)',
      'publication date (tender.datePublished)',
      'submission deadline (tender.tenderPeriod.endDate)',
      'clarification deadline (tender.enquiryPeriod.endDate)',
      'contract period (tender.contractPeriod)',
      'delivery regions (tender.items[].deliveryAddresses)',
      'CPV classification (tender.classification)',
      'suitability for VCSEs and SMEs (tender.suitability)',
    ]);
  });

  it('ignores malformed fields with a warning instead of failing the import', () => {
    const release = base();
    release.tender.value = { amount: 'lots', currency: 'GBP' };
    release.tender.tenderPeriod = { endDate: 'next Tuesday' };
    release.tender.suitability = { vcse: 'yes' };
    const result = parseOcds(release);
    const draft = only(result);
    expect(draft.totalValue).toBeUndefined();
    expect(draft.dates.submission).toBeUndefined();
    expect(draft.suitability).toBeUndefined();
    expect(draft.missing).toContain('value (tender.value.amount)');
    const text = ok(result).warnings.join('\n');
    expect(text).toMatch(/Ignored tender\.value/);
    expect(text).toMatch(/"next Tuesday" is not a date/);
    expect(text).toMatch(/Ignored tender\.suitability/);
  });

  it('reads a date without an offset as London time and flags a deadline without a time', () => {
    const release = base();
    release.tender.tenderPeriod = { endDate: '2025-07-01' };
    release.tender.enquiryPeriod = { endDate: '2025-06-20T12:00:00' };
    const result = parseOcds(release);
    const draft = only(result);
    expect(draft.dates.submission).toEqual(new Date('2025-06-30T23:00:00Z'));
    expect(draft.dates.clarification).toEqual(new Date('2025-06-20T11:00:00Z'));
    expect(ok(result).warnings.join(' ')).toMatch(/submission deadline has a date but no time/);
  });

  it('falls back to a minimum value, and rounds a short contract up to one year', () => {
    const release = base();
    delete release.tender.value;
    release.tender.minValue = { amount: 50_000, currency: 'GBP' };
    release.tender.contractPeriod = { startDate: '2025-04-01T00:00:00Z', endDate: '2025-09-30T00:00:00Z' };
    const result = parseOcds(release);
    const draft = only(result);
    expect(draft.totalValue).toBe(50_000);
    expect(draft.years).toBe(1);
    expect(draft.annualValue).toBe(50_000);
    expect(ok(result).warnings.join(' ')).toMatch(/used tender\.minValue/);
  });
});

describe('input that is not OCDS', () => {
  it.each([
    ['an empty object', {}],
    ['a string', 'hello'],
    ['a number', 42],
    ['null', null],
    ['an unrelated object', { name: 'Food bank', income: 85_000 }],
  ])('refuses %s with the plain message', (_label, input) => {
    expect(failure(parseOcds(input))).toBe(NOT_OCDS);
  });

  it('explains a bare list of releases', () => {
    expect(failure(parseOcds([load('cf-Release49.json')]))).toMatch(/^This is a JSON list/);
  });

  it('refuses malformed and empty packages', () => {
    expect(failure(parseOcds({ releases: 'none' }))).toMatch(/`releases` should be a list/);
    expect(failure(parseOcds({ records: {} }))).toMatch(/`records` should be a list/);
    expect(failure(parseOcds({ releases: [] }))).toBe('This release package has no releases.');
    expect(failure(parseOcds({ releases: [{ id: 'no-ocid' }, 7] }))).toMatch(/^Skipped releases\[0\]: it has no usable ocid/);
  });

  it('refuses a release with no tender section', () => {
    expect(failure(parseOcds({ ocid: 'ocds-1', tag: ['planning'], planning: {} }))).toMatch(/^No release in this file has a tender section/);
  });

  it('refuses hostile nesting and cycles without throwing', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(failure(parseOcds({ releases: [deep] }))).toMatch(/nests more than 64 levels/);
    const cyclic: Json = { ocid: 'ocds-1', tender: { title: 'Loop' } };
    cyclic.tender.self = cyclic;
    expect(failure(parseOcds(cyclic))).toMatch(/nests more than/);
  });

  it('answers rather than throws for objects that throw when read', () => {
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(failure(parseOcds(trap))).toMatch(/couldn't be read/);
  });
});

describe('parseOcdsText', () => {
  it('reads the text of a real release, with or without a byte-order mark', () => {
    const text = readFileSync(new URL('cf-Release6.json', DATA), 'utf8');
    expect(only(parseOcdsText(text)).title).toBe('AT1299 - Provision for Children looked after');
    expect(only(parseOcdsText(`\uFEFF${text}`)).buyer).toBe('Luton Council');
  });

  it('gives a friendly error for broken JSON, empty files and web pages', () => {
    const truncated = readFileSync(new URL('cf-Release6.json', DATA), 'utf8').slice(0, 500);
    expect(failure(parseOcdsText(truncated))).toMatch(/^This isn't valid JSON: .+\.$/);
    expect(failure(parseOcdsText('   '))).toBe('The file is empty.');
    expect(failure(parseOcdsText('<!DOCTYPE html><html></html>'))).toMatch(/web page/);
    expect(failure(parseOcdsText('{"title": "not ocds"}'))).toBe(NOT_OCDS);
  });

  it('keeps errors to one line', () => {
    for (const text of ['{', '{"a":}', 'nul', '[1,2', '"\\u12"']) {
      expect(failure(parseOcdsText(text))).not.toContain('\n');
    }
  });
});
