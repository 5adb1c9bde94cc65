/** Tenders: add (form or one line), requirement cells, list, show, close, and interest. */
import type { Ctx, Handler } from '../context.js';
import { sizeBand, type Tender, type TenderStatus } from '../domain.js';
import { formatMoney, parseMoney } from '../money.js';
import { areaName, key, keywordArgs, serviceKey, serviceLabel, splitList } from '../parse/tokens.js';
import { reply, type Block, type FormField, type Reply } from '../reply.js';
import { parseUkDate, formatRelative } from '../time/uk-date.js';
import { actingOrg, clip, closedTender, findTender, orgsBySlugs, plural, tenderInterests, when } from './common.js';
import { knownVocabulary } from './org.input.js';

const ADD_USAGE = 'tender add "<title>" value <money/yr> years <n> deadline <date> [clarify <date>] [buyer "<name>"] [lead-min <money>] [max-members <n>]';
const ADD_KEYS = ['value', 'years', 'deadline', 'clarify', 'buyer', 'lead-min', 'max-members', 'starts'] as const;

type TenderValues = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join(' ') : (v ?? '')).trim();

function validateTender(ctx: Ctx, v: TenderValues): { ok: true; t: Omit<Tender, 'workspaceId' | 'ref' | 'createdBy'> } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const title = one(v.title).replace(/\s+/g, ' ');
  if (title.length < 3) errors.title = 'Give the tender a title (at least 3 characters).';
  if (title.length > 300) errors.title = 'The title is too long (at most 300 characters).';
  const value = parseMoney(one(v.value).replace(/\s*(\/|per|a)\s*(yr|year|annum|pa)$/i, ''));
  if (value === null || value <= 0) errors.value = 'Give the value per year, like £1.2m or 250k.';
  const yearsText = one(v.years) || '1';
  const years = Number(yearsText);
  if (!Number.isFinite(years) || years <= 0 || years > 50) errors.years = 'Give the contract length in years, e.g. 3.';
  const deadline = one(v.deadline) ? parseUkDate(one(v.deadline), { now: ctx.now, calendar: ctx.cal }) : null;
  if (!deadline) errors.deadline = 'Give the submission deadline, like 15/01/2027 12:00.';
  else if (!deadline.ok) errors.deadline = deadline.error;
  else if (deadline.date.getTime() <= ctx.now.getTime()) errors.deadline = 'The submission deadline is already past.';
  let clarification: Date | undefined;
  if (one(v.clarify)) {
    const c = parseUkDate(one(v.clarify), { now: ctx.now, calendar: ctx.cal });
    if (!c.ok) errors.clarify = c.error;
    else if (deadline?.ok && c.date > deadline.date) errors.clarify = 'The clarification deadline must come before the submission deadline.';
    else clarification = c.date;
  }
  let contractStart: Date | undefined;
  if (one(v.starts)) {
    const c = parseUkDate(one(v.starts), { now: ctx.now, calendar: ctx.cal });
    if (!c.ok) errors.starts = c.error;
    else contractStart = c.date;
  }
  let leadMinIncome: number | undefined;
  if (one(v['lead-min'] ?? v.leadMin)) {
    const n = parseMoney(one(v['lead-min'] ?? v.leadMin));
    if (n === null) errors.leadMin = 'Give the lead\'s minimum income, like 1m.';
    else leadMinIncome = n;
  }
  const mmText = one(v['max-members'] ?? v.maxMembers);
  const maxMembers = mmText ? Number(mmText) : 6;
  if (!Number.isInteger(maxMembers) || maxMembers < 1 || maxMembers > 20) errors.maxMembers = 'Max members is a whole number from 1 to 20.';
  const buyer = one(v.buyer).slice(0, 300);
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    t: {
      title, annualValue: value as number, years, currency: 'GBP', leadAccreditations: [], maxMembers, cells: [], lots: [],
      dates: { submission: (deadline as { date: Date }).date, published: ctx.now, ...(clarification ? { clarification } : {}), ...(contractStart ? { contractStart } : {}) },
      status: 'open', cpv: [], regions: [], ...(buyer ? { buyer } : {}), ...(leadMinIncome !== undefined ? { leadMinIncome } : {}),
    },
  };
}

const tenderForm = (errors?: Record<string, string>) => ({
  id: 'tender.add',
  title: 'Add tender',
  submitLabel: 'Add',
  fields: [
    { name: 'title', label: 'Title', type: 'text', required: true },
    { name: 'buyer', label: 'Buyer', type: 'text', hint: 'e.g. Bristol City Council' },
    { name: 'value', label: 'Value per year', type: 'money', required: true, hint: 'e.g. £1.2m' },
    { name: 'years', label: 'Contract length (years)', type: 'number', required: true, initial: '3' },
    { name: 'deadline', label: 'Submission deadline', type: 'date', required: true },
    { name: 'clarify', label: 'Clarification deadline', type: 'date' },
    { name: 'leadMin', label: 'Lead\'s minimum income', type: 'money', hint: 'default: the annual value' },
    { name: 'maxMembers', label: 'Most members in a consortium', type: 'number', initial: '6' },
  ] satisfies FormField[],
  ...(errors ? { errors } : {}),
});

async function createTender(ctx: Ctx, values: TenderValues): Promise<{ ok: true; tender: Tender } | { ok: false; errors: Record<string, string> }> {
  const v = validateTender(ctx, values);
  if (!v.ok) return v;
  const ref = await ctx.data.nextRef('T');
  const res = await ctx.data.tenders.insert({ ...v.t, ref, createdBy: ctx.actor.userId });
  if (!res.ok) return { ok: false, errors: { title: res.message } };
  await ctx.audit('tender.add', ref, { title: v.t.title });
  return { ok: true, tender: res.value };
}

const added = (t: Tender): Reply =>
  reply.ok(
    { kind: 'heading', text: `Added ${t.ref}: ${t.title}` },
    { kind: 'text', text: `Now say what it needs: \`tender need ${t.ref} <service> in <area, area>\`. Organisations can express interest with \`interest ${t.ref}\`.` },
  );

export const tenderAdd: Handler = {
  path: ['tender', 'add'],
  usage: ADD_USAGE,
  summary: 'add a tender opportunity (opens a form without details)',
  role: 'coordinator',
  who: 'add tenders',
  forms: ['tender.add'],
  async run(ctx, args) {
    if (args.length === 0) return reply.form(tenderForm());
    const { positional, named } = keywordArgs(args, ADD_KEYS);
    const values: TenderValues = { title: positional.map((t) => t.text).join(' ') };
    for (const k of ADD_KEYS) values[k] = named.get(k);
    if (!named.has('value') || !named.has('deadline')) return reply.invalid('To add a tender in one line I need its title, value and deadline (or type `tender add` on its own for a form).', ADD_USAGE);
    const res = await createTender(ctx, values);
    if (!res.ok) return reply.invalid(Object.values(res.errors)[0] ?? 'Those details are not valid.', ADD_USAGE);
    return added(res.tender);
  },
  async submit(ctx, form) {
    const res = await createTender(ctx, form.values);
    return res.ok ? added(res.tender) : reply.form(tenderForm(res.errors));
  },
};

/** Service and area names: letters (any script), digits, spaces and a little punctuation. */
export const PLAIN_NAME = /^[\p{L}\p{N}][\p{L}\p{N} &'’.,()/-]*$/u;

const NEED_USAGE = 'tender need <tender> <service> in <area,..> [accreditation <x>]';

export const tenderNeed: Handler = {
  path: ['tender', 'need'],
  usage: NEED_USAGE,
  summary: 'add requirement cells: a service needed in some areas',
  role: 'coordinator',
  who: 'change what a tender needs',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, NEED_USAGE);
    if (!found.ok) return found.reply;
    const t = found.value;
    const closed = closedTender(t);
    if (closed) return closed;
    const { positional, named } = keywordArgs(args.slice(1), ['in', 'accreditation']);
    const serviceText = positional.map((x) => x.text).join(' ');
    const service = serviceKey(serviceText);
    if (!service || !PLAIN_NAME.test(serviceText) || service.length > 80) return reply.invalid(serviceText ? `"${clip(serviceText)}" doesn't look like a service name: use letters, digits and spaces.` : 'Say which service is needed.', NEED_USAGE);
    const areaText = named.get('in');
    if (!areaText) return reply.invalid('Say where: `in <area, area>`.', NEED_USAGE);
    const vocab = await knownVocabulary(ctx);
    const known = new Map(vocab.areas.map((a) => [key(a), a]));
    const typed = splitList(areaText);
    const odd = typed.find((a) => !PLAIN_NAME.test(a) || a.length > 80);
    if (odd) return reply.invalid(`"${clip(odd)}" doesn't look like an area name: use letters, digits and spaces.`, NEED_USAGE);
    const wanted = typed.map((a) => known.get(key(a)) ?? areaName(a));
    if (wanted.length === 0) return reply.invalid('Say where: `in <area, area>`.', NEED_USAGE);
    const accreditation = named.get('accreditation')?.trim().slice(0, 80) || undefined;
    const cells = [...t.cells];
    let addedCount = 0;
    for (const area of wanted) {
      const existing = cells.findIndex((c) => c.service === service && key(c.area) === key(area));
      const cell = { service, area, ...(accreditation ? { accreditation } : {}) };
      if (existing >= 0) cells[existing] = cell;
      else {
        cells.push(cell);
        addedCount++;
      }
    }
    if (cells.length > 200) return reply.invalid('A tender can have at most 200 requirement cells.', NEED_USAGE);
    const res = await ctx.data.tenders.update({ ref: t.ref }, { cells });
    if (!res.ok) return reply.invalid(res.message, NEED_USAGE);
    await ctx.audit('tender.need', t.ref, { service, areas: wanted, accreditation });
    const unknownAreas = wanted.filter((a) => !known.has(key(a)));
    return reply.ok(
      { kind: 'text', text: `${t.ref} now needs ${serviceLabel(service)} in ${wanted.join(', ')}${accreditation ? ` (with ${accreditation})` : ''}: ${plural(addedCount, 'new cell')}, ${plural(cells.length, 'cell')} in all.` },
      ...(unknownAreas.length ? [{ kind: 'text' as const, text: `Note: no organisation lists ${unknownAreas.join(', ')} yet — check the spelling.` }] : []),
    );
  },
};

const DROP_USAGE = 'tender drop <tender> <service> [in <area,..>]';

export const tenderDrop: Handler = {
  path: ['tender', 'drop'],
  usage: DROP_USAGE,
  summary: 'remove requirement cells added by mistake',
  role: 'coordinator',
  who: 'change what a tender needs',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, DROP_USAGE);
    if (!found.ok) return found.reply;
    const t = found.value;
    const closed = closedTender(t);
    if (closed) return closed;
    const { positional, named } = keywordArgs(args.slice(1), ['in']);
    const service = serviceKey(positional.map((x) => x.text).join(' '));
    if (!service) return reply.invalid('Say which service to remove.', DROP_USAGE);
    const areas = named.has('in') ? new Set(splitList(named.get('in') ?? '').map(key)) : null;
    const cells = t.cells.filter((c) => !(c.service === service && (!areas || areas.has(key(c.area)))));
    const removed = t.cells.length - cells.length;
    if (removed === 0) return reply.invalid(`${t.ref} has no ${serviceLabel(service)} need${areas ? ' in those areas' : ''}.`, DROP_USAGE);
    const res = await ctx.data.tenders.update({ ref: t.ref }, { cells });
    if (!res.ok) return reply.invalid(res.message, DROP_USAGE);
    await ctx.audit('tender.drop', t.ref, { service, removed });
    return reply.text(`Removed ${plural(removed, 'cell')} from ${t.ref}; ${plural(cells.length, 'cell')} left.`);
  },
};

export const tenderList: Handler = {
  path: ['tender', 'list'],
  usage: 'tender list [open|all]',
  summary: 'tenders open for bids (or all of them)',
  role: 'anyone',
  async run(ctx, args) {
    const which = (args[0]?.text ?? 'open').toLowerCase();
    if (args.length > 1 || !['open', 'all'].includes(which)) return reply.invalid('Say `open` or `all`.', this.usage);
    const tenders = await ctx.data.tenders.find(which === 'all' ? {} : { status: { in: ['open', 'draft'] } }, { sort: { 'dates.submission': 1 } });
    if (tenders.length === 0) return reply.text(which === 'all' ? 'No tenders yet. A coordinator can add one with `tender add`.' : 'No open tenders. `tender list all` shows closed ones too.');
    const items = tenders.slice(0, 50).map((t) => `${t.ref} ${t.title} — ${formatMoney(t.annualValue)}/yr × ${t.years}y; deadline ${when(ctx, t.dates.submission)} (${formatRelative(t.dates.submission, ctx.now, ctx.ws.settings.timezone)})${t.status !== 'open' ? ` [${t.status}]` : ''}`);
    if (tenders.length > 50) items.push(`…and ${tenders.length - 50} more`);
    return reply.ok({ kind: 'heading', text: which === 'all' ? 'All tenders' : 'Open tenders' }, { kind: 'list', items });
  },
};

export function tenderBlocks(ctx: Ctx, t: Tender): Block[] {
  const services = [...new Set(t.cells.map((c) => c.service))];
  const areas = [...new Set(t.cells.map((c) => c.area))];
  const blocks: Block[] = [
    { kind: 'heading', text: `${t.ref}: ${t.title}` },
    {
      kind: 'fields',
      fields: [
        { label: 'Status', value: t.status },
        ...(t.buyer ? [{ label: 'Buyer', value: t.buyer }] : []),
        { label: 'Value', value: `${formatMoney(t.annualValue)} a year for ${plural(t.years, 'year')}` },
        { label: 'Submission deadline', value: `${when(ctx, t.dates.submission)} (${formatRelative(t.dates.submission, ctx.now, ctx.ws.settings.timezone)})` },
        ...(t.dates.clarification ? [{ label: 'Clarification questions by', value: when(ctx, t.dates.clarification) }] : []),
        ...(t.dates.contractStart ? [{ label: 'Contract starts', value: when(ctx, t.dates.contractStart) }] : []),
        { label: 'Lead must have', value: `income of at least ${formatMoney(t.leadMinIncome ?? t.annualValue)}${t.leadAccreditations.length ? ` and ${t.leadAccreditations.join(', ')}` : ''}` },
        { label: 'Most members', value: String(t.maxMembers) },
      ],
    },
  ];
  if (t.description) blocks.push({ kind: 'text', text: clip(t.description, 600) });
  if (t.cells.length) {
    blocks.push({
      kind: 'grid',
      grid: {
        title: 'Needs (✓ = required)',
        columns: areas,
        rows: services.map((s) => ({ label: serviceLabel(s), cells: areas.map((a) => (t.cells.some((c) => c.service === s && c.area === a) ? '✓' : '')) })),
      },
    });
  } else {
    blocks.push({ kind: 'text', text: `No requirements yet: \`tender need ${t.ref} <service> in <area, area>\`.` });
  }
  return blocks;
}

export const tenderShow: Handler = {
  path: ['tender', 'show'],
  usage: 'tender show <tender>',
  summary: 'a tender\'s details, needs, interest and consortia',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, this.usage);
    if (!found.ok) return found.reply;
    const t = found.value;
    const blocks = tenderBlocks(ctx, t);
    const interests = await tenderInterests(ctx, t.ref);
    if (interests.length) {
      const orgs = await orgsBySlugs(ctx, interests.map((i) => i.orgSlug));
      const bySlug = new Map(orgs.map((o) => [o.slug, o]));
      blocks.push({ kind: 'list', title: `Interested (${interests.length})`, items: interests.map((i) => { const o = bySlug.get(i.orgSlug); return `${o?.name ?? i.orgSlug} (${o ? sizeBand(o.income) : '?'}) as ${i.as}`; }) });
    }
    const consortia = await ctx.data.consortia.find({ tenderRef: t.ref, state: { in: ['proposed', 'formed'] } });
    if (consortia.length) blocks.push({ kind: 'list', title: 'Consortia', items: consortia.map((c) => `${c.ref} (${c.state}): ${c.members.map((m) => '@' + m.orgSlug).join(', ')}`) });
    if (t.status === 'open') {
      blocks.push({ kind: 'buttons', buttons: [{ label: 'Express interest', command: `interest ${t.ref}` }, ...(ctx.isCoordinator ? [{ label: 'Match', command: `match ${t.ref}`, style: 'primary' as const }] : [])] });
    }
    return reply.ok(...blocks);
  },
};

const CLOSE_AS: TenderStatus[] = ['won', 'lost', 'withdrawn'];

export const tenderClose: Handler = {
  path: ['tender', 'close'],
  usage: 'tender close <tender> [won|lost|withdrawn]',
  summary: 'close a tender with its result',
  role: 'coordinator',
  who: 'close tenders',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, this.usage);
    if (!found.ok) return found.reply;
    const outcome = (args[1]?.text ?? 'withdrawn').toLowerCase() as TenderStatus;
    if (!CLOSE_AS.includes(outcome) || args.length > 2) return reply.invalid('Say how it ended: won, lost or withdrawn.', this.usage);
    if (!['open', 'draft'].includes(found.value.status)) return reply.conflict(`${found.value.ref} is already closed (${found.value.status}).`);
    await ctx.data.tenders.update({ ref: found.value.ref }, { status: outcome, closedAt: ctx.now });
    await ctx.audit('tender.close', found.value.ref, { outcome });
    const consortia = await ctx.data.consortia.find({ tenderRef: found.value.ref, state: { in: ['proposed', 'formed'] } });
    for (const c of consortia) await ctx.deps.scheduler.consortiumChanged(ctx.ws.id, c.ref);
    return reply.text(`Closed ${found.value.ref} as ${outcome}. Its reminders stop.`);
  },
};

export const tenderOpen: Handler = {
  path: ['tender', 'open'],
  usage: 'tender open <tender>',
  summary: 'publish a draft tender (after an import) so organisations can express interest',
  role: 'coordinator',
  who: 'publish tenders',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, this.usage);
    if (!found.ok) return found.reply;
    if (found.value.status !== 'draft') return reply.conflict(`${found.value.ref} is ${found.value.status}, not a draft.`);
    if (found.value.missing?.length) return reply.conflict(`${found.value.ref} is still missing: ${found.value.missing.join('; ')}. Set them with \`tender edit ${found.value.ref} <field> <value>\` first.`);
    if (found.value.annualValue <= 0) return reply.conflict(`${found.value.ref} has no value yet: \`tender edit ${found.value.ref} value <money/yr>\`.`);
    if (found.value.dates.submission.getTime() <= ctx.now.getTime()) return reply.conflict(`${found.value.ref}'s submission deadline has passed; set a new one with \`tender edit\` before opening.`);
    await ctx.data.tenders.update({ ref: found.value.ref }, { status: 'open' });
    await ctx.audit('tender.open', found.value.ref);
    return reply.text(`${found.value.ref} is open for interest.`);
  },
};

const INTEREST_USAGE = 'interest <tender> [as lead|partner] [for <org>]';

export const interest: Handler = {
  path: ['interest'],
  usage: INTEREST_USAGE,
  summary: 'say your organisation is interested in a tender',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, INTEREST_USAGE);
    if (!found.ok) return found.reply;
    const t = found.value;
    if (t.status !== 'open') return reply.conflict(`${t.ref} is not open for interest (it is ${t.status}).`);
    const { positional, named } = keywordArgs(args.slice(1), ['as', 'for']);
    if (positional.length) return reply.invalid(`I didn't understand "${clip(positional.map((x) => x.text).join(' '))}".`, INTEREST_USAGE);
    const as = (named.get('as') ?? 'either').toLowerCase();
    if (!['lead', 'partner', 'either'].includes(as)) return reply.invalid('Say `as lead` or `as partner`.', INTEREST_USAGE);
    const org = await actingOrg(ctx, named.get('for'), INTEREST_USAGE, 'member');
    if (!org.ok) return org.reply;
    const existing = (await tenderInterests(ctx, t.ref, { withdrawn: true })).find((i) => i.orgSlug === org.value.slug);
    if (existing && !existing.withdrawn && existing.as === as) {
      return reply.text(`${org.value.name} is already interested in ${t.ref} (${t.title}) as ${as === 'either' ? 'lead or partner' : as}: nothing to change.`);
    }
    const res = existing
      ? await ctx.data.interests.update({ tenderRef: t.ref, orgSlug: org.value.slug }, { as: as as 'lead', withdrawn: false, by: ctx.actor.userId })
      : await ctx.data.interests.insert({ tenderRef: t.ref, orgSlug: org.value.slug, as: as as 'lead', by: ctx.actor.userId, withdrawn: false });
    if (!res.ok) return reply.invalid(res.message, INTEREST_USAGE);
    await ctx.audit('interest', t.ref, { org: org.value.slug, as });
    const leadNote = as === 'lead' && (!org.value.canLead || org.value.income < (t.leadMinIncome ?? t.annualValue))
      ? ` Note: to lead, an organisation must be willing to lead and have an income of at least ${formatMoney(t.leadMinIncome ?? t.annualValue)}.`
      : '';
    return reply.text(`${org.value.name} is interested in ${t.ref} (${t.title}) as ${as === 'either' ? 'lead or partner' : as}.${leadNote}`);
  },
};

export const withdraw: Handler = {
  path: ['withdraw'],
  usage: 'withdraw <tender> [for <org>]',
  summary: 'withdraw your organisation\'s interest in a tender',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, this.usage);
    if (!found.ok) return found.reply;
    const { named } = keywordArgs(args.slice(1), ['for']);
    const org = await actingOrg(ctx, named.get('for'), this.usage, 'member');
    if (!org.ok) return org.reply;
    const res = await ctx.data.interests.update({ tenderRef: found.value.ref, orgSlug: org.value.slug, withdrawn: false }, { withdrawn: true });
    if (!res.ok || !res.value) return reply.text(`${org.value.name} had not expressed interest in ${found.value.ref}.`);
    await ctx.audit('withdraw', found.value.ref, { org: org.value.slug });
    return reply.text(`${org.value.name} withdrew its interest in ${found.value.ref}.`);
  },
};

export const tenderHandlers: Handler[] = [tenderAdd, tenderNeed, tenderDrop, tenderList, tenderShow, tenderClose, tenderOpen, interest, withdraw];

