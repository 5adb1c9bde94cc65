/** `tender import` (OCDS notices into draft tenders) and `tender edit`. */
import type { Ctx, Handler } from '../context.js';
import type { Tender } from '../domain.js';
import { formatMoney, parseMoney } from '../money.js';
import { parseOcdsText } from '../ocds/ocds.import.js';
import type { TenderDraft } from '../ocds/ocds.draft.js';
import { reply, type Block } from '../reply.js';
import { parseUkDate } from '../time/uk-date.js';
import { clip, closedTender, findTender, when } from './common.js';

const MAX_DRAFTS = 5;

async function saveDraft(ctx: Ctx, d: TenderDraft): Promise<{ tender: Tender; missing: string[] } | { error: string }> {
  const missing = [...d.missing];
  const ref = await ctx.data.nextRef('T');
  const submission = d.dates.submission ?? ctx.cal.addWorkingDays(ctx.now, 20);
  if (!d.dates.submission && !missing.some((m) => m.startsWith('submission'))) missing.push('submission deadline');
  const res = await ctx.data.tenders.insert({
    ref,
    title: (d.title || 'Untitled notice').slice(0, 300),
    ...(d.description ? { description: d.description.slice(0, 5000) } : {}),
    ...(d.buyer ? { buyer: d.buyer.slice(0, 300) } : {}),
    annualValue: d.annualValue ?? 0,
    years: d.years ?? 1,
    currency: (d.currency ?? 'GBP').slice(0, 3),
    leadAccreditations: [],
    maxMembers: 6,
    cells: [],
    lots: d.lots.slice(0, 50).map((l) => ({ id: l.id.slice(0, 40), title: (l.title || l.id).slice(0, 300) })),
    dates: {
      submission,
      ...(d.dates.published ? { published: d.dates.published } : {}),
      ...(d.dates.clarification ? { clarification: d.dates.clarification } : {}),
      ...(d.dates.contractStart ? { contractStart: d.dates.contractStart } : {}),
    },
    status: 'draft',
    cpv: d.cpv.slice(0, 50),
    regions: d.regions.slice(0, 50).map((r) => r.slice(0, 120)),
    ...(d.suitability ? { suitability: d.suitability } : {}),
    source: d.source.slice(0, 300),
    missing,
    createdBy: ctx.actor.userId,
  });
  if (!res.ok) return { error: res.message };
  await ctx.audit('tender.import', ref, { source: d.source });
  return { tender: res.value, missing };
}

export const tenderImport: Handler = {
  path: ['tender', 'import'],
  usage: 'tender import <file-or-url>',
  summary: 'read an OCDS notice (Contracts Finder, Find a Tender) into a draft tender',
  role: 'coordinator',
  who: 'import tenders',
  async run(ctx, args) {
    const source = args.map((t) => t.text).join(' ').trim();
    if (!source) return reply.invalid('Give a file name or a link to an OCDS release or package.', this.usage);
    if (!ctx.deps.documents) return reply.invalid('Importing is not set up on this server.');
    const doc = await ctx.deps.documents.read(source);
    if (!doc.ok) return reply.invalid(doc.error, this.usage);
    const parsed = parseOcdsText(doc.text, { timezone: ctx.ws.settings.timezone });
    if (!parsed.ok) return reply.invalid(`${doc.name}: ${parsed.error}`, this.usage);
    if (parsed.drafts.length === 0) return reply.invalid(`${doc.name} holds no tender I can import.`, this.usage);
    const blocks: Block[] = [];
    for (const d of parsed.drafts.slice(0, MAX_DRAFTS)) {
      const saved = await saveDraft(ctx, d);
      if ('error' in saved) return reply.invalid(`${doc.name}: ${saved.error}`, this.usage);
      const t = saved.tender;
      blocks.push({ kind: 'heading', text: `Draft ${t.ref}: ${t.title}` });
      blocks.push({
        kind: 'fields',
        fields: [
          ...(t.buyer ? [{ label: 'Buyer', value: t.buyer }] : []),
          { label: 'Value', value: d.annualValue !== undefined ? `${formatMoney(t.annualValue)} a year for ${t.years} year(s)${d.totalValue ? ` (${formatMoney(d.totalValue)} in all)` : ''}` : 'not given' },
          { label: 'Submission deadline', value: d.dates.submission ? when(ctx, t.dates.submission) : 'not given' },
          ...(t.dates.clarification ? [{ label: 'Clarification deadline', value: when(ctx, t.dates.clarification) }] : []),
          ...(t.regions.length ? [{ label: 'Delivery regions', value: t.regions.join(', ') }] : []),
          ...(t.cpv.length ? [{ label: 'CPV', value: t.cpv.join(', ') }] : []),
          ...(t.lots.length ? [{ label: 'Lots', value: t.lots.map((l) => l.title).join('; ') }] : []),
          ...(d.suitability ? [{ label: 'Suitable for', value: [d.suitability.vcse ? 'VCSE organisations' : '', d.suitability.sme ? 'SMEs' : ''].filter(Boolean).join(', ') || 'not stated' }] : []),
        ],
      });
      if (saved.missing.length) blocks.push({ kind: 'list', title: 'Missing from the notice', items: saved.missing });
      blocks.push({ kind: 'text', text: `Next: check it, set anything missing with \`tender edit ${t.ref} <field> <value>\`, add what it needs with \`tender need ${t.ref} <service> in <areas>\`, then \`tender open ${t.ref}\`.` });
    }
    if (parsed.drafts.length > MAX_DRAFTS) blocks.push({ kind: 'text', text: `…and ${parsed.drafts.length - MAX_DRAFTS} more notices in the file were not imported.` });
    if (parsed.warnings.length) blocks.push({ kind: 'list', title: 'Worth checking', items: parsed.warnings.slice(0, 10) });
    return reply.ok(...blocks);
  },
};

const EDIT_FIELDS = ['title', 'value', 'years', 'deadline', 'clarify', 'starts', 'buyer', 'lead-min', 'max-members', 'description'] as const;
const EDIT_USAGE = `tender edit <tender> <field> <value>   (fields: ${EDIT_FIELDS.join(', ')})`;

export const tenderEdit: Handler = {
  path: ['tender', 'edit'],
  usage: EDIT_USAGE,
  summary: 'change one detail of a tender',
  role: 'coordinator',
  who: 'edit tenders',
  async run(ctx, args) {
    const found = await findTender(ctx, args[0]?.text, EDIT_USAGE);
    if (!found.ok) return found.reply;
    const t = found.value;
    const closed = closedTender(t, 'it');
    if (closed) return closed;
    const field = args[1]?.text.toLowerCase() as (typeof EDIT_FIELDS)[number] | undefined;
    const value = args.slice(2).map((x) => x.text).join(' ').trim();
    if (!field || !(EDIT_FIELDS as readonly string[]).includes(field) || !value) return reply.invalid('Say which field and its new value.', EDIT_USAGE);
    const patch: Partial<Tender> = {};
    let resolved: string | null = null;
    const date = () => parseUkDate(value, { now: ctx.now, calendar: ctx.cal });
    switch (field) {
      case 'title':
        if (value.length < 3 || value.length > 300) return reply.invalid('A title is 3 to 300 characters.', EDIT_USAGE);
        patch.title = value;
        break;
      case 'description':
        patch.description = value.slice(0, 5000);
        break;
      case 'buyer':
        patch.buyer = value.slice(0, 300);
        break;
      case 'value':
      case 'lead-min': {
        const n = parseMoney(value.replace(/\s*(\/|per|a)\s*(yr|year|annum)$/i, ''));
        if (n === null) return reply.invalid(`"${clip(value)}" is not an amount I can read.`, EDIT_USAGE);
        if (field === 'value') {
          patch.annualValue = n;
          resolved = 'value';
        } else patch.leadMinIncome = n;
        break;
      }
      case 'years':
      case 'max-members': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > (field === 'years' ? 50 : 20)) return reply.invalid(`${field} is a whole number.`, EDIT_USAGE);
        if (field === 'years') {
          patch.years = n;
          resolved = 'contract length';
        } else patch.maxMembers = n;
        break;
      }
      case 'deadline':
      case 'clarify':
      case 'starts': {
        const d = date();
        if (!d.ok) return reply.invalid(d.error, EDIT_USAGE);
        if (field === 'deadline' && d.date <= ctx.now) return reply.invalid('That deadline has already passed.', EDIT_USAGE);
        const key = field === 'deadline' ? 'submission' : field === 'clarify' ? 'clarification' : 'contractStart';
        patch.dates = { ...t.dates, [key]: d.date };
        if (field === 'deadline') resolved = 'submission deadline';
        if (field === 'clarify') resolved = 'clarification deadline';
        break;
      }
    }
    if (resolved && t.missing?.length) patch.missing = t.missing.filter((m) => !m.toLowerCase().startsWith(resolved as string));
    const res = await ctx.data.tenders.update({ ref: t.ref }, patch);
    if (!res.ok || !res.value) return reply.invalid(res.ok ? 'That tender has gone.' : res.message, EDIT_USAGE);
    await ctx.audit('tender.edit', t.ref, { field });
    if (field === 'deadline' || field === 'clarify') {
      for (const c of await ctx.data.consortia.find({ tenderRef: t.ref, state: 'formed' })) await ctx.deps.scheduler.consortiumChanged(ctx.ws.id, c.ref);
    }
    return reply.text(`Updated ${field} of ${t.ref}.${res.value.missing?.length ? ` Still missing: ${res.value.missing.join('; ')}.` : ''}`);
  },
};
