/**
 * Renders the core's platform-neutral {@link Reply} as Slack Block Kit: messages, modals
 * for forms, and the App Home tab. Pure functions of their input; no Slack SDK.
 *
 * Every payload stays inside Slack's limits (see slack.limits.ts): long content is split
 * over several sections or messages, and past our caps it is cut with "…and N more".
 * All text that may come from users is escaped (see slack.escape.ts).
 */
import type { Block, Button, Field, Form, FormField, Grid, Reply } from '../../src/core/reply.js';
import { charCount, escapeMrkdwn, sanitizeText, splitText, truncateText, unescapeMrkdwn } from './slack.escape.js';
import { SLACK_CAPS, SLACK_LIMITS } from './slack.limits.js';
import type { MrkdwnText, PlainText, SlackBlock, SlackButton, SlackHome, SlackInputElement, SlackMessage, SlackOption, SlackView } from './slack.limits.js';

export type { SlackBlock, SlackHome, SlackMessage, SlackView } from './slack.limits.js';

/** Suffix of the free-text input that accompanies a select whose value may be off the list. */
export const OTHER_SUFFIX = '__other';

/** One rendered Slack block and the core block it came from. */
interface Unit {
  block: SlackBlock;
  source: number;
  /** Escaped text for the message's notification fallback. */
  fallback: string;
  heading?: boolean;
}

/** Numbers buttons across a whole message or view so every action_id is unique. */
interface Counter {
  button: number;
}

const more = (n: number, noun: string): string => `…and ${n} more ${noun}`;
const mrkdwn = (text: string): MrkdwnText => ({ type: 'mrkdwn', text });
const note = (text: string): SlackBlock => ({ type: 'context', elements: [mrkdwn(text)] });
const section = (text: string): SlackBlock => ({ type: 'section', text: mrkdwn(text) });
const isBlank = (text: string): boolean => text.trim().length === 0;

/** plain_text from user-derived text, never empty (Slack rejects empty text). */
function plain(text: string, max: number, fallback = '…'): PlainText {
  const oneLine = (t: string): string => sanitizeText(t).replace(/\s+/g, ' ').trim();
  return { type: 'plain_text', text: truncateText(oneLine(text) || oneLine(fallback) || '…', max), emoji: true };
}

function headingUnits(text: string, source: number): Unit[] {
  if (isBlank(sanitizeText(text))) return [];
  const block: SlackBlock = { type: 'header', text: plain(text, SLACK_LIMITS.headerText) };
  return [{ block, source, fallback: escapeMrkdwn(block.text.text), heading: true }];
}

function textUnits(text: string, source: number): Unit[] {
  const pieces = splitText(escapeMrkdwn(text), SLACK_LIMITS.sectionText).filter((p) => !isBlank(p));
  const shown = pieces.slice(0, SLACK_CAPS.sectionsPerText);
  const units: Unit[] = shown.map((p) => ({ block: section(p), source, fallback: p }));
  if (pieces.length > shown.length) {
    const hidden = charCount(unescapeMrkdwn(pieces.slice(shown.length).join('')));
    units.push({ block: note(more(hidden, 'characters')), source, fallback: '' });
  }
  return units;
}

function fieldText(f: Field): string {
  const label = escapeMrkdwn(f.label).replace(/\s+/g, ' ').trim();
  const value = escapeMrkdwn(f.value).trim() || '—';
  return truncateText(label ? `*${label}*\n${value}` : value, SLACK_LIMITS.fieldText);
}

function fieldsUnits(fields: Field[], source: number): Unit[] {
  const perSection = SLACK_LIMITS.sectionFields;
  const max = perSection * SLACK_CAPS.sectionsPerFields;
  const units: Unit[] = [];
  for (let i = 0; i < Math.min(fields.length, max); i += perSection) {
    const chunk = fields.slice(i, i + perSection);
    const fallback = escapeMrkdwn(chunk.map((f) => `${f.label}: ${f.value}`).join('\n'));
    units.push({ block: { type: 'section', fields: chunk.map((f) => mrkdwn(fieldText(f))) }, source, fallback });
  }
  if (fields.length > max) units.push({ block: note(more(fields.length - max, 'fields')), source, fallback: '' });
  return units;
}

function listUnits(title: string | undefined, items: string[], source: number): Unit[] {
  const max = SLACK_LIMITS.sectionText;
  const heading = title && !isBlank(title) ? truncateText(`*${escapeMrkdwn(title).replace(/\s+/g, ' ').trim()}*`, max) : undefined;
  const units: Unit[] = [];
  let current = heading ?? '';
  let shownItems = 0;
  const flush = (): void => {
    if (current) units.push({ block: section(current), source, fallback: current });
    current = '';
  };
  for (const item of items) {
    const line = truncateText(`• ${escapeMrkdwn(item).replace(/\n/g, ' ')}`, max);
    if (current && current.length + 1 + line.length > max) {
      if (units.length + 1 >= SLACK_CAPS.sectionsPerList) break;
      flush();
    }
    current = current ? `${current}\n${line}` : line;
    shownItems++;
  }
  flush();
  if (shownItems < items.length) units.push({ block: note(more(items.length - shownItems, 'items')), source, fallback: '' });
  return units;
}

/** Cuts to `width` code points, marking the cut with `…`. */
function clip(text: string, width: number): string {
  const points = [...sanitizeText(text).replace(/\s+/g, ' ').trim()];
  return points.length <= width ? points.join('') : `${points.slice(0, width - 1).join('')}…`;
}

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - charCount(text)));

/**
 * The grid as a monospaced table in one section. Columns that would make lines wrap and
 * rows past the section's length are left out and counted.
 */
export function renderGridText(grid: Grid): string {
  const cellWidth = SLACK_CAPS.gridCellWidth;
  const labels = grid.rows.map((r) => clip(r.label, cellWidth));
  const labelWidth = Math.max(1, ...labels.map(charCount));
  const columns: { head: string; width: number; index: number }[] = [];
  let lineWidth = labelWidth;
  for (const [index, column] of grid.columns.entries()) {
    const head = clip(column, cellWidth);
    const width = Math.max(1, charCount(head), ...grid.rows.map((r) => charCount(clip(r.cells[index] ?? '', cellWidth))));
    if (lineWidth + 3 + width > SLACK_CAPS.gridLineWidth) break;
    lineWidth += 3 + width;
    columns.push({ head, width, index });
  }
  const line = (label: string, cells: string[]): string =>
    escapeMrkdwn([pad(label, labelWidth), ...columns.map((c, i) => pad(cells[i] ?? '', c.width))].join(' | ').trimEnd());
  const title = grid.title && !isBlank(grid.title) ? `*${truncateText(escapeMrkdwn(grid.title).replace(/\s+/g, ' ').trim(), 200)}*\n` : '';
  const lines = [line('', columns.map((c) => c.head)), '-'.repeat(lineWidth)];
  const hiddenColumns = grid.columns.length - columns.length;
  // Room for the closing fence and the two notes.
  const budget = SLACK_LIMITS.sectionText - title.length - 8 - 80;
  let length = lines.join('\n').length;
  let shownRows = 0;
  for (const [r, row] of grid.rows.entries()) {
    const text = line(labels[r]!, columns.map((c) => clip(row.cells[c.index] ?? '', cellWidth)));
    if (length + 1 + text.length > budget) break;
    lines.push(text);
    length += 1 + text.length;
    shownRows++;
  }
  const notes = [
    hiddenColumns > 0 ? more(hiddenColumns, hiddenColumns === 1 ? 'column' : 'columns') : '',
    shownRows < grid.rows.length ? more(grid.rows.length - shownRows, grid.rows.length - shownRows === 1 ? 'row' : 'rows') : '',
  ].filter(Boolean);
  return `${title}\`\`\`\n${lines.join('\n')}\n\`\`\`${notes.length ? `\n${notes.join('  ')}` : ''}`;
}

function buttonUnits(buttons: Button[], source: number, counter: Counter): Unit[] {
  const perBlock = SLACK_LIMITS.actionsElements;
  const max = perBlock * SLACK_CAPS.actionsBlocksPerButtons;
  // A command Slack cannot carry would run something else if cut, so such a button is left out.
  const usable = buttons.filter((b) => !isBlank(b.command) && b.command.length <= SLACK_LIMITS.buttonValue).slice(0, max);
  const elements: SlackButton[] = usable.map((b) => ({
    type: 'button',
    text: plain(b.label, SLACK_LIMITS.buttonText, b.command),
    action_id: `cmd:${counter.button++}`,
    value: b.command,
    ...(b.style ? { style: b.style } : {}),
  }));
  const units: Unit[] = [];
  for (let i = 0; i < elements.length; i += perBlock) {
    const chunk = elements.slice(i, i + perBlock);
    units.push({ block: { type: 'actions', elements: chunk }, source, fallback: escapeMrkdwn(chunk.map((e) => e.text.text).join(' · ')) });
  }
  if (usable.length < buttons.length) units.push({ block: note(more(buttons.length - usable.length, 'buttons')), source, fallback: '' });
  return units;
}

function blockUnits(b: Block, source: number, counter: Counter): Unit[] {
  switch (b.kind) {
    case 'heading':
      return headingUnits(b.text, source);
    case 'text':
      return textUnits(b.text, source);
    case 'fields':
      return fieldsUnits(b.fields, source);
    case 'list':
      return listUnits(b.title, b.items, source);
    case 'grid': {
      const text = renderGridText(b.grid);
      return [{ block: section(text), source, fallback: escapeMrkdwn(b.grid.title ?? '') }];
    }
    case 'buttons':
      return buttonUnits(b.buttons, source, counter);
    case 'divider':
      return [{ block: { type: 'divider' }, source, fallback: '' }];
  }
}

function renderUnits(blocks: Block[], counter: Counter): Unit[] {
  return blocks.flatMap((b, i) => blockUnits(b, i, counter));
}

/** Groups units into messages of at most `max` blocks, never ending one on a heading. */
function pack(units: Unit[], max: number): Unit[][] {
  const messages: Unit[][] = [];
  let current: Unit[] = [];
  for (const unit of units) {
    if (current.length === max) {
      const carried = current.length > 1 && current[current.length - 1]!.heading ? [current.pop()!] : [];
      messages.push(current);
      current = carried;
    }
    current.push(unit);
  }
  if (current.length) messages.push(current);
  return messages;
}

function toMessage(units: Unit[]): SlackMessage {
  const fallback = units.map((u) => u.fallback).filter((t) => !isBlank(t)).join('\n');
  return { text: truncateText(fallback, SLACK_CAPS.fallbackText) || 'Consortia', blocks: units.map((u) => u.block) };
}

/**
 * A reply as one or more Slack messages (more when it needs over 50 blocks; at most
 * {@link SLACK_CAPS.messagesPerReply}). Buttons get action ids `cmd:<n>` and carry their
 * command as the value. The reply's form is not included: open it with {@link renderModal}.
 */
export function renderMessage(reply: Reply): SlackMessage[] {
  const units = renderUnits(reply.blocks, { button: 0 });
  const messages = pack(units, SLACK_LIMITS.messageBlocks);
  if (messages.length <= SLACK_CAPS.messagesPerReply) return messages.map(toMessage);
  const kept = messages.slice(0, SLACK_CAPS.messagesPerReply);
  const last = kept[kept.length - 1]!;
  const firstDropped = last.length === SLACK_LIMITS.messageBlocks ? last.pop()! : messages[kept.length]![0]!;
  const hidden = reply.blocks.length - firstDropped.source;
  last.push({ block: note(more(hidden, 'parts of this reply not shown')), source: firstDropped.source, fallback: '' });
  return kept.map(toMessage);
}

/**
 * The App Home tab: each reply is a section, separated by dividers. Sections that do not
 * fit in the view's 100 blocks are left out and counted.
 */
export function renderHome(sections: Reply[]): SlackHome {
  const counter: Counter = { button: 0 };
  const groups = sections.map((s) => renderUnits(s.blocks, counter).map((u) => u.block)).filter((g) => g.length > 0);
  const total = groups.reduce((n, g) => n + g.length, 0) + Math.max(0, groups.length - 1);
  // When not everything fits, one block is kept for the note saying so.
  const max = total <= SLACK_LIMITS.viewBlocks ? SLACK_LIMITS.viewBlocks : SLACK_LIMITS.viewBlocks - 1;
  const blocks: SlackBlock[] = [];
  let shown = 0;
  for (const group of groups) {
    const withDivider = blocks.length ? [{ type: 'divider' } as SlackBlock, ...group] : group;
    if (blocks.length + withDivider.length > max) {
      if (blocks.length === 0) blocks.push(...group.slice(0, max));
      break;
    }
    blocks.push(...withDivider);
    shown++;
  }
  const hidden = groups.length - shown;
  if (hidden > 0) blocks.push(note(more(hidden, hidden === 1 ? 'section not shown' : 'sections not shown')));
  return { type: 'home', blocks };
}

// ——— Forms as modals ———

const MONEY_HINT = 'Amounts like £1.2m, 250k or 75000.';

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

/** Options Slack can carry (unique values of 1–150 characters, at most 100) and how many are left out. */
function selectOptions(raw: { value: string; label: string }[]): { options: SlackOption[]; hidden: number } {
  const unique = new Map<string, string>();
  for (const o of raw) if (!unique.has(o.value)) unique.set(o.value, o.label);
  const options: SlackOption[] = [];
  for (const [value, label] of unique) {
    if (options.length === SLACK_LIMITS.selectOptions) break;
    if (value.length === 0 || value.length > SLACK_LIMITS.optionValue) continue;
    options.push({ text: plain(label, SLACK_LIMITS.optionText, value), value });
  }
  return { options, hidden: unique.size - options.length };
}

function input(name: string, label: PlainText, element: SlackInputElement, optional: boolean, hint?: string): SlackBlock {
  const block: SlackBlock = { type: 'input', block_id: name, label, element, optional };
  return hint && !isBlank(hint) ? { ...block, hint: plain(hint, SLACK_LIMITS.inputHint) } : block;
}

function textElement(name: string, f: FormField, value: string | undefined): SlackInputElement {
  return {
    type: 'plain_text_input',
    action_id: name,
    ...(f.type === 'textarea' ? { multiline: true } : {}),
    ...(value ? { initial_value: value.slice(0, SLACK_LIMITS.plainTextInputValue) } : {}),
    ...(f.placeholder ? { placeholder: plain(f.placeholder, SLACK_LIMITS.placeholder) } : {}),
  };
}

/** The input blocks for one field, then its error, if any. */
function fieldBlocks(f: FormField, error: string | undefined): SlackBlock[] {
  const label = plain(f.label, SLACK_LIMITS.inputLabel, f.name);
  const optional = !f.required;
  const first = initials(f)[0];
  const placeholder = f.placeholder ? { placeholder: plain(f.placeholder, SLACK_LIMITS.placeholder) } : {};
  const blocks: SlackBlock[] = [];
  switch (f.type) {
    case 'number': {
      const initial = first?.trim();
      const element: SlackInputElement = { type: 'number_input', action_id: f.name, is_decimal_allowed: true, ...placeholder, ...(initial && /^-?\d+(\.\d+)?$/.test(initial) ? { initial_value: initial } : {}) };
      blocks.push(input(f.name, label, element, optional, f.hint));
      break;
    }
    case 'date': {
      const initial = first ? isoDate(first) : undefined;
      blocks.push(input(f.name, label, { type: 'datepicker', action_id: f.name, ...placeholder, ...(initial ? { initial_date: initial } : {}) }, optional, f.hint));
      break;
    }
    case 'boolean': {
      const options: SlackOption[] = [
        { text: plain('Yes', SLACK_LIMITS.optionText), value: 'yes' },
        { text: plain('No', SLACK_LIMITS.optionText), value: 'no' },
      ];
      const chosen = first === undefined ? undefined : /^(yes|true|y)$/i.test(first) ? options[0] : /^(no|false|n)$/i.test(first) ? options[1] : undefined;
      blocks.push(input(f.name, label, { type: 'radio_buttons', action_id: f.name, options, ...(chosen ? { initial_option: chosen } : {}) }, optional, f.hint));
      break;
    }
    case 'select':
    case 'multiselect': {
      const { options, hidden } = selectOptions(f.options ?? []);
      if (options.length === 0) {
        blocks.push(input(f.name, label, textElement(f.name, f, initials(f).join(', ')), optional, f.hint));
        break;
      }
      const wanted = initials(f);
      const chosen = options.filter((o) => wanted.includes(o.value));
      const unmatched = wanted.filter((v) => !options.some((o) => o.value === v));
      const companion = f.allowOther === true || hidden > 0;
      const element: SlackInputElement =
        f.type === 'select'
          ? { type: 'static_select', action_id: f.name, options, ...placeholder, ...(chosen[0] ? { initial_option: chosen[0] } : {}) }
          : { type: 'multi_static_select', action_id: f.name, options, ...placeholder, ...(chosen.length ? { initial_options: chosen } : {}) };
      // With a free-text companion either input may hold the answer, so neither can be required.
      blocks.push(input(f.name, label, element, optional || companion, f.hint));
      if (companion) {
        const several = f.type === 'multiselect' ? ' Separate several with commas.' : '';
        const hint = hidden > 0 ? `${more(hidden, 'options')} are not listed: type one here.${several}` : `Not in the list? Type it here.${several}`;
        const other = `${f.name}${OTHER_SUFFIX}`;
        const initial = f.type === 'select' ? (chosen.length ? undefined : unmatched[0]) : unmatched.join(', ');
        blocks.push(input(other, plain(`${label.text}: other`, SLACK_LIMITS.inputLabel), textElement(other, { ...f, type: 'text', placeholder: undefined }, initial), true, hint));
      }
      break;
    }
    case 'money':
      blocks.push(input(f.name, label, textElement(f.name, { ...f, placeholder: f.placeholder ?? 'e.g. £250k' }, first), optional, f.hint ?? MONEY_HINT));
      break;
    case 'text':
    case 'textarea':
      blocks.push(input(f.name, label, textElement(f.name, f, first), optional, f.hint));
      break;
  }
  if (error && !isBlank(error)) blocks.push(note(truncateText(`:warning: ${escapeMrkdwn(error)}`, SLACK_LIMITS.contextText)));
  return blocks;
}

/**
 * A form as a modal. Each field is an input block whose block_id and action_id are the
 * field's name; a select that accepts other values (or has more options than Slack
 * allows) gets a free-text companion named `<name>__other`. Errors already on the form
 * show under their fields. `private_metadata` defaults to the form's context.
 *
 * @throws RangeError when the callback id or metadata is longer than Slack accepts;
 *   cutting either would route the submission wrongly.
 */
export function renderModal(form: Form, opts: { privateMetadata?: string; callbackId?: string } = {}): SlackView {
  const callbackId = opts.callbackId ?? `form:${form.id}`;
  const metadata = opts.privateMetadata ?? form.context;
  if (callbackId.length > SLACK_LIMITS.callbackId) throw new RangeError(`Slack callback_id longer than ${SLACK_LIMITS.callbackId}`);
  if (metadata && metadata.length > SLACK_LIMITS.privateMetadata) throw new RangeError(`Slack private_metadata longer than ${SLACK_LIMITS.privateMetadata}`);
  const errors = new Map(Object.entries(form.errors ?? {}));
  const seen = new Set<string>();
  const fields = form.fields.filter((f) => !seen.has(f.name) && seen.add(f.name));
  const blocks: SlackBlock[] = [];
  const general = [...errors].filter(([name]) => !seen.has(name)).map(([, text]) => text);
  if (general.length) blocks.push(section(truncateText(`:warning: ${escapeMrkdwn(general.join('\n'))}`, SLACK_LIMITS.sectionText)));
  const groups = fields.map((f) => fieldBlocks(f, errors.get(f.name)));
  const room = SLACK_LIMITS.viewBlocks - blocks.length;
  const total = groups.reduce((n, g) => n + g.length, 0);
  let shown = 0;
  for (const group of groups) {
    if (blocks.length + group.length > (total <= room ? SLACK_LIMITS.viewBlocks : SLACK_LIMITS.viewBlocks - 1)) break;
    blocks.push(...group);
    shown++;
  }
  if (shown < groups.length) blocks.push(note(more(groups.length - shown, 'fields not shown')));
  if (blocks.length === 0) blocks.push(section('Nothing to fill in.'));
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(form.title, SLACK_LIMITS.modalTitle, 'Form'),
    submit: plain(form.submitLabel, SLACK_LIMITS.modalButton, 'Submit'),
    close: plain('Cancel', SLACK_LIMITS.modalButton),
    ...(metadata ? { private_metadata: metadata } : {}),
    blocks,
  };
}

/** The form id a modal's callback id names (`form:<id>`), or null for other views. */
export function formIdFromCallbackId(callbackId: string): string | null {
  return callbackId.startsWith('form:') ? callbackId.slice('form:'.length) : null;
}

/**
 * The answer to a view submission that shows each error under its field. Given the form,
 * errors about fields it does not have are shown under its first field, since Slack
 * refuses errors for blocks the view lacks.
 */
export function modalErrors(errors: Record<string, string>, form?: Form): { response_action: 'errors'; errors: Record<string, string> } {
  const names = form ? new Set(form.fields.map((f) => f.name)) : undefined;
  const out = new Map<string, string>();
  const stray: string[] = [];
  for (const [name, text] of Object.entries(errors)) {
    const clean = truncateText(sanitizeText(text).trim() || 'Please check this.', SLACK_CAPS.errorText);
    if (!names || names.has(name)) out.set(name, clean);
    else stray.push(clean);
  }
  const first = form?.fields[0]?.name;
  if (stray.length && first) out.set(first, truncateText([out.get(first), ...stray].filter(Boolean).join(' '), SLACK_CAPS.errorText));
  return { response_action: 'errors', errors: Object.fromEntries(out) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionValue = (o: unknown): string | undefined => (isRecord(o) && typeof o.value === 'string' ? o.value : undefined);

/** One submitted element's value; dates come back UK style for the core's date parser. */
function readElement(state: unknown): string | string[] | undefined {
  if (!isRecord(state)) return undefined;
  switch (state.type) {
    case 'datepicker': {
      const iso = typeof state.selected_date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(state.selected_date) : null;
      return iso ? `${iso[3]}/${iso[2]}/${iso[1]}` : typeof state.selected_date === 'string' ? state.selected_date : '';
    }
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return optionValue(state.selected_option) ?? '';
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return Array.isArray(state.selected_options) ? state.selected_options.map(optionValue).filter((v): v is string => v !== undefined) : [];
    default:
      if (typeof state.value === 'string') return state.value;
      return state.type === 'plain_text_input' || state.type === 'number_input' ? '' : undefined;
  }
}

/**
 * A submitted modal's values keyed by field name, as the core's form handlers expect.
 * A `<name>__other` entry is merged into its select: for a single select typed text wins
 * over the chosen option; for a multiselect its comma-separated entries are added.
 */
export function parseViewSubmission(view: { state: { values: Record<string, Record<string, unknown>> } }): Record<string, string | string[]> {
  const values = new Map<string, string | string[]>();
  const others = new Map<string, string>();
  for (const actions of Object.values(view.state.values)) {
    for (const [actionId, state] of Object.entries(actions)) {
      const value = readElement(state);
      if (value === undefined) continue;
      if (actionId.endsWith(OTHER_SUFFIX)) others.set(actionId.slice(0, -OTHER_SUFFIX.length), Array.isArray(value) ? value.join(',') : value);
      else values.set(actionId, value);
    }
  }
  for (const [name, typed] of others) {
    const base = values.get(name);
    if (Array.isArray(base)) {
      const extra = typed.split(',').map((s) => s.trim()).filter(Boolean);
      values.set(name, [...new Set([...base, ...extra])]);
    } else if (typed.trim()) values.set(name, typed.trim());
    else if (base === undefined) values.set(name, '');
  }
  return Object.fromEntries(values);
}
