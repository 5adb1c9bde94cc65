/** Lookups and checks shared by handlers: organisations, tenders, consortia, users, roles. */
import type { Ctx } from '../context.js';
import type { Consortium, Interest, Organisation, Task, Tender } from '../domain.js';
import { key, slugify, type Token } from '../parse/tokens.js';
import { reply, type Reply } from '../reply.js';
import { formatUkDate, parseUkDate } from '../time/uk-date.js';

export type Found<T> = { ok: true; value: T } | { ok: false; reply: Reply };

/**
 * The organisations with these slugs, in directory order. Read as the whole directory (one
 * query that every caller shares, so it is nearly always served from memory) rather than
 * by a list of slugs that differs from one call to the next.
 */
export async function orgsBySlugs(ctx: Ctx, slugs: readonly string[]): Promise<Organisation[]> {
  if (slugs.length === 0) return [];
  const wanted = new Set(slugs);
  return (await ctx.data.orgs.find({})).filter((o) => wanted.has(o.slug));
}

/** A tender's interest, live only unless asked; one read per tender that its callers share. */
export async function tenderInterests(ctx: Ctx, tenderRef: string, opts: { withdrawn?: boolean } = {}): Promise<Interest[]> {
  const all = await ctx.data.interests.find({ tenderRef });
  return opts.withdrawn ? all : all.filter((i) => !i.withdrawn);
}

const REF = /^([TCK])-?(\d{1,9})$/i;

/** Normalises `t12`, `T12`, `t-12` to `T-12`; null if it is not a reference of that kind. */
export function normaliseRef(text: string, kind: 'T' | 'C' | 'K'): string | null {
  const m = REF.exec(text.trim());
  if (!m || (m[1] as string).toUpperCase() !== kind) return null;
  return `${kind}-${Number(m[2])}`;
}

export async function findTender(ctx: Ctx, text: string | undefined, usage: string): Promise<Found<Tender>> {
  if (!text) return { ok: false, reply: reply.invalid('Which tender? Give its reference, like T-3.', usage) };
  const ref = normaliseRef(text, 'T');
  if (!ref) return { ok: false, reply: reply.invalid(`"${clip(text)}" is not a tender reference; they look like T-3.`, usage) };
  const t = await ctx.data.tenders.findOne({ ref });
  if (!t) return { ok: false, reply: reply.notFound(`There is no tender ${ref} here. \`tender list\` shows the open ones.`) };
  return { ok: true, value: t };
}

export async function findConsortium(ctx: Ctx, text: string | undefined, usage: string): Promise<Found<Consortium>> {
  if (!text) return { ok: false, reply: reply.invalid('Which consortium? Give its reference, like C-2.', usage) };
  const ref = normaliseRef(text, 'C');
  if (!ref) return { ok: false, reply: reply.invalid(`"${clip(text)}" is not a consortium reference; they look like C-2.`, usage) };
  const c = await ctx.data.consortia.findOne({ ref });
  if (!c) return { ok: false, reply: reply.notFound(`There is no consortium ${ref} here. \`consortium list\` shows them.`) };
  return { ok: true, value: c };
}

export async function findTask(ctx: Ctx, text: string | undefined, usage: string): Promise<Found<Task>> {
  if (!text) return { ok: false, reply: reply.invalid('Which task? Give its reference, like K-31.', usage) };
  const ref = normaliseRef(text, 'K');
  if (!ref) return { ok: false, reply: reply.invalid(`"${clip(text)}" is not a task reference; they look like K-31.`, usage) };
  const t = await ctx.data.tasks.findOne({ ref });
  if (!t) return { ok: false, reply: reply.notFound(`There is no task ${ref} here. \`tasks\` lists yours.`) };
  return { ok: true, value: t };
}

/**
 * Finds an organisation by `@slug`, exact name, or an unambiguous start of its name
 * (case-insensitive).
 */
export async function findOrg(ctx: Ctx, text: string | undefined, usage: string): Promise<Found<Organisation>> {
  if (!text || !text.trim()) return { ok: false, reply: reply.invalid('Which organisation? Give its name or @slug.', usage) };
  const raw = text.trim().replace(/^@/, '');
  const slug = slugify(raw);
  if (slug) {
    const bySlug = await ctx.data.orgs.findOne({ slug });
    if (bySlug) return { ok: true, value: bySlug };
  }
  const all = await ctx.data.orgs.find({}, { sort: { name: 1 } });
  const k = key(raw);
  const exact = all.filter((o) => key(o.name) === k);
  if (exact.length === 1) return { ok: true, value: exact[0] as Organisation };
  const slugLike = /^[a-z0-9-]+$/.test(raw);
  const prefix = k ? all.filter((o) => key(o.name).startsWith(k) || (slugLike && o.slug.startsWith(slug))) : [];
  if (prefix.length === 1) return { ok: true, value: prefix[0] as Organisation };
  if (prefix.length > 1) {
    const names = prefix.slice(0, 5).map((o) => `${o.name} (@${o.slug})`).join(', ');
    return { ok: false, reply: reply.invalid(`"${clip(raw)}" could be ${names}${prefix.length > 5 ? ` and ${prefix.length - 5} more` : ''}. Say which.`, usage) };
  }
  return { ok: false, reply: reply.notFound(`I can't find an organisation called "${clip(raw)}". \`org list\` shows the directory.`) };
}

/** A user from a mention token (`<@U123>`) or, in the console, `@name`. */
export function userFrom(token: Token | undefined): string | null {
  if (!token) return null;
  if (token.mention) return token.mention;
  const m = /^@([A-Za-z0-9_.-]{1,60})$/.exec(token.text);
  return m ? (m[1] as string) : null;
}

export const mention = (userId: string): string => `<@${userId}>`;

export function isOrgAdmin(ctx: Ctx, slug: string): boolean {
  return ctx.memberships.some((m) => m.orgSlug === slug && m.role === 'admin');
}

export function isOrgMember(ctx: Ctx, slug: string): boolean {
  return ctx.memberships.some((m) => m.orgSlug === slug);
}

/** Admin of the organisation or a coordinator. */
export function canManageOrg(ctx: Ctx, slug: string): boolean {
  return ctx.isCoordinator || isOrgAdmin(ctx, slug);
}

export async function orgAdmins(ctx: Ctx, slug: string): Promise<string[]> {
  const members = await ctx.data.members.find({ orgSlug: slug, role: 'admin' });
  return members.map((m) => m.userId);
}

export async function coordinatorList(ctx: Ctx): Promise<string> {
  const list = ctx.ws.settings.coordinators;
  if (list.length === 0) return 'This workspace has no coordinator yet: the person who installed Consortia can add one with `settings coordinator add @someone`.';
  return `Coordinators here: ${list.slice(0, 5).map(mention).join(', ')}.`;
}

/**
 * The organisation a command acts for: `for <org>` if given, else the actor's only
 * organisation. Refuses when the actor is not a member (or admin, if `admin`) of it.
 */
export async function actingOrg(ctx: Ctx, forText: string | undefined, usage: string, need: 'member' | 'admin'): Promise<Found<Organisation>> {
  if (forText) {
    const found = await findOrg(ctx, forText, usage);
    if (!found.ok) return found;
    const ok = ctx.isCoordinator || (need === 'admin' ? isOrgAdmin(ctx, found.value.slug) : isOrgMember(ctx, found.value.slug));
    if (!ok) return { ok: false, reply: reply.denied(`Only ${need === 'admin' ? 'an admin' : 'a member'} of ${found.value.name} or a coordinator can do that for it.`) };
    return found;
  }
  const mine = ctx.memberships.filter((m) => need === 'member' || m.role === 'admin');
  if (mine.length === 0) {
    return { ok: false, reply: reply.denied(need === 'admin' ? 'You are not an admin of any organisation here. Register one with `org register`, or ask its admin.' : 'You are not a member of any organisation here. Use `org join <org>` or `org register`.') };
  }
  if (mine.length > 1) {
    return { ok: false, reply: reply.invalid(`You belong to several organisations (${mine.map((m) => '@' + m.orgSlug).join(', ')}). Add \`for <org>\`.`, usage) };
  }
  const org = await ctx.data.orgs.findOne({ slug: (mine[0] as { orgSlug: string }).orgSlug });
  if (!org) return { ok: false, reply: reply.notFound('Your organisation is no longer in the directory.') };
  return { ok: true, value: org };
}

export function dateArg(ctx: Ctx, text: string | undefined, what: string, usage: string): Found<Date> {
  if (!text) return { ok: false, reply: reply.invalid(`Give ${what}, like 15/01/2027, 15 Jan 2027 12:00 or next Friday 5pm.`, usage) };
  const r = parseUkDate(text, { now: ctx.now, calendar: ctx.cal });
  if (!r.ok) return { ok: false, reply: reply.invalid(r.error, usage) };
  return { ok: true, value: r.date };
}

export const when = (ctx: Ctx, d: Date | undefined): string => (d ? formatUkDate(d, ctx.ws.settings.timezone) : 'not set');

/** Echoes user text back safely short. */
export function clip(text: string, max = 60): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Refusal when a tender's details can no longer change (it is closed), else null. */
export function closedTender(t: { ref: string; status: string }, what = 'its requirements'): Reply | null {
  return t.status === 'open' || t.status === 'draft' ? null : reply.conflict(`${t.ref} is ${t.status}; ${what} can't change.`);
}
