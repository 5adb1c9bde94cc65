/**
 * Data rights: `org export` (everything held about an organisation and its people, as JSON)
 * and `org forget` (erasure; audit entries keep the fact of a change, not the person).
 */
import { createHash } from 'node:crypto';
import type { Ctx, Handler } from '../context.js';
import type { AuditEntry } from '../domain.js';
import type { Filter, WorkspaceData } from '../ports.js';
import { recipientId, recipientOfKey } from '../nudges/nudge.recipients.js';
import { reply } from '../reply.js';
import { canManageOrg, findOrg } from './common.js';

const FORGOTTEN = 'forgotten';

/**
 * Nudge ledger entries that name these people: kept only when a delivery to several people
 * failed part-way (so the retry skips whoever has it). Read whole, as the ledger is only
 * searched by exact key; this is for the rare export or erasure.
 */
async function ledgerEntriesNaming(data: WorkspaceData, users: readonly string[]): Promise<{ key: string; claimedAt: Date }[]> {
  if (users.length === 0) return [];
  const named = new Set(users.map((userId) => recipientId({ kind: 'user', userId })));
  return (await data.nudges.find({ attempts: { gte: 1 } }))
    .filter((e) => named.has(recipientOfKey(e.key) ?? ''))
    .map((e) => ({ key: e.key, claimedAt: e.claimedAt }));
}

export async function exportOrg(data: WorkspaceData, slug: string): Promise<Record<string, unknown> | null> {
  const org = await data.orgs.findOne({ slug });
  if (!org) return null;
  const members = await data.members.find({ orgSlug: slug });
  const users = members.map((m) => m.userId);
  const [interests, consortia, orgTasks, userTasks, auditAbout, auditBy, tokens, nudgeEntries] = await Promise.all([
    data.interests.find({ orgSlug: slug }),
    data.consortia.find({ memberSlugs: slug }),
    data.tasks.find({ 'owner.kind': 'org', 'owner.slug': slug }),
    users.length ? data.tasks.find({ 'owner.kind': 'user', 'owner.id': { in: users } }) : Promise.resolve([]),
    data.audit.find({ subject: `@${slug}` }, { sort: { at: 1 } }),
    users.length ? data.audit.find({ actor: { in: users } }, { sort: { at: 1 }, limit: 5000 }) : Promise.resolve([]),
    users.length ? data.calendarTokens.find({ userId: { in: users } }) : Promise.resolve([]),
    ledgerEntriesNaming(data, users),
  ]);
  return {
    exportedAt: new Date().toISOString(),
    organisation: org,
    members,
    interests,
    consortia: consortia.map((c) => ({ ref: c.ref, tenderRef: c.tenderRef, state: c.state, role: c.members.find((m) => m.orgSlug === slug)?.role, answer: c.members.find((m) => m.orgSlug === slug) })),
    tasks: [...orgTasks, ...userTasks],
    calendarLinks: tokens.map((t) => ({ userId: t.userId, createdAt: t.createdAt })),
    auditAboutOrganisation: auditAbout,
    auditByMembers: auditBy,
    nudgesReachedMembers: nudgeEntries,
  };
}

/** A stable stand-in for a forgotten identifier, so history still reads consistently. */
const pseudonym = (kind: string, id: string): string => `${kind}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;

/**
 * Rewrites the audit entries matching `filter` one by one (entries have no id the port
 * exposes, so each update is pinned to the entry's own fields; once rewritten it no
 * longer matches). `wipe` drops the details, which may hold the person's own words.
 */
async function scrubAudit(data: WorkspaceData, filter: Filter<AuditEntry>, rewrite: (v: unknown) => unknown, wipe: boolean): Promise<number> {
  let n = 0;
  for (const e of await data.audit.find(filter, { limit: 20_000 })) {
    const res = await data.audit.update(
      { ...filter, at: e.at, action: e.action, actor: e.actor, subject: e.subject },
      { actor: rewrite(e.actor) as string, subject: rewrite(e.subject) as string, details: wipe ? {} : (rewrite(e.details ?? {}) as Record<string, unknown>) },
    );
    if (res.ok && res.value) n++;
  }
  return n;
}

export async function forgetOrg(ctx: Ctx, slug: string): Promise<{ members: number; audit: number }> {
  const data = ctx.data;
  const members = await data.members.find({ orgSlug: slug });
  const users = members.map((m) => m.userId);
  const replacement = pseudonym('removed-org', slug);
  // People who belong to other organisations keep their identity there; only this
  // organisation's link to them goes.
  const onlyHere: string[] = [];
  for (const u of users) if ((await data.members.count({ userId: u })) <= 1) onlyHere.push(u);
  const forgotten = new Set(onlyHere);
  // Audit entries anyone wrote may name the organisation or these people in their
  // subject or details (task owners, members of a proposal); each such value is replaced.
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') return v === slug || v === `@${slug}` ? replacement : forgotten.has(v) ? FORGOTTEN : v;
    if (Array.isArray(v)) return v.map(rewrite);
    if (typeof v === 'object' && v !== null && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
    return v;
  };

  await data.members.delete({ orgSlug: slug });
  await data.interests.delete({ orgSlug: slug });
  for (const c of await data.consortia.find({ memberSlugs: slug })) {
    const ms = c.members.map((m) => (m.orgSlug === slug ? { ...m, orgSlug: replacement, answeredBy: m.answeredBy ? FORGOTTEN : undefined, reason: undefined } : m));
    await data.consortia.update({ ref: c.ref }, { members: ms, memberSlugs: ms.map((m) => m.orgSlug) });
  }
  for (const t of await data.tasks.find({ 'owner.kind': 'org', 'owner.slug': slug })) {
    await data.tasks.update({ ref: t.ref }, { owner: { kind: 'org', slug: replacement } });
  }
  let audit = 0;
  for (const u of onlyHere) {
    for (const t of await data.tasks.find({ 'owner.kind': 'user', 'owner.id': u })) await data.tasks.update({ ref: t.ref }, { owner: { kind: 'user', id: FORGOTTEN } });
    await data.tasks.updateMany({ doneBy: u }, { doneBy: FORGOTTEN });
    await data.tasks.updateMany({ createdBy: u }, { createdBy: FORGOTTEN });
    await data.calendarTokens.delete({ userId: u });
    audit += await scrubAudit(data, { actor: u }, rewrite, true);
    audit += await scrubAudit(data, { subject: u }, rewrite, true);
    audit += await scrubAudit(data, { 'details.owner.id': u }, rewrite, false);
    audit += await scrubAudit(data, { 'details.user': u }, rewrite, false);
  }
  audit += await scrubAudit(data, { subject: `@${slug}` }, rewrite, true);
  for (const path of ['details.org', 'details.members', 'details.owner.slug'] as const) {
    audit += await scrubAudit(data, { [path]: slug }, rewrite, false);
  }
  // Which nudges reached these people went into the ledger only for the sake of a retry.
  const entries = (await ledgerEntriesNaming(data, onlyHere)).map((e) => e.key);
  for (let i = 0; i < entries.length; i += 400) await data.nudges.delete({ key: { in: entries.slice(i, i + 400) } });
  for (const o of await data.orgs.find({ partners: slug })) await data.orgs.update({ slug: o.slug }, { partners: o.partners.filter((p) => p !== slug) });
  await data.orgs.delete({ slug });
  const ws = ctx.ws.settings;
  if (onlyHere.some((u) => ws.nudgesOffFor.includes(u))) {
    await ctx.deps.store.workspaces.updateSettings(ctx.ws.id, { nudgesOffFor: ws.nudgesOffFor.filter((u) => !onlyHere.includes(u)) });
  }
  // An admin erasing their own organisation is forgotten too, including as its eraser.
  await data.audit.insert({ at: ctx.now, actor: rewrite(ctx.actor.userId) as string, action: 'org.forget', subject: replacement });
  return { members: members.length, audit };
}

export const orgExport: Handler = {
  path: ['org', 'export'],
  usage: 'org export <org>',
  summary: 'everything held about an organisation and its members, as JSON',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findOrg(ctx, args.map((t) => t.text).join(' '), this.usage);
    if (!found.ok) return found.reply;
    if (!canManageOrg(ctx, found.value.slug)) return reply.denied(`Only an admin of ${found.value.name} or a coordinator can export its data.`);
    const data = await exportOrg(ctx.data, found.value.slug);
    await ctx.audit('org.export', `@${found.value.slug}`);
    return {
      ...reply.ok(
        { kind: 'heading', text: `Data held about ${found.value.name}` },
        { kind: 'text', text: `\`\`\`\n${JSON.stringify(data, null, 2)}\n\`\`\`` },
      ),
      private: true,
    };
  },
};

export const orgForget: Handler = {
  path: ['org', 'forget'],
  usage: 'org forget <org> confirm',
  summary: 'erase an organisation and its people\'s details (history keeps only that a change happened)',
  role: 'anyone',
  async run(ctx, args) {
    const confirmed = args[args.length - 1]?.text.toLowerCase() === 'confirm';
    const found = await findOrg(ctx, args.slice(0, confirmed ? -1 : undefined).map((t) => t.text).join(' '), this.usage);
    if (!found.ok) return found.reply;
    const org = found.value;
    if (!canManageOrg(ctx, org.slug)) return reply.denied(`Only an admin of ${org.name} or a coordinator can erase its data.`);
    if (!confirmed) {
      return reply.ok(
        { kind: 'text', text: `This erases ${org.name} from the directory with its members' details, interests and calendar links. Consortia and tasks it was part of keep an anonymous stand-in. It cannot be undone. \`org export ${org.slug}\` first if you want a copy.` },
        { kind: 'buttons', buttons: [{ label: `Erase ${org.name}`, command: `org forget ${org.slug} confirm`, style: 'danger' }] },
      );
    }
    const res = await ctx.data.withLock(`org:${org.slug}`, () => forgetOrg(ctx, org.slug));
    return reply.text(`${org.name} has been erased: ${res.members} member link(s) removed and ${res.audit} history entries anonymised.`);
  },
};

/**
 * Retention: personal details on tenders closed more than `retentionMonths` ago are
 * removed (who expressed interest, who answered, who created and completed tasks).
 */
export async function purgeExpired(data: WorkspaceData, months: number, now: Date): Promise<number> {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  const old = await data.tenders.find({ status: { in: ['won', 'lost', 'withdrawn'] }, closedAt: { lt: cutoff } });
  let purged = 0;
  for (const t of old) {
    purged += await data.interests.updateMany({ tenderRef: t.ref, by: { ne: FORGOTTEN } }, { by: FORGOTTEN });
    for (const c of await data.consortia.find({ tenderRef: t.ref })) {
      if (c.proposedBy === FORGOTTEN && c.members.every((m) => !m.answeredBy || m.answeredBy === FORGOTTEN)) continue;
      await data.consortia.update({ ref: c.ref }, { proposedBy: FORGOTTEN, members: c.members.map((m) => ({ ...m, answeredBy: m.answeredBy ? FORGOTTEN : undefined, reason: undefined })) });
      purged++;
      for (const k of await data.tasks.find({ consortiumRef: c.ref })) {
        await data.tasks.update({ ref: k.ref }, { createdBy: FORGOTTEN, ...(k.doneBy ? { doneBy: FORGOTTEN } : {}), ...(k.owner.kind === 'user' ? { owner: { kind: 'user', id: FORGOTTEN } } : {}) });
      }
    }
    await data.matches.delete({ tenderRef: t.ref });
    if (t.createdBy !== FORGOTTEN) {
      await data.tenders.update({ ref: t.ref }, { createdBy: FORGOTTEN });
      purged++;
    }
  }
  return purged;
}

export const dataRightsHandlers: Handler[] = [orgExport, orgForget];
