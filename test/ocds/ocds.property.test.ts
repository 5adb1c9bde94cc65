import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOcds, parseOcdsText } from '../../src/core/ocds/ocds.import.js';
import type { OcdsImportResult } from '../../src/core/ocds/ocds.import.js';

const DATA = new URL('../../../shared/data/ocds/', import.meta.url);
const releases = readdirSync(DATA).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, DATA), 'utf8')) as Record<string, unknown>);

/** The last-resort answer for exotic objects; JSON input must never need it. */
const CAUGHT = "This data couldn't be read as OCDS.";

/** Every answer is one of the two documented shapes, with sound drafts. */
function wellFormed(result: OcdsImportResult, json = true): void {
  if (!result.ok) {
    if (json) expect(result.error).not.toBe(CAUGHT);
    expect(typeof result.error).toBe('string');
    expect(result.error.length).toBeGreaterThan(0);
    expect(result.error).not.toContain('\n');
    return;
  }
  expect(result.drafts.length).toBeGreaterThan(0);
  for (const draft of result.drafts) {
    expect(typeof draft.title).toBe('string');
    expect(draft.title.length).toBeGreaterThan(0);
    expect(typeof draft.source).toBe('string');
    expect(Array.isArray(draft.missing)).toBe(true);
    for (const d of Object.values(draft.dates)) expect(Number.isNaN(d.getTime())).toBe(false);
    if (draft.years !== undefined) expect(draft.years).toBeGreaterThanOrEqual(1);
    if (draft.annualValue !== undefined) expect(Number.isFinite(draft.annualValue)).toBe(true);
  }
}

describe('parseOcds on arbitrary input', () => {
  it('never throws on any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      wellFormed(parseOcds(value));
    }), { numRuns: 300 });
  });

  it('never throws on JSON placed where OCDS expects each part', () => {
    const json = fc.jsonValue({ maxDepth: 5 });
    const shaped = fc.oneof(
      json.map((v) => ({ releases: [v] })),
      json.map((v) => ({ records: [v] })),
      json.map((v) => ({ records: [{ ocid: 'ocds-p', releases: [v] }] })),
      json.map((v) => ({ records: [{ ocid: 'ocds-p', compiledRelease: v }] })),
      json.map((v) => ({ ocid: 'ocds-p', tender: v })),
      json.map((v) => ({ ocid: 'ocds-p', tender: { items: v, lots: v, value: v } })),
      json.map((v) => ({ ocid: 'ocds-p', tag: v, date: v, buyer: v, parties: v, tender: {} })),
    );
    fc.assert(fc.property(shaped, (value) => {
      wellFormed(parseOcds(value));
    }), { numRuns: 300 });
  });

  it('never throws on any JavaScript value', () => {
    fc.assert(fc.property(fc.anything({ withMap: true, withSet: true, withDate: true, withTypedArray: true }), (value) => {
      wellFormed(parseOcds(value), false);
    }), { numRuns: 300 });
  });

  it('never throws on any text', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      wellFormed(parseOcdsText(text));
    }), { numRuns: 300 });
  });

  it('still yields a draft when any tender field of a real release holds junk', () => {
    const fields = ['title', 'description', 'value', 'minValue', 'tenderPeriod', 'enquiryPeriod', 'contractPeriod',
      'items', 'classification', 'additionalClassifications', 'suitability', 'lots', 'documents', 'datePublished', 'status'];
    fc.assert(fc.property(
      fc.constantFrom(...releases),
      fc.dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }),
      fc.jsonValue({ maxDepth: 3 }),
      (release, junk, buyer) => {
        const tender = { ...(release['tender'] as Record<string, unknown>), ...junk };
        const result = parseOcds({ releases: [{ ...release, tender, buyer }] });
        wellFormed(result);
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.drafts[0]?.source).toBe(release['ocid']);
      },
    ), { numRuns: 200 });
  });
});
