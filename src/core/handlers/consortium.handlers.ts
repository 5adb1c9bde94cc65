/** Formation: accept and decline invitations; show and list consortia. */
import type { Ctx, Handler } from '../context.js';
import type { Consortium, ConsortiumMember, Organisation } from '../domain.js';
import { keywordArgs } from '../parse/tokens.js';
import { reply, type Block, type Reply } from '../reply.js';
import { actingOrg, clip, findConsortium, isOrgMember, normaliseRef, orgAdmins, orgsBySlugs, when } from './common.js';
import { committedSlugs } from './match.pool.js';

async function names(ctx: Ctx, slugs: string[]): Promise<Map<string, Organisation>> {
  const orgs = await orgsBySlugs(ctx, slugs);
  return new Map(orgs.map((o) => [o.slug, o]));
}

/** Notifies the admins of every member organisation, and the coordinators. */
async function tellEveryone(ctx: Ctx, c: Consortium, message: Reply, extra: string[] = []): Promise<void> {
  const users = new Set<string>([...ctx.ws.settings.coordinators, ...extra]);
  for (const m of c.members) for (const a of await orgAdmins(ctx, m.orgSlug)) users.add(a);
  users.delete(ctx.actor.userId);
  for (const u of users) await ctx.deps.notifier.send(ctx.ws, { kind: 'user', userId: u }, message).catch(() => undefined);
}

/** Records one organisation's answer; callers hold the tender's lock. */
async function answer(ctx: Ctx, ref: string, slug: string, update: Partial<ConsortiumMember>): Promise<Consortium | null> {
  const c = await ctx.data.consortia.findOne({ ref });
  if (!c || c.state !== 'proposed') return c;
  const members = c.members.map((m) => (m.orgSlug === slug ? { ...m, ...update } : m));
  const res = await ctx.data.consortia.update({ ref, state: 'proposed' }, { members }, { inc: { rev: 1 } });
  return res.ok ? res.value : null;
}

/**
 * Answers change who is committed to which consortium for a tender, so they run under the
 * tender's lock: two answers (or an answer and a proposal) never interleave.
 */
export function underTenderLock(run: Handler['run']): Handler['run'] {
  return async (ctx, args) => {
    const c = args[0] ? await ctx.data.consortia.findOne({ ref: normaliseRef(args[0].text, 'C') ?? '' }) : null;
    if (!c) return run(ctx, args);
    return ctx.data.withLock(`tender:${c.tenderRef}`, () => run(ctx, args));
  };
}

const ACCEPT_USAGE = 'accept <consortium> [for <org>]';

export const accept: Handler = {
  path: ['accept'],
  usage: ACCEPT_USAGE,
  summary: 'accept an invitation to a consortium for your organisation',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findConsortium(ctx, args[0]?.text, ACCEPT_USAGE);
    if (!found.ok) return found.reply;
    const c = found.value;
    const { positional, named } = keywordArgs(args.slice(1), ['for']);
    if (positional.length) return reply.invalid(`I didn't understand "${clip(positional.map((t) => t.text).join(' '))}".`, ACCEPT_USAGE);
    const forText = named.get('for') ?? (ctx.memberships.filter((m) => m.role === 'admin' && c.memberSlugs.includes(m.orgSlug)).length === 1
      ? ctx.memberships.find((m) => m.role === 'admin' && c.memberSlugs.includes(m.orgSlug))?.orgSlug : undefined);
    const org = await actingOrg(ctx, forText, ACCEPT_USAGE, 'admin');
    if (!org.ok) return org.reply;
    const me = c.members.find((m) => m.orgSlug === org.value.slug);
    if (!me) return reply.invalid(`${org.value.name} is not invited to ${c.ref}.`, ACCEPT_USAGE);
    if (c.state !== 'proposed') return reply.conflict(`${c.ref} is ${c.state}; it is no longer waiting for answers.`);
    if (me.answer === 'accepted') return reply.text(`${org.value.name} has already accepted ${c.ref}.`);
    const elsewhere = committedSlugs(await ctx.data.consortia.find({ tenderRef: c.tenderRef }), c.ref);
    if (elsewhere.has(org.value.slug)) return reply.conflict(`${org.value.name} is already committed to another consortium for ${c.tenderRef}; an organisation can be in only one per tender.`);
    const after = await answer(ctx, c.ref, org.value.slug, { answer: 'accepted', answeredBy: ctx.actor.userId });
    if (!after || after.state !== 'proposed') return reply.conflict(`${c.ref} changed while you answered; it is now ${after?.state ?? 'gone'}.`);
    await ctx.audit('consortium.accept', c.ref, { org: org.value.slug });
    const waiting = after.members.filter((m) => m.answer !== 'accepted');
    if (waiting.length > 0) {
      return reply.text(`${org.value.name} accepted ${c.ref}. Still waiting for ${waiting.map((m) => '@' + m.orgSlug).join(', ')}.`);
    }
    const formed = await ctx.data.consortia.update({ ref: c.ref, state: 'proposed' }, { state: 'formed', formedAt: ctx.now });
    if (!formed.ok || !formed.value) return reply.text(`${org.value.name} accepted ${c.ref}.`);
    await ctx.audit('consortium.formed', c.ref, { tender: c.tenderRef, members: c.memberSlugs });
    await ctx.deps.scheduler.consortiumChanged(ctx.ws.id, c.ref);
    const tender = await ctx.data.tenders.findOne({ ref: c.tenderRef });
    const orgs = await names(ctx, c.memberSlugs);
    const list = formed.value.members.map((m) => `${orgs.get(m.orgSlug)?.name ?? m.orgSlug}${m.role === 'lead' ? ' (lead)' : ''}`).join(', ');
    const news = reply.ok(
      { kind: 'heading', text: `🎉 ${c.ref} is formed` },
      { kind: 'text', text: `All members accepted: ${list}, bidding for ${c.tenderRef}${tender ? ` (${tender.title}), deadline ${when(ctx, tender.dates.submission)}` : ''}. Next: \`plan ${c.ref}\` generates the bid plan.` },
      { kind: 'buttons', buttons: [{ label: 'Generate bid plan', command: `plan ${c.ref}`, style: 'primary' }] },
    );
    await tellEveryone(ctx, formed.value, news);
    return news;
  },
};

const DECLINE_USAGE = 'decline <consortium> [for <org>] [reason]';

export const decline: Handler = {
  path: ['decline'],
  usage: DECLINE_USAGE,
  summary: 'decline an invitation to a consortium (the lead and coordinator are told)',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findConsortium(ctx, args[0]?.text, DECLINE_USAGE);
    if (!found.ok) return found.reply;
    const c = found.value;
    const rest = args.slice(1);
    let forText: string | undefined;
    let reasonTokens = rest;
    if (rest[0]?.text.toLowerCase() === 'for' && rest[1]) {
      forText = rest[1].text;
      reasonTokens = rest.slice(2);
    } else {
      const mine = ctx.memberships.filter((m) => m.role === 'admin' && c.memberSlugs.includes(m.orgSlug));
      if (mine.length === 1) forText = mine[0]?.orgSlug;
    }
    const reason = reasonTokens.map((t) => t.text).join(' ').trim().slice(0, 500);
    const org = await actingOrg(ctx, forText, DECLINE_USAGE, 'admin');
    if (!org.ok) return org.reply;
    const me = c.members.find((m) => m.orgSlug === org.value.slug);
    if (!me) return reply.invalid(`${org.value.name} is not invited to ${c.ref}.`, DECLINE_USAGE);
    if (c.state !== 'proposed') return reply.conflict(`${c.ref} is ${c.state}; it is no longer waiting for answers.`);
    const after = await answer(ctx, c.ref, org.value.slug, { answer: 'declined', answeredBy: ctx.actor.userId, ...(reason ? { reason } : {}) });
    if (!after || after.state !== 'proposed') return reply.conflict(`${c.ref} changed while you answered; it is now ${after?.state ?? 'gone'}.`);
    await ctx.data.consortia.update({ ref: c.ref, state: 'proposed' }, { state: 'declined' });
    await ctx.audit('consortium.decline', c.ref, { org: org.value.slug, reason });
    const leadSlug = c.members.find((m) => m.role === 'lead')?.orgSlug;
    const leadAdmins = leadSlug ? await orgAdmins(ctx, leadSlug) : [];
    const news = reply.ok(
      { kind: 'heading', text: `${org.value.name} declined ${c.ref}` },
      { kind: 'text', text: `${c.ref} for ${c.tenderRef} will not go ahead as proposed${reason ? `. Their reason: "${clip(reason, 200)}"` : ''}. A new match leaves ${org.value.name} out.` },
      { kind: 'buttons', buttons: [{ label: `Re-match ${c.tenderRef} without them`, command: `match ${c.tenderRef} pool directory`, style: 'primary' }] },
    );
    const users = new Set([...ctx.ws.settings.coordinators, ...leadAdmins]);
    users.delete(ctx.actor.userId);
    for (const u of users) await ctx.deps.notifier.send(ctx.ws, { kind: 'user', userId: u }, news).catch(() => undefined);
    return reply.text(`You declined ${c.ref} for ${org.value.name}. The lead and the coordinator have been told.`);
  },
};

export async function consortiumBlocks(ctx: Ctx, c: Consortium): Promise<Block[]> {
  const orgs = await names(ctx, c.memberSlugs);
  const tender = await ctx.data.tenders.findOne({ ref: c.tenderRef });
  const mark = { accepted: '✓ accepted', declined: '✗ declined', pending: '… waiting' } as const;
  const blocks: Block[] = [
    { kind: 'heading', text: `${c.ref}: ${c.state} — for ${c.tenderRef}${tender ? ` ${tender.title}` : ''}` },
    { kind: 'list', items: c.members.map((m) => `${orgs.get(m.orgSlug)?.name ?? m.orgSlug} — ${m.role}; ${c.state === 'formed' ? 'member' : mark[m.answer]}${m.reason ? ` ("${clip(m.reason, 80)}")` : ''}`) },
  ];
  if (tender) blocks.push({ kind: 'fields', fields: [{ label: 'Submission deadline', value: when(ctx, tender.dates.submission) }, { label: 'Score', value: String(c.score) }] });
  if (c.state === 'proposed') {
    const waiting = c.members.filter((m) => m.answer === 'pending');
    blocks.push({ kind: 'text', text: `Not answered yet: ${waiting.map((m) => orgs.get(m.orgSlug)?.name ?? m.orgSlug).join(', ') || 'nobody'}.` });
  }
  if (c.state === 'formed') {
    const tasks = await ctx.data.tasks.find({ consortiumRef: c.ref });
    const open = tasks.filter((t) => t.status === 'open').sort((a, b) => a.due.getTime() - b.due.getTime());
    blocks.push({ kind: 'text', text: tasks.length ? `Tasks: ${tasks.length - open.length} of ${tasks.length} done${open[0] ? `; next: ${open[0].ref} ${open[0].title}, due ${when(ctx, open[0].due)}` : ''}.` : `No bid plan yet: \`plan ${c.ref}\`.` });
  }
  return blocks;
}

export const consortiumShow: Handler = {
  path: ['consortium', 'show'],
  usage: 'consortium show <consortium>',
  summary: 'a consortium\'s state, members and who has not answered yet',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findConsortium(ctx, args[0]?.text, this.usage);
    if (!found.ok) return found.reply;
    return reply.ok(...(await consortiumBlocks(ctx, found.value)));
  },
};

export const consortiumList: Handler = {
  path: ['consortium', 'list'],
  usage: 'consortium list',
  summary: 'consortia you are in (coordinators see all)',
  role: 'anyone',
  async run(ctx) {
    const all = await ctx.data.consortia.find({}, { sort: { createdAt: -1 }, limit: 200 });
    const list = ctx.isCoordinator ? all : all.filter((c) => c.memberSlugs.some((s) => isOrgMember(ctx, s)));
    if (list.length === 0) return reply.text(ctx.isCoordinator ? 'No consortia yet. `match <tender>` proposes some.' : 'Your organisations are not in any consortium yet.');
    return reply.ok({ kind: 'heading', text: 'Consortia' }, { kind: 'list', items: list.slice(0, 50).map((c) => `${c.ref} ${c.state} — ${c.tenderRef}: ${c.members.map((m) => `@${m.orgSlug}${m.role === 'lead' ? ' (lead)' : ''}${c.state === 'proposed' && m.answer === 'pending' ? ' …' : ''}`).join(', ')}`) });
  },
};

accept.run = underTenderLock(accept.run.bind(accept));
decline.run = underTenderLock(decline.run.bind(decline));

export const consortiumHandlers: Handler[] = [accept, decline, consortiumShow, consortiumList];
