/**
 * Turns one OCDS release into a draft tender: the fields a coordinator confirms before the
 * tender opens, plus a plain list of what the notice left out.
 */
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { MAX_MONEY } from '../money.js';
import {
  AddressSchema, ClassificationSchema, DocumentSchema, LotSchema, MoneySchema, OrganisationRefSchema,
  PartySchema, PeriodSchema, SuitabilitySchema, describeIssue, prop,
} from './ocds.schema.js';
import type { Release } from './ocds.schema.js';
import { cleanLine, cleanText } from './ocds.text.js';

export interface TenderDraftDates {
  published?: Date;
  clarification?: Date;
  submission?: Date;
  contractStart?: Date;
  contractEnd?: Date;
}

/** A tender as read from an OCDS notice, before the coordinator confirms it. */
export interface TenderDraft {
  title: string;
  description?: string;
  buyer?: string;
  /** Whole pounds (or units of `currency`) per contract year: total over `years`, rounded. */
  annualValue?: number;
  /** The value as published, for the whole contract. */
  totalValue?: number;
  currency?: string;
  /** Contract length in whole years, rounded up, at least 1. */
  years?: number;
  lots: { id: string; title: string }[];
  dates: TenderDraftDates;
  regions: string[];
  cpv: string[];
  suitability?: { vcse?: boolean; sme?: boolean };
  /** The ocid: stable across every release about this procurement. */
  source: string;
  releaseId?: string;
  /** The public notice, when the release links to it. */
  url?: string;
  /** Plain names of absent fields, e.g. "submission deadline (tenderPeriod.endDate)". */
  missing: string[];
}

const MAX_TITLE = 300;
const MAX_DESCRIPTION = 20_000;

/**
 * Contract periods are published as "1 April 2025 – 31 March 2028 23:59", or a day past a
 * round number; a week's slack keeps those at 3 and 10 years instead of rounding up.
 */
const YEAR_SLACK = 7 / 365.25;

/** Reads a value through a schema; a failure becomes a warning and an absent value. */
function read<S extends z.ZodType>(schema: S, value: unknown, where: string, warnings: string[]): z.infer<S> | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  warnings.push(`Ignored ${where}: ${describeIssue(parsed.error)}.`);
  return undefined;
}

function readList<S extends z.ZodType>(schema: S, value: unknown, where: string, warnings: string[]): z.infer<S>[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: z.infer<S>[] = [];
  items.forEach((item, i) => {
    const got = read(schema, item, `${where}[${i}]`, warnings);
    if (got !== undefined) out.push(got);
  });
  return out;
}

interface ParsedDate {
  date: Date;
  dateOnly: boolean;
}

/** ISO 8601 with an offset is an instant; without one it is wall time in `zone`. */
function parseDate(value: string | null | undefined, where: string, zone: string, warnings: string[]): ParsedDate | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const dt = DateTime.fromISO(trimmed, { zone });
  if (!dt.isValid) {
    warnings.push(`Ignored ${where}: "${trimmed.slice(0, 40)}" is not a date.`);
    return undefined;
  }
  return { date: dt.toJSDate(), dateOnly: /^\d{4}-\d{2}-\d{2}$/.test(trimmed) };
}

function truncate(text: string, max: number, what: string, warnings: string[]): string {
  if (text.length <= max) return text;
  warnings.push(`The ${what} was ${text.length.toLocaleString('en-GB')} characters; kept the first ${max.toLocaleString('en-GB')}.`);
  return `${text.slice(0, max - 1)}…`;
}

function unique(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = v.toLowerCase();
    if (v === '' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function readBuyer(release: Release, tender: unknown, warnings: string[]): string | undefined {
  const direct = read(OrganisationRefSchema, release.buyer, 'buyer', warnings)?.name;
  const party = readList(PartySchema, release.parties, 'parties', warnings)
    .find((p) => (p.roles ?? []).some((r) => r.toLowerCase() === 'buyer'))?.name;
  const procuring = read(OrganisationRefSchema, prop(tender, 'procuringEntity'), 'tender.procuringEntity', warnings)?.name;
  const name = [direct, party, procuring].map((n) => (n ? cleanLine(n) : '')).find((n) => n !== '');
  // Contracts Finder names sometimes keep a trailing comma from an address line.
  return name?.replace(/[\s,;:]+$/, '') || undefined;
}

function readValue(tender: unknown, warnings: string[], missing: string[]): { total?: number; currency?: string } {
  const fields = ['value', 'maxValue', 'minValue'] as const;
  for (const field of fields) {
    const money = read(MoneySchema, prop(tender, field), `tender.${field}`, warnings);
    const amount = money?.amount ?? undefined;
    if (amount === undefined) continue;
    if (amount <= 0 || amount > MAX_MONEY) {
      warnings.push(`Ignored tender.${field}: ${amount} is not a usable contract value.`);
      continue;
    }
    if (field !== 'value') warnings.push(`No tender.value was published; used tender.${field} (${amount}).`);
    const currency = money?.currency ?? undefined;
    if (!currency) missing.push(`currency (tender.${field}.currency)`);
    else if (currency !== 'GBP') warnings.push(`The value is in ${currency}, not pounds.`);
    return { total: amount, currency };
  }
  missing.push('value (tender.value.amount)');
  return {};
}

function contractYears(period: z.infer<typeof PeriodSchema> | undefined, start: Date | undefined, end: Date | undefined, zone: string, warnings: string[]): number | undefined {
  let exact: number | undefined;
  if (start && end) {
    if (end.getTime() <= start.getTime()) {
      warnings.push('The contract period ends before it starts; its length is unknown.');
      return undefined;
    }
    exact = DateTime.fromJSDate(end, { zone }).diff(DateTime.fromJSDate(start, { zone }), 'years').years;
  } else if (period?.durationInDays) {
    exact = period.durationInDays / 365.25;
  }
  if (exact === undefined) return undefined;
  return Math.max(1, Math.ceil(exact - YEAR_SLACK));
}

function readRegions(tender: unknown, warnings: string[]): string[] {
  const addresses: z.infer<typeof AddressSchema>[] = [];
  const items = Array.isArray(prop(tender, 'items')) ? (prop(tender, 'items') as unknown[]) : [];
  items.forEach((item, i) => {
    addresses.push(...readList(AddressSchema, prop(item, 'deliveryAddresses'), `tender.items[${i}].deliveryAddresses`, warnings));
    addresses.push(...readList(AddressSchema, prop(item, 'deliveryAddress'), `tender.items[${i}].deliveryAddress`, warnings));
  });
  const pick = (key: 'region' | 'locality' | 'postalCode'): string[] =>
    unique(addresses.map((a) => cleanLine(a[key] ?? '')));
  const regions = pick('region');
  if (regions.length > 0) return regions;
  const localities = pick('locality');
  if (localities.length > 0) return localities;
  // A bare postcode is usually the buyer's office, not the area served, so it is offered
  // only when nothing better exists, and flagged.
  const postcodes = pick('postalCode');
  if (postcodes.length > 0) {
    warnings.push(`The delivery area is given only as a postcode (${postcodes.join(', ')}); check the regions.`);
  }
  return postcodes;
}

function readCpv(tender: unknown, warnings: string[]): string[] {
  const sources: [unknown, string][] = [
    [prop(tender, 'classification'), 'tender.classification'],
    [prop(tender, 'additionalClassifications'), 'tender.additionalClassifications'],
  ];
  const items = Array.isArray(prop(tender, 'items')) ? (prop(tender, 'items') as unknown[]) : [];
  items.forEach((item, i) => {
    sources.push([prop(item, 'classification'), `tender.items[${i}].classification`]);
    sources.push([prop(item, 'additionalClassifications'), `tender.items[${i}].additionalClassifications`]);
  });
  const codes: string[] = [];
  for (const [value, where] of sources) {
    for (const c of readList(ClassificationSchema, value, where, warnings)) {
      if ((c.scheme ?? '').trim().toUpperCase() !== 'CPV') continue;
      // CPV codes are eight digits, sometimes published with their check digit ("85000000-9").
      const match = /^(\d{8})(-\d)?$/.exec(c.id.trim());
      if (match?.[1]) codes.push(match[1]);
      else warnings.push(`Ignored ${where}: "${c.id.slice(0, 20)}" is not a CPV code.`);
    }
  }
  return unique(codes);
}

function readLots(tender: unknown, warnings: string[]): { id: string; title: string }[] {
  const lots = readList(LotSchema, prop(tender, 'lots'), 'tender.lots', warnings).map((lot) => ({
    id: cleanLine(lot.id),
    title: cleanLine(lot.title ?? '') || `Lot ${cleanLine(lot.id)}`,
  }));
  const seen = new Set<string>();
  return lots.filter((lot) => lot.id !== '' && !seen.has(lot.id) && Boolean(seen.add(lot.id)));
}

function readUrl(tender: unknown): string | undefined {
  // Links that are not web addresses are common and harmless, so they pass without a warning.
  const raw = prop(tender, 'documents');
  const docs = (Array.isArray(raw) ? raw : []).flatMap((d) => {
    const parsed = DocumentSchema.safeParse(d);
    return parsed.success ? [parsed.data] : [];
  });
  const notice = docs.find((d) => /notice$/i.test(d.documentType ?? '')) ?? docs[0];
  return notice?.url;
}

function stageWarnings(release: Release, tender: unknown): string[] {
  const tags = (release.tag ?? []).map((t) => t.toLowerCase());
  const status = String(prop(tender, 'status') ?? '').toLowerCase();
  if (status === 'cancelled' || tags.includes('tendercancellation')) return ['The buyer has cancelled this tender.'];
  if (status === 'complete' || status === 'unsuccessful' || tags.some((t) => t.startsWith('award') || t.startsWith('contract'))) {
    return ['This is an award notice: the tender has already closed.'];
  }
  if (status === 'planning' || tags.includes('planning')) {
    return ['This is a planning notice (early market engagement), not an open tender yet.'];
  }
  // Amendments often state the change only in prose ("the new deadline is ..."), so the
  // structured dates may lag behind it.
  if (tags.includes('tenderamendment')) return ['This notice amends an earlier one; check its description for changed dates.'];
  return [];
}

/**
 * Builds the draft for one release, or `undefined` when it has no tender section.
 * `zone` interprets dates published without an offset.
 */
export function buildDraft(release: Release, zone: string): { draft: TenderDraft; warnings: string[] } | undefined {
  const tender = release.tender;
  if (typeof tender !== 'object' || tender === null || Array.isArray(tender)) return undefined;
  const warnings: string[] = stageWarnings(release, tender);
  const missing: string[] = [];
  const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

  const rawTitle = cleanLine(str(prop(tender, 'title')) ?? release.title ?? '');
  if (!rawTitle) missing.push('title (tender.title)');
  const title = truncate(rawTitle || `Untitled tender ${release.ocid}`, MAX_TITLE, 'title', warnings);

  const rawDescription = cleanText(str(prop(tender, 'description')) ?? release.description ?? '');
  if (!rawDescription) missing.push('description (tender.description)');
  const description = rawDescription ? truncate(rawDescription, MAX_DESCRIPTION, 'description', warnings) : undefined;

  const buyer = readBuyer(release, tender, warnings);
  if (!buyer) missing.push('buyer (buyer.name)');

  const { total, currency } = readValue(tender, warnings, missing);

  const tenderPeriod = read(PeriodSchema, prop(tender, 'tenderPeriod'), 'tender.tenderPeriod', warnings);
  const enquiryPeriod = read(PeriodSchema, prop(tender, 'enquiryPeriod'), 'tender.enquiryPeriod', warnings);
  const contractPeriod = read(PeriodSchema, prop(tender, 'contractPeriod'), 'tender.contractPeriod', warnings);
  const published = parseDate(str(prop(tender, 'datePublished')), 'tender.datePublished', zone, warnings)
    ?? parseDate(release.date, 'date', zone, warnings);
  const submission = parseDate(tenderPeriod?.endDate, 'tender.tenderPeriod.endDate', zone, warnings);
  const clarification = parseDate(enquiryPeriod?.endDate, 'tender.enquiryPeriod.endDate', zone, warnings);
  const contractStart = parseDate(contractPeriod?.startDate, 'tender.contractPeriod.startDate', zone, warnings);
  const contractEnd = parseDate(contractPeriod?.endDate, 'tender.contractPeriod.endDate', zone, warnings);

  if (!published) missing.push('publication date (tender.datePublished)');
  if (!submission) missing.push('submission deadline (tender.tenderPeriod.endDate)');
  else if (submission.dateOnly) warnings.push('The submission deadline has a date but no time; check the time.');
  if (!clarification) missing.push('clarification deadline (tender.enquiryPeriod.endDate)');
  else if (clarification.dateOnly) warnings.push('The clarification deadline has a date but no time; check the time.');
  if (clarification && submission && clarification.date > submission.date) {
    warnings.push('The clarification deadline falls after the submission deadline.');
  }

  const years = contractYears(contractPeriod, contractStart?.date, contractEnd?.date, zone, warnings);
  if (!contractStart && !contractEnd && !contractPeriod?.durationInDays) missing.push('contract period (tender.contractPeriod)');
  else if (!contractStart) missing.push('contract start (tender.contractPeriod.startDate)');
  else if (!contractEnd && !contractPeriod?.durationInDays) missing.push('contract end (tender.contractPeriod.endDate)');

  const regions = readRegions(tender, warnings);
  if (regions.length === 0) missing.push('delivery regions (tender.items[].deliveryAddresses)');
  const cpv = readCpv(tender, warnings);
  if (cpv.length === 0) missing.push('CPV classification (tender.classification)');

  const suit = read(SuitabilitySchema, prop(tender, 'suitability'), 'tender.suitability', warnings);
  const suitability: { vcse?: boolean; sme?: boolean } = {};
  if (typeof suit?.vcse === 'boolean') suitability.vcse = suit.vcse;
  if (typeof suit?.sme === 'boolean') suitability.sme = suit.sme;
  if (Object.keys(suitability).length === 0) missing.push('suitability for VCSEs and SMEs (tender.suitability)');

  const draft: TenderDraft = {
    title,
    lots: readLots(tender, warnings),
    dates: {},
    regions,
    cpv,
    source: release.ocid.trim(),
    missing,
  };
  if (description) draft.description = description;
  if (buyer) draft.buyer = buyer;
  if (total !== undefined) draft.totalValue = total;
  if (currency) draft.currency = currency;
  if (years !== undefined) draft.years = years;
  if (total !== undefined && years !== undefined) draft.annualValue = Math.round(total / years);
  if (published) draft.dates.published = published.date;
  if (clarification) draft.dates.clarification = clarification.date;
  if (submission) draft.dates.submission = submission.date;
  if (contractStart) draft.dates.contractStart = contractStart.date;
  if (contractEnd) draft.dates.contractEnd = contractEnd.date;
  if (Object.keys(suitability).length > 0) draft.suitability = suitability;
  if (release.id) draft.releaseId = release.id;
  const url = readUrl(tender);
  if (url) draft.url = url;
  return { draft, warnings };
}
