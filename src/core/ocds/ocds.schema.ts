/**
 * The parts of the Open Contracting Data Standard (OCDS 1.1) that tender import reads, as
 * zod schemas. Every schema is deliberately loose: publishers omit fields, send `null`, or
 * add extensions, and one odd field should cost that field, not the whole import.
 */
import { z } from 'zod';

const text = z.string().nullish();
const id = z.union([z.string(), z.number()]).transform(String);

/** Amounts are numbers in the standard; a few publishers send numeric strings. */
const amount = z.union([
  z.number().finite(),
  z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'not a number').transform(Number),
]);

export const MoneySchema = z.object({
  amount: amount.nullish(),
  currency: z.string().trim().regex(/^[A-Za-z]{3}$/, 'not a three-letter currency code').transform((c) => c.toUpperCase()).nullish(),
});

export const PeriodSchema = z.object({
  startDate: text,
  endDate: text,
  durationInDays: z.number().finite().nonnegative().nullish(),
});

export const ClassificationSchema = z.object({
  scheme: text,
  id,
  description: text,
});

export const AddressSchema = z.object({
  region: text,
  locality: text,
  postalCode: text,
  countryName: text,
});

export const LotSchema = z.object({
  id,
  title: text,
});

export const OrganisationRefSchema = z.object({
  name: text,
});

export const PartySchema = z.object({
  name: text,
  roles: z.array(z.string()).nullish(),
});

export const SuitabilitySchema = z.object({
  sme: z.boolean().nullish(),
  vcse: z.boolean().nullish(),
});

export const DocumentSchema = z.object({
  documentType: text,
  url: z.string().trim().regex(/^https?:\/\/\S+$/i, 'not a web address'),
});

/** A JSON object (not an array), kept whole so its fields can be read one by one. */
export const ObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof ObjectSchema>;

/**
 * What makes something a release at all: an ocid. Envelope fields that fail their type are
 * dropped rather than sinking the release; the tender is read field by field later.
 */
export const ReleaseSchema = z.object({
  ocid: z.string().trim().min(1, 'empty ocid'),
  id: id.nullish().catch(undefined),
  date: text.catch(undefined),
  tag: z.union([z.array(z.string()), z.string().transform((t) => [t])]).nullish().catch(undefined),
  title: text.catch(undefined),
  description: text.catch(undefined),
  tender: z.unknown().optional(),
  buyer: z.unknown().optional(),
  parties: z.unknown().optional(),
});
export type Release = z.infer<typeof ReleaseSchema>;

export const ReleasePackageSchema = z.object({ releases: z.array(z.unknown()) });
export const RecordPackageSchema = z.object({ records: z.array(z.unknown()) });
export const RecordSchema = z.object({
  ocid: text,
  compiledRelease: z.unknown().optional(),
  releases: z.array(z.unknown()).nullish(),
});

/** One-line description of why a value failed a schema, for warnings. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unreadable';
  const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}

/** An own property of a JSON object, or undefined for anything else. */
export function prop(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}
