/**
 * Tender import from OCDS, as Contracts Finder and Find a Tender publish it: a release
 * package, a record package, a single record or a single release becomes one draft tender
 * per procurement (ocid). Pure: the caller fetches the file or URL and stores the drafts.
 */
import { Info } from 'luxon';
import { buildDraft } from './ocds.draft.js';
import type { TenderDraft } from './ocds.draft.js';
import {
  RecordPackageSchema, RecordSchema, ReleasePackageSchema, ReleaseSchema, prop,
} from './ocds.schema.js';
import type { Release } from './ocds.schema.js';

export type { TenderDraft, TenderDraftDates } from './ocds.draft.js';

export type OcdsImportResult =
  | { ok: true; drafts: TenderDraft[]; warnings: string[] }
  | { ok: false; error: string };

export interface ParseOcdsOptions {
  /** Import only the release with this release id (or ocid) from a package. */
  releaseId?: string;
  /**
   * Zone for dates published without an offset, which the standard forbids but some
   * publishers send. @defaultValue 'Europe/London' (both UK portals publish UK times)
   */
  timezone?: string;
}

export const NOT_OCDS = "This isn't an OCDS release or package: no `releases`, `records` or `ocid` found.";

/** OCDS nests about eight levels; anything far deeper is not a notice and could exhaust the stack. */
const MAX_DEPTH = 64;
/** Objects and arrays in one import: a day of Contracts Finder notices is well under this. */
const MAX_NODES = 2_000_000;
const MAX_TEXT_CHARS = 50 * 1024 * 1024;

/** Walks without recursion, so hostile nesting is measured rather than followed. */
function checkShape(root: unknown): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  let nodes = 0;
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { value, depth } = top;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return `This file nests more than ${MAX_DEPTH} levels deep, which no OCDS notice does.`;
    nodes += 1;
    if (nodes > MAX_NODES) return 'This file is too large to import in one go; import one notice or a smaller package.';
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}

interface Candidate {
  raw: unknown;
  where: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A record's compiled release if it has one, else its embedded (not linked) releases. */
function fromRecord(record: unknown, where: string, warnings: string[]): Candidate[] {
  const parsed = RecordSchema.safeParse(record);
  if (!parsed.success || !isObject(record)) {
    warnings.push(`Skipped ${where}: it is not an OCDS record.`);
    return [];
  }
  const { ocid, compiledRelease, releases } = parsed.data;
  const inherit = (r: Record<string, unknown>): Record<string, unknown> =>
    (typeof r['ocid'] === 'string' || !ocid ? r : { ...r, ocid });
  if (isObject(compiledRelease)) return [{ raw: inherit(compiledRelease), where: `${where}.compiledRelease` }];
  // Linked releases carry only a url, date and tag; the tender lives at that url.
  const embedded = (releases ?? []).flatMap((r, i) =>
    (isObject(r) && (isObject(r['tender']) || typeof r['ocid'] === 'string')
      ? [{ raw: inherit(r), where: `${where}.releases[${i}]` }]
      : []));
  if (embedded.length === 0) {
    warnings.push(`Skipped ${where}${ocid ? ` (${ocid})` : ''}: it only links to its releases and has no compiledRelease.`);
  }
  return embedded;
}

function unwrap(json: unknown, warnings: string[]): Candidate[] | string {
  if (Array.isArray(json)) {
    return 'This is a JSON list. Expected an OCDS release package ({"releases": [...]}), a record package ({"records": [...]}) or a single release.';
  }
  if (!isObject(json)) return NOT_OCDS;
  if (prop(json, 'records') !== undefined) {
    const pkg = RecordPackageSchema.safeParse(json);
    if (!pkg.success) return 'This record package is malformed: `records` should be a list.';
    if (pkg.data.records.length === 0) return 'This record package has no records.';
    return pkg.data.records.flatMap((r, i) => fromRecord(r, `records[${i}]`, warnings));
  }
  const hasOcid = prop(json, 'ocid') !== undefined;
  if (prop(json, 'releases') !== undefined && !hasOcid) {
    const pkg = ReleasePackageSchema.safeParse(json);
    if (!pkg.success) return 'This release package is malformed: `releases` should be a list.';
    if (pkg.data.releases.length === 0) return 'This release package has no releases.';
    return pkg.data.releases.map((raw, i) => ({ raw, where: `releases[${i}]` }));
  }
  if (hasOcid && (prop(json, 'compiledRelease') !== undefined || Array.isArray(prop(json, 'releases')))) {
    return fromRecord(json, 'the record', warnings);
  }
  if (hasOcid) return [{ raw: json, where: 'the release' }];
  return NOT_OCDS;
}

function toReleases(candidates: Candidate[], warnings: string[]): { release: Release; order: number }[] {
  const out: { release: Release; order: number }[] = [];
  candidates.forEach(({ raw, where }, order) => {
    const parsed = ReleaseSchema.safeParse(raw);
    if (parsed.success) out.push({ release: parsed.data, order });
    else if (!isObject(raw)) warnings.push(`Skipped ${where}: it is not an object.`);
    else warnings.push(`Skipped ${where}: it has no usable ocid.`);
  });
  return out;
}

function timeOf(release: Release): number {
  const t = release.date ? Date.parse(release.date) : NaN;
  return Number.isNaN(t) ? -Infinity : t;
}

/** One release per ocid: the latest by `date`, the later in the file on a tie. */
function latestPerOcid(releases: { release: Release; order: number }[]): { release: Release; count: number }[] {
  const groups = new Map<string, { release: Release; order: number; count: number }>();
  for (const entry of releases) {
    const key = entry.release.ocid.trim();
    const best = groups.get(key);
    if (!best) {
      groups.set(key, { ...entry, count: 1 });
      continue;
    }
    const newer = timeOf(entry.release) > timeOf(best.release)
      || (timeOf(entry.release) === timeOf(best.release) && entry.order > best.order);
    groups.set(key, newer ? { ...entry, count: best.count + 1 } : { ...best, count: best.count + 1 });
  }
  return [...groups.values()].sort((a, b) => a.order - b.order);
}

function parseUnchecked(json: unknown, opts: ParseOcdsOptions): OcdsImportResult {
  const shapeError = checkShape(json);
  if (shapeError) return { ok: false, error: shapeError };
  const fileWarnings: string[] = [];
  const candidates = unwrap(json, fileWarnings);
  if (typeof candidates === 'string') return { ok: false, error: candidates };
  let releases = toReleases(candidates, fileWarnings);
  if (releases.length === 0) {
    return { ok: false, error: fileWarnings[0] ?? 'This file has no OCDS releases to import.' };
  }
  const wanted = opts.releaseId?.trim();
  if (wanted) {
    releases = releases.filter(({ release }) => release.id === wanted || release.ocid.trim() === wanted);
    if (releases.length === 0) return { ok: false, error: `No release with id or ocid "${wanted.slice(0, 100)}" in this file.` };
  }
  let zone = 'Europe/London';
  if (opts.timezone && Info.isValidIANAZone(opts.timezone)) zone = opts.timezone;
  else if (opts.timezone) fileWarnings.push(`Unknown time zone "${opts.timezone.slice(0, 60)}"; read dates without an offset as Europe/London.`);
  const built: { draft: TenderDraft; warnings: string[] }[] = [];
  for (const { release, count } of latestPerOcid(releases)) {
    const result = buildDraft(release, zone);
    if (!result) {
      fileWarnings.push(`Skipped ${release.ocid}: its latest release has no tender section.`);
      continue;
    }
    if (count > 1) {
      result.warnings.unshift(`Found ${count} releases for ${release.ocid}; used the latest${release.date ? ` (${release.date})` : ''}.`);
    }
    built.push(result);
  }
  if (built.length === 0) {
    return { ok: false, error: 'No release in this file has a tender section, so there is nothing to import.' };
  }
  // With several drafts, each warning names its tender so the coordinator can tell them apart.
  const several = built.length > 1;
  const warnings = [
    ...fileWarnings,
    ...built.flatMap(({ draft, warnings: ws }) => (several ? ws.map((w) => `${draft.title.slice(0, 80)}: ${w}`) : ws)),
  ];
  return { ok: true, drafts: built.map((b) => b.draft), warnings };
}

/**
 * Reads parsed JSON as OCDS. Never throws: anything that is not OCDS, or is hostile
 * (deep nesting, cycles, huge size), comes back as `{ ok: false, error }` in one line.
 */
export function parseOcds(json: unknown, opts: ParseOcdsOptions = {}): OcdsImportResult {
  try {
    return parseUnchecked(json, opts);
  } catch {
    // Reached only by inputs JSON cannot produce (throwing getters, proxies).
    return { ok: false, error: "This data couldn't be read as OCDS." };
  }
}

/** As {@link parseOcds}, from the text of a file or HTTP response. */
export function parseOcdsText(text: string, opts: ParseOcdsOptions = {}): OcdsImportResult {
  if (typeof text !== 'string') return { ok: false, error: 'Expected the text of an OCDS JSON file.' };
  if (text.length > MAX_TEXT_CHARS) {
    return { ok: false, error: `This file is ${Math.ceil(text.length / 1024 / 1024)} MB; the limit for one import is ${MAX_TEXT_CHARS / 1024 / 1024} MB.` };
  }
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') return { ok: false, error: 'The file is empty.' };
  if (body.startsWith('<')) return { ok: false, error: 'This looks like a web page or XML, not OCDS JSON. Use the JSON (OCDS) download of the notice.' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0]?.slice(0, 160) : undefined;
    return { ok: false, error: `This isn't valid JSON${reason ? `: ${reason}` : ''}.` };
  }
  return parseOcds(json, opts);
}
