/** Validation of organisation details, shared by the one-line command and the form. */
import type { Ctx } from '../context.js';
import type { Organisation } from '../domain.js';
import { parseMoney } from '../money.js';
import { areaName, key, serviceKey, slugify, splitList } from '../parse/tokens.js';
import type { FormField } from '../reply.js';

export type OrgValues = Record<string, string | string[] | undefined>;

export type OrgInput = Pick<Organisation, 'name' | 'slug' | 'services' | 'areas' | 'home' | 'income' | 'capacity' | 'canLead' | 'accreditations'> & { charityNumber?: string };

const PLAIN = /^[\p{L}\p{N}][\p{L}\p{N} &'’.,()/-]*$/u;

export const YES = new Set(['yes', 'y', 'true', 'on', '1']);
export const NO = new Set(['no', 'n', 'false', 'off', '0']);

const list = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v.flatMap(splitList) : v ? splitList(v) : []);
const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join(', ') : (v ?? '')).trim();

export function services(v: string | string[] | undefined): string[] {
  return [...new Set(list(v).map(serviceKey).filter(Boolean))];
}

export function areas(v: string | string[] | undefined, known: string[] = []): string[] {
  const byKey = new Map(known.map((a) => [key(a), a]));
  const out = new Map<string, string>();
  for (const a of list(v)) {
    const k = key(a);
    if (k) out.set(k, byKey.get(k) ?? areaName(a));
  }
  return [...out.values()];
}

/** Checks organisation details; returns field errors keyed like the form's fields. */
export function validateOrg(values: OrgValues, knownAreas: string[]): { ok: true; org: OrgInput } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const name = one(values.name).replace(/\s+/g, ' ');
  if (name.length < 2) errors.name = 'Give the organisation\'s name (at least 2 characters).';
  else if (name.length > 120) errors.name = 'The name is too long (at most 120 characters).';
  const slug = slugify(name);
  if (!errors.name && !slug) errors.name = 'The name needs at least one letter or digit.';

  const income = parseMoney(one(values.income));
  if (income === null) errors.income = 'Give the annual income, like 85k, £1.2m or 250000.';
  const capText = one(values.capacity);
  const capacity = capText ? parseMoney(capText) : income !== null ? Math.round(income / 2) : null;
  if (capText && capacity === null) errors.capacity = 'Give the contract value it could take on per year, like 50k.';

  const odd = [...list(values.services), ...list(values.areas), ...list(values.home)].find((x) => !PLAIN.test(x) || x.length > 80);
  if (odd) errors.services = `"${odd.slice(0, 40)}" doesn't look like a service or area name: use letters, digits and spaces.`;
  const svc = services(values.services);
  if (svc.length === 0 && !errors.services) errors.services = 'List at least one service, e.g. mental health, befriending.';
  if (svc.length > 30) errors.services = 'At most 30 services.';
  const ar = areas(values.areas, knownAreas);
  const homeText = one(values.home);
  const home = homeText ? (areas(homeText, [...knownAreas, ...ar])[0] ?? '') : (ar[0] ?? '');
  if (!home) errors.home = 'Give the area it is based in.';
  if (home && !ar.some((a) => key(a) === key(home))) ar.unshift(home);
  if (ar.length === 0) errors.areas = 'List the areas it can deliver in.';
  if (ar.length > 60) errors.areas = 'At most 60 areas.';

  const leadText = one(values.lead).toLowerCase();
  let canLead = false;
  if (leadText) {
    if (YES.has(leadText)) canLead = true;
    else if (!NO.has(leadText)) errors.lead = 'Say yes or no: is it willing to lead a consortium?';
  }
  const accreditations = [...new Set(list(values.accreditations).map((a) => a.trim().slice(0, 80)))];
  const charityNumber = one(values.charity);
  if (charityNumber && !/^[A-Za-z0-9-]{4,20}$/.test(charityNumber)) errors.charity = 'A charity number is 4–20 letters and digits, e.g. 1123456 or SC012345.';

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    org: { name, slug, services: svc, areas: ar, home, income: income as number, capacity: capacity as number, canLead, accreditations, ...(charityNumber ? { charityNumber } : {}) },
  };
}

/** Services and areas already used in the workspace, to offer in forms. */
export async function knownVocabulary(ctx: Ctx): Promise<{ services: string[]; areas: string[] }> {
  const orgs = await ctx.data.orgs.find({}, { limit: 2000 });
  const tenders = await ctx.data.tenders.find({ status: { in: ['draft', 'open'] } }, { limit: 200 });
  const s = new Set<string>();
  const a = new Map<string, string>();
  for (const o of orgs) {
    o.services.forEach((x) => s.add(x));
    o.areas.forEach((x) => a.set(key(x), x));
  }
  for (const t of tenders) for (const c of t.cells) {
    s.add(c.service);
    a.set(key(c.area), c.area);
  }
  return { services: [...s].sort(), areas: [...a.values()].sort() };
}

export function orgFormFields(vocab: { services: string[]; areas: string[] }, initial?: Partial<Organisation>): FormField[] {
  const opt = (xs: string[], label = (x: string) => x) => xs.slice(0, 100).map((x) => ({ value: x, label: label(x) }));
  return [
    { name: 'name', label: 'Organisation name', type: 'text', required: true, initial: initial?.name },
    { name: 'income', label: 'Annual income', type: 'money', required: true, hint: 'e.g. 85k or £1.2m', initial: initial?.income?.toString() },
    { name: 'services', label: 'Services', type: 'multiselect', required: true, options: opt(vocab.services, (x) => x.replace(/-/g, ' ')), allowOther: true, initial: initial?.services },
    { name: 'areas', label: 'Areas it can deliver in', type: 'multiselect', required: true, options: opt(vocab.areas), allowOther: true, initial: initial?.areas },
    { name: 'home', label: 'Area it is based in', type: 'select', required: true, options: opt(vocab.areas), allowOther: true, initial: initial?.home },
    { name: 'capacity', label: 'Contract value it could take on per year', type: 'money', hint: 'default: half the income', initial: initial?.capacity?.toString() },
    { name: 'lead', label: 'Willing to lead a consortium?', type: 'boolean', initial: initial?.canLead ? 'yes' : 'no' },
    { name: 'accreditations', label: 'Accreditations', type: 'text', hint: 'comma separated, e.g. CQC, Cyber Essentials', initial: initial?.accreditations?.join(', ') },
    { name: 'charity', label: 'Charity number', type: 'text', initial: initial?.charityNumber },
  ];
}
