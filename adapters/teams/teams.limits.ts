/**
 * What Teams accepts: the Adaptive Card 1.5 shapes the renderer produces, the limits it
 * keeps to, and a checker listing every way a card breaks the schema's required
 * properties or those limits. Our own JSON types, so the renderer needs no Bot Framework SDK.
 */

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

type Spacing = 'None' | 'Small' | 'Default' | 'Medium' | 'Large';

interface ElementBase {
  separator?: boolean;
  spacing?: Spacing;
}

export interface TextBlock extends ElementBase {
  type: 'TextBlock';
  text: string;
  wrap?: boolean;
  size?: 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge';
  weight?: 'Lighter' | 'Default' | 'Bolder';
  color?: 'Default' | 'Accent' | 'Good' | 'Warning' | 'Attention';
  isSubtle?: boolean;
}

export interface FactSet extends ElementBase {
  type: 'FactSet';
  facts: { title: string; value: string }[];
}

export interface TableCell {
  type: 'TableCell';
  items: TextBlock[];
}

export interface Table extends ElementBase {
  type: 'Table';
  columns: { width: number }[];
  rows: { type: 'TableRow'; cells: TableCell[] }[];
  firstRowAsHeader: boolean;
  showGridLines?: boolean;
}

export interface SubmitAction {
  type: 'Action.Submit';
  title: string;
  data: Record<string, unknown>;
  style?: 'default' | 'positive' | 'destructive';
}

export interface ActionSet extends ElementBase {
  type: 'ActionSet';
  actions: SubmitAction[];
}

interface InputBase extends ElementBase {
  id: string;
  label?: string;
  isRequired?: boolean;
  errorMessage?: string;
}

export type CardInput =
  | (InputBase & { type: 'Input.Text'; value?: string; placeholder?: string; isMultiline?: boolean })
  | (InputBase & { type: 'Input.Number'; value?: number; placeholder?: string })
  | (InputBase & { type: 'Input.Date'; value?: string })
  | (InputBase & { type: 'Input.ChoiceSet'; choices: { title: string; value: string }[]; style: 'compact' | 'expanded'; isMultiSelect?: boolean; value?: string; placeholder?: string })
  | (InputBase & { type: 'Input.Toggle'; title: string; valueOn: string; valueOff: string; value?: string });

export type CardElement = TextBlock | FactSet | Table | ActionSet | CardInput;

export interface AdaptiveCard {
  $schema: typeof CARD_SCHEMA;
  type: 'AdaptiveCard';
  version: '1.5';
  body: CardElement[];
  actions?: SubmitAction[];
  msteams?: { width: 'Full' };
}

/** Limits Teams imposes or that we keep to for Teams. */
export const TEAMS_LIMITS = {
  /** Teams refuses a message over about 28 KB; this is the card's share, leaving room for the activity around it. */
  cardBytes: 27 * 1024,
  /** Teams shows at most this many actions in one set. */
  actionsPerSet: 6,
} as const;

/**
 * Our own caps so one reply never floods a conversation: past these the renderer cuts
 * and says "…and N more".
 */
export const TEAMS_CAPS = {
  cardsPerReply: 10,
  /** Largest single element, so any element fits in a card with room to spare. */
  elementBytes: 12 * 1024,
  textChars: 15_000,
  listItems: 300,
  facts: 100,
  buttons: 36,
  /** Longest command a button carries; longer ones are left out rather than cut. */
  commandChars: 2000,
  buttonTitle: 75,
  tableColumns: 12,
  tableRows: 50,
  tableCell: 60,
  choices: 100,
  choiceTitle: 150,
  headingChars: 300,
  labelChars: 500,
} as const;

/** UTF-8 size of `value` serialised as JSON: what Teams measures. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** JSON bytes one character adds inside a string. */
function charBytes(ch: string): number {
  const c = ch.codePointAt(0)!;
  if (c === 0x22 || c === 0x5c || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08 || c === 0x0c) return 2;
  if (c < 0x20) return 6;
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/** Splits text into pieces of at most `maxBytes` as JSON, preferring breaks after newlines or spaces. */
export function splitByBytes(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  let lastBreak = -1;
  for (const ch of text) {
    const size = charBytes(ch);
    if (bytes + size > maxBytes && current.length) {
      const cut = lastBreak > current.length / 2 ? lastBreak : current.length;
      pieces.push(current.slice(0, cut).join(''));
      current = current.slice(cut);
      bytes = current.reduce((n, c) => n + charBytes(c), 0);
      lastBreak = -1;
    }
    current.push(ch);
    bytes += size;
    if (ch === ' ' || ch === '\n') lastBreak = current.length;
  }
  if (current.length) pieces.push(current.join(''));
  return pieces;
}

const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.trim().length > 0;

function checkAction(problems: string[], where: string, a: SubmitAction): void {
  if (a.type !== 'Action.Submit') problems.push(`${where}: unknown action ${String(a.type)}`);
  if (!nonEmpty(a.title)) problems.push(`${where}: Action.Submit needs a title`);
  if (typeof a.data !== 'object' || a.data === null) problems.push(`${where}: Action.Submit needs data`);
}

function checkElement(problems: string[], ids: Set<string>, where: string, e: CardElement): void {
  switch (e.type) {
    case 'TextBlock':
      if (!nonEmpty(e.text)) problems.push(`${where}: TextBlock needs text`);
      break;
    case 'FactSet':
      if (!Array.isArray(e.facts) || e.facts.length === 0) problems.push(`${where}: FactSet needs facts`);
      else e.facts.forEach((f, i) => {
        if (typeof f.title !== 'string' || !nonEmpty(f.value)) problems.push(`${where}.facts[${i}]: needs title and value`);
      });
      break;
    case 'Table':
      if (e.columns.length === 0) problems.push(`${where}: Table needs columns`);
      e.rows.forEach((r, i) => {
        if (r.type !== 'TableRow') problems.push(`${where}.rows[${i}]: not a TableRow`);
        if (r.cells.length !== e.columns.length) problems.push(`${where}.rows[${i}]: ${r.cells.length} cells for ${e.columns.length} columns`);
        r.cells.forEach((c, j) => {
          if (c.type !== 'TableCell') problems.push(`${where}.rows[${i}].cells[${j}]: not a TableCell`);
          c.items.forEach((item, k) => checkElement(problems, ids, `${where}.rows[${i}].cells[${j}].items[${k}]`, item));
        });
      });
      break;
    case 'ActionSet':
      if (e.actions.length === 0 || e.actions.length > TEAMS_LIMITS.actionsPerSet) problems.push(`${where}: ${e.actions.length} actions`);
      e.actions.forEach((a, i) => checkAction(problems, `${where}.actions[${i}]`, a));
      break;
    case 'Input.Text':
    case 'Input.Number':
    case 'Input.Date':
    case 'Input.ChoiceSet':
    case 'Input.Toggle':
      if (!nonEmpty(e.id)) problems.push(`${where}: input needs an id`);
      if (ids.has(e.id)) problems.push(`${where}: duplicate input id ${e.id}`);
      ids.add(e.id);
      if (e.isRequired && !nonEmpty(e.errorMessage)) problems.push(`${where}: required input needs an errorMessage`);
      if (e.type === 'Input.Date' && e.value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(e.value)) problems.push(`${where}: date value ${e.value}`);
      if (e.type === 'Input.Number' && e.value !== undefined && !Number.isFinite(e.value)) problems.push(`${where}: number value`);
      if (e.type === 'Input.Toggle' && !nonEmpty(e.title)) problems.push(`${where}: Input.Toggle needs a title`);
      if (e.type === 'Input.ChoiceSet') {
        if (!Array.isArray(e.choices) || e.choices.length === 0) problems.push(`${where}: Input.ChoiceSet needs choices`);
        else e.choices.forEach((c, i) => {
          if (!nonEmpty(c.title) || typeof c.value !== 'string' || c.value.length === 0) problems.push(`${where}.choices[${i}]: needs title and value`);
        });
      }
      break;
    default:
      problems.push(`${where}: unknown element ${(e as { type: unknown }).type as string}`);
  }
}

/** Every way `card` breaks Adaptive Cards 1.5 or Teams' limits; empty when it is fine. */
export function cardProblems(card: AdaptiveCard): string[] {
  const problems: string[] = [];
  if (card.$schema !== CARD_SCHEMA) problems.push('missing $schema');
  if (card.type !== 'AdaptiveCard') problems.push('type must be AdaptiveCard');
  if (card.version !== '1.5') problems.push('version must be 1.5');
  if (!Array.isArray(card.body)) problems.push('body must be an array');
  const ids = new Set<string>();
  card.body.forEach((e, i) => checkElement(problems, ids, `body[${i}]`, e));
  (card.actions ?? []).forEach((a, i) => checkAction(problems, `actions[${i}]`, a));
  if ((card.actions ?? []).length > TEAMS_LIMITS.actionsPerSet) problems.push('too many card actions');
  const bytes = jsonBytes(card);
  if (bytes > TEAMS_LIMITS.cardBytes) problems.push(`${bytes} bytes > ${TEAMS_LIMITS.cardBytes}`);
  return problems;
}
