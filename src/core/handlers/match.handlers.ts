/** `match` (ranked proposals or the gap report, in plain words) and `propose` (invitations). */
import type { Ctx, Handler } from '../context.js';
import type { MatchRun } from '../ports.js';
import { sizeBand, type Organisation, type Tender } from '../domain.js';
import { solveMatchDetailed } from '../matching/match.engine.js';
import type { MatchAnswer, MatchGaps, MatchProposal } from '../matching/match.types.js';
import { formatMoney } from '../money.js';
import { key, keywordArgs, serviceLabel } from '../parse/tokens.js';
import { reply, type Block, type Reply } from '../reply.js';
import { clip, findTender, isOrgAdmin, mention, normaliseRef, orgAdmins, orgsBySlugs, plural, tenderInterests, when } from './common.js';
import { buildPool, committedSlugs, covers, type Pool, type PoolResult } from './match.pool.js';

const MATCH_USAGE = 'match <tender> [top <k>] [pool interested|directory]';
/** Pools bigger than this answer "working on it" first and follow up with the proposals. */
const SLOW_POOL = 600;
/** Search nodes before the engine stops with the best found (about 2–3 s on a small server). */
const MATCH_NODE_LIMIT = 20_000;

function cellName(c: { service: string; area: string }): string {
  return `${serviceLabel(c.service)} in ${c.area}`;
}

function shortName(o: Organisation): string {
  return o.name.length <= 18 ? o.name : o.name.split(/\s+/).map((w) => w[0]).join('').toUpperCase().slice(0, 6);
}

/** The score in words: what each part of the breakdown means for this consortium. */
export function scoreInWords(p: MatchProposal, t: Tender, orgs: Map<string, Organisation>): string {
  const b = p.breakdown;
  const areas = new Set(t.cells.map((c) => key(c.area)));
  const localAreas = new Set(t.cells.filter((c) => p.members.some((m) => { const o = orgs.get(m); return o && key(o.home) === key(c.area) && covers(o, c); })).map((c) => key(c.area)));
  const parts = [
    `covers ${plural(localAreas.size, 'locality', 'localities')} of ${areas.size} with locally based organisations (${plural(b.local, 'need')} met locally)`,
    `${b.small} of ${b.members} members are small or medium charities`,
  ];
  if (b.redundant) parts.push(`${plural(b.redundant, 'need')} covered twice over`);
  if (b.ties) parts.push(`${plural(b.ties, 'pair')} have delivered together before`);
  if (b.busy) parts.push(`members are already in ${plural(b.busy, 'other bid')}`);
  return `${parts.join('; ')}.`;
}

function proposalBlocks(n: number, p: MatchProposal, t: Tender, orgs: Map<string, Organisation>): Block[] {
  const get = (s: string) => orgs.get(s);
  const members = [p.lead, ...p.members.filter((m) => m !== p.lead)];
  const items = members.map((slug) => {
    const o = get(slug);
    if (!o) return slug;
    const covered = t.cells.filter((c) => covers(o, c));
    const byService = new Map<string, string[]>();
    for (const c of covered) byService.set(c.service, [...(byService.get(c.service) ?? []), c.area]);
    const what = [...byService].map(([s, as]) => `${serviceLabel(s)} in ${as.join(', ')}`).join('; ');
    return `${o.name} — ${slug === p.lead ? 'lead' : 'partner'}, ${sizeBand(o.income)}, based in ${o.home}${what ? `; covers ${what}` : ''}`;
  });
  const services = [...new Set(t.cells.map((c) => c.service))];
  const areas = [...new Set(t.cells.map((c) => c.area))];
  const capacity = p.members.reduce((sum, m) => sum + (get(m)?.capacity ?? 0), 0);
  return [
    { kind: 'heading', text: `Proposal ${n}: ${plural(p.members.length, 'member')}, score ${p.score}` },
    { kind: 'list', items },
    {
      kind: 'grid',
      grid: {
        title: 'Who covers what',
        columns: areas,
        rows: services.map((s) => ({
          label: serviceLabel(s),
          cells: areas.map((a) => {
            const cell = t.cells.find((c) => c.service === s && c.area === a);
            if (!cell) return '';
            return p.members.map(get).filter((o): o is Organisation => !!o && covers(o, cell)).map(shortName).join(', ') || '—';
          }),
        })),
      },
    },
    { kind: 'text', text: `Why: ${scoreInWords(p, t, orgs)} Together they could take on ${formatMoney(capacity)} a year against ${formatMoney(t.annualValue)}.${p.alternatives?.length ? ` Could also lead: ${p.alternatives.map((a) => get(a)?.name ?? a).join(', ')}.` : ''}` },
    { kind: 'buttons', buttons: [{ label: `Propose ${n}`, command: `propose ${t.ref} ${n}`, style: 'primary' }] },
  ];
}

function gapBlocks(g: MatchGaps, t: Tender, r: PoolResult): Block[] {
  const other: Pool = r.pool === 'interested' ? 'directory' : 'interested';
  const lines: string[] = [];
  for (const c of g.uncoverableCells.slice(0, 12)) {
    const cell = t.cells.find((x) => x.service === c.service && key(x.area) === c.area) ?? { service: c.service, area: c.area };
    lines.push(`Nobody ${r.pool === 'interested' ? 'interested so far' : 'in the directory'} covers ${cellName(cell)}${c.accreditation ? ` with ${c.accreditation}` : ''} — invite an organisation that does.`);
  }
  if (g.uncoverableCells.length > 12) lines.push(`…and ${g.uncoverableCells.length - 12} more needs nobody covers.`);
  if (!g.hasEligibleLead) {
    lines.push(`No organisation in the pool can lead: a lead must be willing to lead and have an income of at least ${formatMoney(t.leadMinIncome ?? t.annualValue)}${t.leadAccreditations.length ? ` and hold ${t.leadAccreditations.join(', ')}` : ''}.`);
  }
  if (g.poolCapacity < g.annualValue) {
    lines.push(`Together the pool could take on ${formatMoney(g.poolCapacity)} a year, less than the ${formatMoney(g.annualValue)} the contract is worth.`);
  } else if (g.capacityWithinMaxMembers < g.annualValue) {
    lines.push(`No ${g.maxMembers} organisations together can take on ${formatMoney(g.annualValue)} a year (the most is ${formatMoney(g.capacityWithinMaxMembers)}).`);
  }
  if (lines.length === 0) lines.push(`Every need is covered by someone, but no ${g.maxMembers} organisations manage all of them with an eligible lead and enough capacity.`);
  const blocks: Block[] = [
    { kind: 'heading', text: `No full consortium for ${t.ref} from the ${r.pool === 'interested' ? 'interested organisations' : 'directory'}` },
    { kind: 'list', items: lines },
  ];
  if (g.bestPartial) {
    const names = g.bestPartial.members.map((m) => r.orgs.get(m)?.name ?? m);
    const missing = g.bestPartial.uncovered.map((c) => cellName(t.cells.find((x) => x.service === c.service && key(x.area) === c.area) ?? c));
    blocks.push({ kind: 'text', text: `Closest: ${names.join(', ')} cover ${g.bestPartial.covered} of ${t.cells.length} needs${missing.length ? `; still missing ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}` : ''}.` });
  }
  blocks.push({ kind: 'text', text: `What next: invite organisations that fill the gaps to \`interest ${t.ref}\`, or look wider with \`match ${t.ref} pool ${other}\`.` });
  blocks.push({ kind: 'buttons', buttons: [{ label: `Try the ${other === 'directory' ? 'whole directory' : 'interested pool'}`, command: `match ${t.ref} pool ${other}` }] });
  return blocks;
}

function sameRun(a: Pick<MatchRun, 'pool' | 'excluded' | 'proposals'>, b: Pick<MatchRun, 'pool' | 'excluded' | 'proposals'>): boolean {
  const norm = (r: Pick<MatchRun, 'pool' | 'excluded' | 'proposals'>) => JSON.stringify([r.pool, r.excluded, r.proposals.map((p) => [p.members, p.lead, p.score])]);
  return norm(a) === norm(b);
}

async function runMatch(ctx: Ctx, t: Tender, pool: Pool, top: number): Promise<Reply> {
  const r = await buildPool(ctx, t, pool, top);
  const started = performance.now();
  // A bound on the search keeps a pathological directory from holding the chat for long;
  // when it is reached the reply says the proposals are the best found, not proven best.
  const { answer, stats }: { answer: MatchAnswer; stats: { provenOptimal: boolean } } = solveMatchDetailed(r.instance, { maxNodes: MATCH_NODE_LIMIT });
  const ms = performance.now() - started;
  ctx.deps.metrics?.matching(ms / 1000, answer.feasible);
  const run = { pool, excluded: r.leftOut.declined, proposals: answer.proposals.map((p) => ({ members: p.members, lead: p.lead, score: p.score })) };
  // `propose` acts on the last run; rewriting an identical one would only cost a write.
  const last = await ctx.data.matches.findOne({ tenderRef: t.ref });
  if (!last || !sameRun(last, run)) {
    const replaced = last ? await ctx.data.matches.update({ tenderRef: t.ref }, { by: ctx.actor.userId, at: ctx.now, ...run }) : null;
    if (!replaced?.ok || !replaced.value) await ctx.data.matches.insert({ tenderRef: t.ref, by: ctx.actor.userId, at: ctx.now, ...run });
  }
  await ctx.audit('match', t.ref, { pool, candidates: r.instance.orgs.length, feasible: answer.feasible, ms: Math.round(ms), proven: stats.provenOptimal });
  const intro = `Matched ${t.ref} against ${plural(r.instance.orgs.length, 'organisation')} (${pool === 'interested' ? 'those interested' : 'the whole directory'}) in ${ms < 1000 ? `${Math.max(1, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`}.${r.leftOut.declined.length ? ` Left out because they declined: ${r.leftOut.declined.map((s) => '@' + s).join(', ')}.` : ''}`;
  if (!answer.feasible && answer.gaps) return { outcome: 'ok', blocks: [{ kind: 'text', text: intro }, ...gapBlocks(answer.gaps, t, r)] };
  const caveat = stats.provenOptimal ? '' : ' (I stopped after weighing a great many combinations: these are the best found, though a slightly better one may exist)';
  const blocks: Block[] = [{ kind: 'text', text: `${intro} Best ${plural(answer.proposals.length, 'proposal')}${caveat}:` }];
  answer.proposals.forEach((p, i) => {
    if (i > 0) blocks.push({ kind: 'divider' });
    blocks.push(...proposalBlocks(i + 1, p, t, r.orgs));
  });
  return { outcome: 'ok', blocks };
}

export const match: Handler = {
  path: ['match'],
  usage: MATCH_USAGE,
  summary: 'propose the best consortia for a tender, or explain the gaps',
  details: [
    'pool interested: only organisations that expressed interest (the default when any have)',
    'pool directory: the whole directory (coordinators)',
    'top <k>: how many proposals, 1 to 10 (default 3)',
  ],
  role: 'anyone',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, MATCH_USAGE);
    if (!found.ok) return found.reply;
    const t = found.value;
    const { positional, named } = keywordArgs(args.slice(1), ['top', 'pool']);
    if (positional.length) return reply.invalid(`I didn't understand "${clip(positional.map((x) => x.text).join(' '))}".`, MATCH_USAGE);
    const top = named.has('top') ? Number(named.get('top')) : 3;
    if (!Number.isInteger(top) || top < 1 || top > 10) return reply.invalid('`top` takes a whole number from 1 to 10.', MATCH_USAGE);
    const poolText = named.get('pool')?.toLowerCase();
    if (poolText !== undefined && poolText !== 'interested' && poolText !== 'directory') return reply.invalid('The pool is `interested` or `directory`.', MATCH_USAGE);
    if (t.status !== 'open' && t.status !== 'draft') return reply.conflict(`${t.ref} is ${t.status}; there is nothing to match.`);
    if (t.cells.length === 0) return reply.invalid(`${t.ref} has no requirements yet. Add them with \`tender need ${t.ref} <service> in <area, area>\`.`);
    const interested = await tenderInterests(ctx, t.ref);
    const pool: Pool = (poolText as Pool | undefined) ?? (interested.length || !ctx.isCoordinator ? 'interested' : 'directory');
    if (!ctx.isCoordinator) {
      if (pool === 'directory') return reply.denied('Only a coordinator can match against the whole directory. Try `pool interested`.');
      if (!interested.some((i) => isOrgAdmin(ctx, i.orgSlug))) return reply.denied(`Only a coordinator, or an admin of an organisation interested in ${t.ref}, can match it.`);
    }
    const size = pool === 'directory' ? await ctx.data.orgs.count({}) : interested.length;
    if (size > (ctx.deps.slowMatchPool ?? SLOW_POOL)) {
      return {
        outcome: 'ok',
        blocks: [{ kind: 'text', text: `Working on ${t.ref}: weighing ${plural(size, 'organisation')}… I'll post the proposals here in a moment.` }],
        followUp: () => runMatch(ctx, t, pool, top),
      };
    }
    return runMatch(ctx, t, pool, top);
  },
};

const proposeHandler: Handler = {
  path: ['propose'],
  usage: 'propose <tender> <n>',
  summary: 'turn proposal n of the last match into invitations to its members',
  role: 'coordinator',
  who: 'propose consortia',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, this.usage);
    if (!found.ok) return found.reply;
    const t = found.value;
    const n = Number(args[1]?.text);
    if (args.length !== 2 || !Number.isInteger(n) || n < 1) return reply.invalid('Say which proposal, by its number.', this.usage);
    const run = await ctx.data.matches.findOne({ tenderRef: t.ref });
    if (!run) return reply.invalid(`Run \`match ${t.ref}\` first.`, this.usage);
    const p = run.proposals[n - 1];
    if (!p) return reply.invalid(`The last match for ${t.ref} had ${plural(run.proposals.length, 'proposal')}.`, this.usage);
    if (t.status !== 'open') return reply.conflict(`${t.ref} is ${t.status}.`);
    const existing = await ctx.data.consortia.find({ tenderRef: t.ref });
    const same = existing.find((c) => c.state === 'proposed' && [...c.memberSlugs].sort().join() === [...p.members].sort().join());
    if (same) return reply.conflict(`That consortium is already proposed as ${same.ref}. \`consortium show ${same.ref}\` shows who has answered.`);
    const committed = committedSlugs(existing);
    const taken = p.members.filter((m) => committed.has(m));
    if (taken.length) return reply.conflict(`${taken.map((s) => '@' + s).join(', ')} ${taken.length === 1 ? 'is' : 'are'} already committed to another consortium for ${t.ref}. Run \`match ${t.ref}\` again.`);
    const orgs = await orgsBySlugs(ctx, p.members);
    if (orgs.length !== p.members.length) return reply.conflict(`Some members have left the directory since the match. Run \`match ${t.ref}\` again.`);
    const ref = await ctx.data.nextRef('C');
    const members = [p.lead, ...p.members.filter((m) => m !== p.lead)].map((slug) => ({ orgSlug: slug, role: slug === p.lead ? 'lead' as const : 'partner' as const, answer: 'pending' as const }));
    const res = await ctx.data.consortia.insert({ ref, tenderRef: t.ref, members, memberSlugs: members.map((m) => m.orgSlug), state: 'proposed', score: p.score, proposedBy: ctx.actor.userId, rev: 0 });
    if (!res.ok) return reply.invalid(res.message);
    await ctx.audit('consortium.propose', ref, { tender: t.ref, members: p.members });
    const bySlug = new Map(orgs.map((o) => [o.slug, o]));
    const noOne: string[] = [];
    for (const m of members) {
      const admins = await orgAdmins(ctx, m.orgSlug);
      if (admins.length === 0) noOne.push(bySlug.get(m.orgSlug)?.name ?? m.orgSlug);
      const others = members.filter((x) => x.orgSlug !== m.orgSlug).map((x) => `${bySlug.get(x.orgSlug)?.name ?? x.orgSlug}${x.role === 'lead' ? ' (lead)' : ''}`);
      const invite: Reply = reply.ok(
        { kind: 'heading', text: `Invitation: ${ref} for ${t.title}` },
        { kind: 'text', text: `${mention(ctx.actor.userId)} proposes that ${bySlug.get(m.orgSlug)?.name ?? m.orgSlug} joins a consortium as ${m.role} for ${t.ref} (${formatMoney(t.annualValue)} a year, deadline ${when(ctx, t.dates.submission)}), with ${others.join(', ')}.` },
        { kind: 'buttons', buttons: [{ label: 'Accept', command: `accept ${ref} for ${m.orgSlug}`, style: 'primary' }, { label: 'Decline', command: `decline ${ref} for ${m.orgSlug}`, style: 'danger' }] },
      );
      for (const a of admins) await ctx.deps.notifier.send(ctx.ws, { kind: 'user', userId: a }, invite).catch(() => undefined);
    }
    return reply.ok(
      { kind: 'heading', text: `Proposed ${ref} for ${t.ref}` },
      { kind: 'text', text: `Invitations went to the admins of ${members.map((m) => bySlug.get(m.orgSlug)?.name ?? m.orgSlug).join(', ')}. It forms when all accept; \`consortium show ${ref}\` shows who has answered.` },
      ...(noOne.length ? [{ kind: 'text' as const, text: `Nobody from ${noOne.join(', ')} is on Consortia yet: ask them to join, or answer for them with \`accept ${ref} for <org>\`.` }] : []),
    );
  },
};

export const propose: Handler = {
  ...proposeHandler,
  async run(ctx, args) {
    const ref = args[0] ? normaliseRef(args[0].text, 'T') : null;
    if (!ref) return proposeHandler.run.call(proposeHandler, ctx, args);
    return ctx.data.withLock(`tender:${ref}`, () => proposeHandler.run.call(proposeHandler, ctx, args));
  },
};
