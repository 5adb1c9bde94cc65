/**
 * Renders the core's platform-neutral {@link Reply} as Adaptive Cards 1.5 for Teams, and
 * reads card submissions back. Pure functions of their input; no Bot Framework SDK.
 *
 * Cards stay under Teams' message size (see teams.limits.ts): a long reply becomes several
 * cards, and past our caps content is cut with "…and N more".
 *
 * TextBlocks and facts render a markdown subset, so text that may come from users is
 * neutralised: a zero-width space goes between `]` and `(` so `[label](url)` cannot hide
 * where a link leads, and after `<` when a letter or `/` follows so `<at>…</at>` cannot
 * forge a mention (real mentions need entities the bot adds). Control characters and
 * direction overrides are removed. The core's own mention tokens (`<@id>`) pass unchanged.
 */
import type { Block, Button, Field, Form, FormField, Grid, Reply } from '../../src/core/reply.js';
import { CARD_SCHEMA, TEAMS_CAPS, TEAMS_LIMITS, jsonBytes, splitByBytes } from './teams.limits.js';
import type { ActionSet, AdaptiveCard, CardElement, FactSet, SubmitAction, Table, TextBlock } from './teams.limits.js';

export type { AdaptiveCard, CardElement } from './teams.limits.js';

/** Suffix of the free-text input that accompanies a select whose value may be off the list. */
export const OTHER_SUFFIX = '__other';
const ZWSP = '\u200B';

function isControl(code: number): boolean {
  if (code === 0x0a || code === 0x09) return false;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** Text with control characters, direction overrides and unpaired surrogates removed. */
export function sanitizeText(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += '\uFFFD';
    else if (!isControl(code)) out += ch;
  }
  return out;
}

/** User-derived text made inert for Adaptive Card markdown (see the module comment). */
export function neutraliseMarkdown(text: string): string {
  return sanitizeText(text).replace(/\]\(/g, `]${ZWSP}(`).replace(/<(?=[A-Za-z/])/g, `<${ZWSP}`);
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
const more = (n: number, noun: string): string => `…and ${n} more ${noun}`;
const points = (text: string): string[] => [...text];

/** Cuts to `max` code points, marking the cut with `…`. */
function clip(text: string, max: number): string {
  const p = points(text);
  return p.length <= max ? text : `${p.slice(0, max - 1).join('')}…`;
}

const textBlock = (text: string, extra: Partial<TextBlock> = {}): TextBlock => ({ type: 'TextBlock', text, wrap: true, ...extra });
const noteBlock = (text: string): TextBlock => textBlock(text, { isSubtle: true, size: 'Small' });

/** A bold one-line title, or nothing when there is nothing to show. */
function boldLine(text: string | undefined): TextBlock[] {
  const clean = clip(oneLine(neutraliseMarkdown(text ?? '')), TEAMS_CAPS.headingChars);
  return clean ? [textBlock(clean, { weight: 'Bolder' })] : [];
}

/** One rendered element and the core block it came from. */
interface Unit {
  element: CardElement;
  source: number;
  heading?: boolean;
}

/** Budget for one element's text, leaving room for its JSON wrapping. */
const TEXT_BYTES = TEAMS_CAPS.elementBytes - 200;

function textElements(text: string): CardElement[] {
  const clean = neutraliseMarkdown(text);
  const all = points(clean);
  const shown = all.length > TEAMS_CAPS.textChars ? all.slice(0, TEAMS_CAPS.textChars).join('') : clean;
  const out: CardElement[] = splitByBytes(shown, TEXT_BYTES).filter((p) => p.trim()).map((p) => textBlock(p));
  if (all.length > TEAMS_CAPS.textChars) out.push(noteBlock(more(all.length - TEAMS_CAPS.textChars, 'characters')));
  return out;
}

function factElements(fields: Field[]): CardElement[] {
  const facts = fields.slice(0, TEAMS_CAPS.facts).map((f) => ({
    title: clip(oneLine(neutraliseMarkdown(f.label)), 200),
    value: clip(neutraliseMarkdown(f.value).trim(), 2000) || '—',
  }));
  const out: CardElement[] = [];
  let current: FactSet = { type: 'FactSet', facts: [] };
  for (const fact of facts) {
    if (current.facts.length && jsonBytes(current) + jsonBytes(fact) + 1 > TEAMS_CAPS.elementBytes) {
      out.push(current);
      current = { type: 'FactSet', facts: [] };
    }
    current.facts.push(fact);
  }
  if (current.facts.length) out.push(current);
  if (fields.length > facts.length) out.push(noteBlock(more(fields.length - facts.length, 'fields')));
  return out;
}

function listElements(title: string | undefined, items: string[]): CardElement[] {
  const out: CardElement[] = [];
  out.push(...boldLine(title));
  const lines = items.slice(0, TEAMS_CAPS.listItems).map((i) => `- ${clip(oneLine(neutraliseMarkdown(i)), 1000)}`);
  let current: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = jsonBytes(line);
    if (current.length && bytes + size > TEXT_BYTES) {
      out.push(textBlock(current.join('\r')));
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += size;
  }
  if (current.length) out.push(textBlock(current.join('\r')));
  if (items.length > lines.length) out.push(noteBlock(more(items.length - lines.length, 'items')));
  return out;
}

function table(columns: string[], rows: string[][]): Table {
  const cell = (text: string) => ({ type: 'TableCell' as const, items: [textBlock(text || '—')] });
  return {
    type: 'Table',
    columns: [{ width: 2 }, ...columns.map(() => ({ width: 1 }))],
    firstRowAsHeader: true,
    showGridLines: true,
    rows: [['', ...columns], ...rows].map((r, i) => ({ type: 'TableRow' as const, cells: r.map((t, j) => (i === 0 && j === 0 ? { type: 'TableCell' as const, items: [] } : cell(t))) })),
  };
}

/** The grid as a Table, with columns and rows past our caps (or the element size) left out and counted. */
function gridElements(grid: Grid): CardElement[] {
  const out: CardElement[] = [];
  const cellText = (t: string): string => clip(oneLine(neutraliseMarkdown(t)), TEAMS_CAPS.tableCell);
  out.push(...boldLine(grid.title));
  const columns = grid.columns.slice(0, TEAMS_CAPS.tableColumns).map(cellText);
  const rows = grid.rows.slice(0, TEAMS_CAPS.tableRows).map((r) => [cellText(r.label), ...columns.map((_, i) => cellText(r.cells[i] ?? ''))]);
  let t = table(columns, rows);
  while (rows.length && jsonBytes(t) > TEAMS_CAPS.elementBytes) {
    rows.pop();
    t = table(columns, rows);
  }
  out.push(t);
  const hiddenColumns = grid.columns.length - columns.length;
  const hiddenRows = grid.rows.length - rows.length;
  const notes = [hiddenColumns > 0 ? more(hiddenColumns, hiddenColumns === 1 ? 'column' : 'columns') : '', hiddenRows > 0 ? more(hiddenRows, hiddenRows === 1 ? 'row' : 'rows') : ''];
  if (hiddenColumns > 0 || hiddenRows > 0) out.push(noteBlock(notes.filter(Boolean).join('  ')));
  return out;
}

function commandAction(b: Button): SubmitAction {
  const style = b.style === 'primary' ? 'positive' : b.style === 'danger' ? 'destructive' : undefined;
  return { type: 'Action.Submit', title: clip(oneLine(sanitizeText(b.label)) || oneLine(sanitizeText(b.command)) || 'Run', TEAMS_CAPS.buttonTitle), data: { consortiaCommand: b.command }, ...(style ? { style } : {}) };
}

function buttonElements(buttons: Button[]): CardElement[] {
  // A command too long to carry would run something else if cut, so such a button is left out.
  const usable = buttons.filter((b) => b.command.trim() && b.command.length <= TEAMS_CAPS.commandChars).slice(0, TEAMS_CAPS.buttons);
  const out: CardElement[] = [];
  for (let i = 0; i < usable.length; i += TEAMS_LIMITS.actionsPerSet) {
    out.push({ type: 'ActionSet', actions: usable.slice(i, i + TEAMS_LIMITS.actionsPerSet).map(commandAction) } satisfies ActionSet);
  }
  if (usable.length < buttons.length) out.push(noteBlock(more(buttons.length - usable.length, 'buttons')));
  return out;
}

function blockElements(b: Exclude<Block, { kind: 'divider' }>): CardElement[] {
  switch (b.kind) {
    case 'heading': {
      const text = clip(oneLine(neutraliseMarkdown(b.text)), TEAMS_CAPS.headingChars);
      return text ? [textBlock(text, { size: 'Large', weight: 'Bolder' })] : [];
    }
    case 'text':
      return textElements(b.text);
    case 'fields':
      return factElements(b.fields);
    case 'list':
      return listElements(b.title, b.items);
    case 'grid':
      return gridElements(b.grid);
    case 'buttons':
      return buttonElements(b.buttons);
  }
}

function renderUnits(blocks: Block[]): Unit[] {
  const units: Unit[] = [];
  let separator = false;
  blocks.forEach((b, source) => {
    if (b.kind === 'divider') {
      separator = units.length > 0;
      return;
    }
    const elements = blockElements(b);
    if (separator && elements[0]) {
      elements[0] = { ...elements[0], separator: true };
      separator = false;
    }
    for (const element of elements) units.push({ element, source, heading: b.kind === 'heading' });
  });
  return units;
}

const card = (body: CardElement[], actions?: SubmitAction[]): AdaptiveCard => ({
  $schema: CARD_SCHEMA,
  type: 'AdaptiveCard',
  version: '1.5',
  body,
  ...(actions ? { actions } : {}),
  msteams: { width: 'Full' },
});

/** Room kept in every card for a closing "…and N more" note. */
const NOTE_ROOM = 300;

/** Groups units into cards under the size limit, never ending a card on a heading. */
function pack(units: Unit[]): Unit[][] {
  const budget = TEAMS_LIMITS.cardBytes - NOTE_ROOM;
  const empty = jsonBytes(card([]));
  const cards: Unit[][] = [];
  let current: Unit[] = [];
  let bytes = empty;
  for (const unit of units) {
    const size = jsonBytes(unit.element) + 1;
    if (current.length && bytes + size > budget) {
      const carried = current.length > 1 && current[current.length - 1]!.heading ? [current.pop()!] : [];
      cards.push(current);
      current = carried;
      bytes = empty + carried.reduce((n, u) => n + jsonBytes(u.element) + 1, 0);
    }
    current.push(unit);
    bytes += size;
  }
  if (current.length) cards.push(current);
  return cards;
}

/**
 * A reply as Adaptive Cards: usually one, more when it would pass Teams' size limit (at
 * most {@link TEAMS_CAPS.cardsPerReply}). Buttons are `Action.Submit` with data
 * `{ consortiaCommand }`. The reply's form is not included: send {@link renderFormCard}.
 */
export function renderCard(reply: Reply): AdaptiveCard[] {
  const cards = pack(renderUnits(reply.blocks));
  if (cards.length > TEAMS_CAPS.cardsPerReply) {
    const firstDropped = cards[TEAMS_CAPS.cardsPerReply]![0]!;
    cards.length = TEAMS_CAPS.cardsPerReply;
    const hidden = reply.blocks.length - firstDropped.source;
    cards[cards.length - 1]!.push({ element: noteBlock(more(hidden, 'parts of this reply not shown')), source: firstDropped.source });
  }
  return cards.map((units) => card(units.map((u) => u.element)));
}

// ——— Forms as cards ———

/**
 * How a submitted input is read back: dates are converted, multiselect choices split and
 * decoded, a free-text list (a multiselect with no choices) split, companions merged.
 */
type FieldKind = 'text' | 'date' | 'multi' | 'list' | 'other';

const MONEY_HINT = 'Amounts like £1.2m, 250k or 75000.';

/** Multiselect values come back comma-joined, so commas (and the escape itself) are encoded in choice values. */
const encodeChoice = (v: string): string => v.replace(/%/g, '%25').replace(/,/g, '%2C');
const decodeChoice = (v: string): string => v.replace(/%(25|2C)/gi, (m) => (m === '%25' ? '%' : ','));

function isoDate(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : uk ? [uk[3], uk[2], uk[1]] : [];
  if (!y || !m || !d) return undefined;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return date.toISOString().slice(0, 10);
}

const initials = (f: FormField): string[] =>
  f.initial === undefined ? [] : Array.isArray(f.initial) ? f.initial : f.type === 'multiselect' ? f.initial.split(',').map((s) => s.trim()).filter(Boolean) : [f.initial];

/** A small TextBlock under an input, or nothing when the text has nothing to show. */
function under(text: string | undefined, extra: Partial<TextBlock>): TextBlock[] {
  const clean = clip(neutraliseMarkdown(text ?? '').trim(), 1000);
  return clean ? [textBlock(clean, { size: 'Small', spacing: 'None', ...extra })] : [];
}

/** The inputs for one field (with hint and companion), then its error in red. */
function fieldElements(f: FormField, error: string | undefined, choiceCap: number, kinds: Map<string, FieldKind>): CardElement[] {
  const label = clip(oneLine(sanitizeText(f.label)) || oneLine(sanitizeText(f.name)) || '…', TEAMS_CAPS.labelChars);
  const first = initials(f)[0];
  const required = f.required === true;
  const base = { id: f.name, label, ...(required ? { isRequired: true, errorMessage: `${label} is required.` } : {}) };
  const placeholder = f.placeholder ? { placeholder: clip(sanitizeText(f.placeholder), 200) } : {};
  const out: CardElement[] = [];
  let hint = f.hint;
  kinds.set(f.name, f.type === 'date' ? 'date' : f.type === 'multiselect' ? 'multi' : 'text');
  switch (f.type) {
    case 'text':
    case 'textarea':
    case 'money':
      if (f.type === 'money') hint ??= MONEY_HINT;
      out.push({ ...base, type: 'Input.Text', ...placeholder, ...(f.type === 'textarea' ? { isMultiline: true } : {}), ...(first ? { value: first } : {}), ...(f.type === 'money' && !f.placeholder ? { placeholder: 'e.g. £250k' } : {}) });
      break;
    case 'number': {
      const n = first !== undefined && /^-?\d+(\.\d+)?$/.test(first.trim()) ? Number(first) : undefined;
      out.push({ ...base, type: 'Input.Number', ...placeholder, ...(n !== undefined ? { value: n } : {}) });
      break;
    }
    case 'date': {
      const value = first ? isoDate(first) : undefined;
      out.push({ ...base, type: 'Input.Date', ...(value ? { value } : {}) });
      break;
    }
    case 'boolean': {
      const value = first === undefined ? undefined : /^(yes|true|y)$/i.test(first) ? 'yes' : /^(no|false|n)$/i.test(first) ? 'no' : undefined;
      // A required toggle would demand "on"; a yes/no answer is always given, so it is never required.
      out.push({ type: 'Input.Toggle', id: f.name, title: label, valueOn: 'yes', valueOff: 'no', ...(value ? { value } : {}) });
      break;
    }
    case 'select':
    case 'multiselect': {
      const multi = f.type === 'multiselect';
      const unique = new Map<string, string>();
      for (const o of f.options ?? []) if (o.value && !unique.has(o.value)) unique.set(o.value, o.label);
      const choices = [...unique].slice(0, choiceCap).map(([value, title]) => ({ title: clip(oneLine(sanitizeText(title)) || oneLine(sanitizeText(value)) || '…', TEAMS_CAPS.choiceTitle), value: multi ? encodeChoice(value) : value }));
      const hidden = unique.size - choices.length;
      if (choices.length === 0) {
        if (multi) kinds.set(f.name, 'list');
        out.push({ ...base, type: 'Input.Text', ...placeholder, ...(initials(f).length ? { value: initials(f).join(', ') } : {}) });
        break;
      }
      const listed = new Set([...unique.keys()].slice(0, choices.length));
      const wanted = initials(f);
      const chosen = wanted.filter((v) => listed.has(v));
      const unmatched = wanted.filter((v) => !listed.has(v));
      const companion = f.allowOther === true || hidden > 0;
      const value = multi ? chosen.map(encodeChoice).join(',') : chosen[0];
      // With a free-text companion either input may hold the answer, so neither can be required.
      const choiceBase = companion ? { id: f.name, label } : base;
      out.push({ ...choiceBase, type: 'Input.ChoiceSet', style: 'compact', choices, ...placeholder, ...(multi ? { isMultiSelect: true } : {}), ...(value ? { value } : {}) });
      out.push(...under(hint, { isSubtle: true }));
      hint = undefined;
      if (companion) {
        const other = `${f.name}${OTHER_SUFFIX}`;
        const several = multi ? ' Separate several with commas.' : '';
        const initial = multi ? unmatched.join(', ') : chosen.length ? '' : (unmatched[0] ?? '');
        kinds.set(other, 'other');
        out.push({ type: 'Input.Text', id: other, label: clip(`${label}: other`, TEAMS_CAPS.labelChars), ...(initial ? { value: initial } : {}) });
        out.push(...under(hidden > 0 ? `${more(hidden, 'options')} are not listed: type one here.${several}` : `Not in the list? Type it here.${several}`, { isSubtle: true }));
      }
      break;
    }
  }
  out.push(...under(hint, { isSubtle: true }), ...under(error, { color: 'Attention' }));
  return out;
}

function buildFormCard(form: Form, choiceCap: number, maxFields: number): AdaptiveCard {
  const seen = new Set<string>();
  const fields = form.fields.filter((f) => !seen.has(f.name) && seen.add(f.name));
  const errors = new Map(Object.entries(form.errors ?? {}));
  const body: CardElement[] = [textBlock(clip(oneLine(neutraliseMarkdown(form.title)) || 'Form', TEAMS_CAPS.headingChars), { size: 'Large', weight: 'Bolder' })];
  const general = clip(neutraliseMarkdown([...errors].filter(([name]) => !seen.has(name)).map(([, text]) => text.trim()).join('\n')).trim(), 2000);
  if (general) body.push(textBlock(general, { color: 'Attention' }));
  const kinds = new Map<string, FieldKind>();
  for (const f of fields.slice(0, maxFields)) body.push(...fieldElements(f, errors.get(f.name), choiceCap, kinds));
  if (fields.length > maxFields) body.push(noteBlock(more(fields.length - maxFields, 'fields not shown')));
  const data = { consortiaForm: form.id, ...(form.context !== undefined ? { consortiaContext: form.context } : {}), consortiaFields: Object.fromEntries(kinds) };
  const submit: SubmitAction = { type: 'Action.Submit', title: clip(oneLine(sanitizeText(form.submitLabel)), TEAMS_CAPS.buttonTitle) || 'Submit', style: 'positive', data };
  return card(body, [submit]);
}

/**
 * A form as a card: typed inputs labelled and validated by Teams (`isRequired`,
 * `errorMessage`), errors already on the form in red under their fields, and one submit
 * whose data names the form, its context and how to read each input back. When the card
 * would pass Teams' size limit, long choice lists are shortened (a free-text companion
 * takes the rest), then trailing fields are left out and counted.
 */
export function renderFormCard(form: Form): AdaptiveCard {
  for (const cap of [TEAMS_CAPS.choices, 50, 20, 10]) {
    const built = buildFormCard(form, cap, form.fields.length);
    if (jsonBytes(built) <= TEAMS_LIMITS.cardBytes) return built;
  }
  let low = 0;
  let high = form.fields.length;
  // Largest number of fields that fits, by bisection: each build is a full serialisation.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (jsonBytes(buildFormCard(form, 10, mid)) <= TEAMS_LIMITS.cardBytes) low = mid;
    else high = mid - 1;
  }
  return buildFormCard(form, 10, low);
}

export type CardSubmit =
  | { kind: 'command'; text: string }
  | { kind: 'form'; id: string; context?: string; values: Record<string, string | string[]> };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const RESERVED = new Set(['consortiaForm', 'consortiaContext', 'consortiaFields', 'consortiaCommand']);

function asText(raw: unknown): string {
  return typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
}

/**
 * What a card's `Action.Submit` sent: a button's command, a form's values keyed by field
 * name (dates as DD/MM/YYYY for the core's UK parser, multiselects as arrays, `__other`
 * companions merged as in Slack), or null for anything this renderer did not produce.
 */
export function parseCardSubmit(value: unknown): CardSubmit | null {
  if (!isRecord(value)) return null;
  if (typeof value.consortiaCommand === 'string') return value.consortiaCommand.trim() ? { kind: 'command', text: value.consortiaCommand } : null;
  if (typeof value.consortiaForm !== 'string') return null;
  // Without the field map (a card built elsewhere), every other string is a value and `context` is the context.
  const described = isRecord(value.consortiaFields);
  const kinds: [string, unknown][] = isRecord(value.consortiaFields)
    ? Object.entries(value.consortiaFields)
    : Object.keys(value).filter((k) => !RESERVED.has(k) && k !== 'context').map((k) => [k, 'text']);
  const values = new Map<string, string | string[]>();
  const others = new Map<string, string>();
  for (const [name, kind] of kinds) {
    const text = Object.hasOwn(value, name) ? asText(value[name]) : '';
    if (kind === 'date') {
      const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      values.set(name, iso ? `${iso[3]}/${iso[2]}/${iso[1]}` : text);
    } else if (kind === 'multi') values.set(name, text.split(',').map(decodeChoice).filter((v) => v.trim()));
    else if (kind === 'list') values.set(name, text.split(',').map((v) => v.trim()).filter(Boolean));
    else if (kind === 'other' && name.endsWith(OTHER_SUFFIX)) others.set(name.slice(0, -OTHER_SUFFIX.length), text);
    else values.set(name, text);
  }
  for (const [name, typed] of others) {
    const base = values.get(name);
    if (Array.isArray(base)) values.set(name, [...new Set([...base, ...typed.split(',').map((s) => s.trim()).filter(Boolean)])]);
    else if (typed.trim()) values.set(name, typed.trim());
    else if (base === undefined) values.set(name, '');
  }
  const legacy = described ? undefined : value.context;
  const context = typeof value.consortiaContext === 'string' ? value.consortiaContext : typeof legacy === 'string' ? legacy : undefined;
  return { kind: 'form', id: value.consortiaForm, ...(context !== undefined ? { context } : {}), values: Object.fromEntries(values) };
}
