/**
 * Checks untrusted JSON against the instance format of MATCHING.md and explains the first
 * problem in one line a coordinator or developer can act on ("orgs[3].income must be a
 * number"), rather than a schema dump.
 */
import { z } from 'zod';
import type { MatchInstance } from './match.types.js';

const text = z.string().min(1);
const money = z.number().nonnegative();

const cellSchema = z.object({
  service: text,
  area: text,
  accreditation: text.optional(),
});

const tenderSchema = z.object({
  id: text,
  annualValue: money,
  leadMinIncome: money.optional(),
  leadAccreditations: z.array(text).optional(),
  maxMembers: z.number().int().min(1).max(64).optional(),
  cells: z.array(cellSchema).min(1),
});

const orgSchema = z.object({
  id: text,
  services: z.array(text),
  areas: z.array(text),
  home: text,
  income: money,
  canLead: z.boolean(),
  accreditations: z.array(text),
  capacity: money,
  activeBids: z.number().int().nonnegative(),
  partners: z.array(text),
});

// Scores are integers (MATCHING.md), which keeps comparisons between solvers exact.
const weight = z.number().int();

const instanceSchema = z.object({
  tender: tenderSchema,
  orgs: z.array(orgSchema),
  weights: z
    .object({
      local: weight.optional(),
      redundant: weight.optional(),
      small: weight.optional(),
      ties: weight.optional(),
      members: weight.optional(),
      busy: weight.optional(),
    })
    .optional(),
  top: z.number().int().min(1).max(100).optional(),
});

export type ValidationResult = { ok: true; instance: MatchInstance } | { ok: false; error: string };

/** Validates parsed JSON as a match instance; unknown fields are ignored. */
export function validateInstance(json: unknown): ValidationResult {
  const parsed = instanceSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: issue ? describeIssue(issue) : 'the instance is not valid' };
  }
  const instance = parsed.data as MatchInstance;
  const seen = new Map<string, number>();
  for (const [i, org] of instance.orgs.entries()) {
    const first = seen.get(org.id);
    if (first !== undefined) return { ok: false, error: `orgs[${i}].id "${org.id}" repeats orgs[${first}].id` };
    seen.set(org.id, i);
  }
  return { ok: true, instance };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  const subject = where === '' ? 'the instance' : where;
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return `${subject} is missing`;
      return `${subject} must be ${article(issue.expected)}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return `${subject} must not be empty`;
      if (issue.origin === 'array') return `${subject} must have at least ${String(issue.minimum)} item(s)`;
      return `${subject} must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `${subject} must be at most ${String(issue.maximum)}`;
    default:
      return `${subject}: ${issue.message}`;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'array') return 'a list';
  if (expected === 'boolean') return 'true or false';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
