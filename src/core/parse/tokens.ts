/**
 * Splits command text into tokens: words, "quoted strings" (straight or curly quotes),
 * and user mentions (`<@U123>` or `<@U123|name>`, which adapters produce).
 */
export interface Token {
  text: string;
  quoted: boolean;
  /** Set when the token is a user mention; the platform's user id. */
  mention?: string;
}

/** Longest command text the parser looks at; anything longer is refused before parsing. */
export const MAX_COMMAND_LENGTH = 4000;

// Control characters other than tab/newline carry no meaning in a command.
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g;

export function cleanText(text: string): string {
  return text.replace(CONTROL, '').replace(/\u00A0/g, ' ');
}

const OPEN_QUOTES = new Set(['"', '\u201C', '\u201E']);
const CLOSE_FOR: Record<string, string[]> = { '"': ['"', '\u201D'], '\u201C': ['\u201D', '"'], '\u201E': ['\u201C', '\u201D', '"'] };

export function tokenize(input: string): Token[] {
  const text = cleanText(input);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (OPEN_QUOTES.has(ch)) {
      const closers = CLOSE_FOR[ch] ?? ['"'];
      let j = i + 1;
      while (j < text.length && !closers.includes(text[j] as string)) j++;
      tokens.push({ text: text.slice(i + 1, j).trim(), quoted: true });
      i = j + 1;
      continue;
    }
    const mention = /^<@([A-Za-z0-9_.:-]{1,100})(?:\|[^>]{0,100})?>/.exec(text.slice(i, i + 220));
    if (mention?.[1]) {
      tokens.push({ text: mention[0], quoted: false, mention: mention[1] });
      i += mention[0].length;
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text[j] as string)) j++;
    tokens.push({ text: text.slice(i, j), quoted: false });
    i = j;
  }
  return tokens;
}

/** Lower-case key for comparing names, services and areas: "St. Pauls " → "st pauls". */
export function key(text: string): string {
  return text
    .toLowerCase()
    .replace(/[.'’`]/g, '')
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

/** A service name as stored: lower case words joined by hyphens ("drug-and-alcohol"). */
export function serviceKey(text: string): string {
  return key(text).replace(/&/g, 'and').replace(/[^a-z0-9 ]/g, '').trim().replace(/ +/g, '-');
}

/** How a stored service reads in a sentence: "drug and alcohol". */
export function serviceLabel(service: string): string {
  return service.replace(/-/g, ' ');
}

/** Display form of an area as typed: spaces collapsed, first letters capitalised if all lower case. */
export function areaName(text: string): string {
  const t = cleanText(text).replace(/\s+/g, ' ').trim();
  return t === t.toLowerCase() ? t.replace(/\b([a-z])/g, (m) => m.toUpperCase()) : t;
}

/** Organisation slug from its name: "Bristol Mind" → "bristol-mind". */
export function slugify(name: string): string {
  return key(name)
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9 ]/g, '')
    .trim()
    .replace(/ +/g, '-')
    .slice(0, 60)
    .replace(/-+$/, '');
}

/**
 * Splits tokens after the positional ones into keyword sections:
 * `income 85k services a, b areas x home y` → {income: "85k", services: "a, b", …}.
 * Words up to the next keyword form the value, so multi-word values need no quotes.
 */
export function keywordArgs(tokens: Token[], keywords: readonly string[]): { positional: Token[]; named: Map<string, string>; repeated: string[] } {
  const positional: Token[] = [];
  const named = new Map<string, string>();
  const repeated: string[] = [];
  let current: string | null = null;
  let parts: string[] = [];
  const flush = () => {
    if (current !== null) {
      if (named.has(current)) repeated.push(current);
      named.set(current, parts.join(' ').trim());
    }
  };
  for (const t of tokens) {
    const kw = t.quoted ? null : keywords.find((k) => k === t.text.toLowerCase());
    if (kw) {
      flush();
      current = kw;
      parts = [];
    } else if (current === null) {
      positional.push(t);
    } else {
      parts.push(t.text);
    }
  }
  flush();
  return { positional, named, repeated };
}

/** "a, b; c" → ["a", "b", "c"]; empty items dropped. ("and" is not a separator: "drug and alcohol".) */
export function splitList(text: string): string[] {
  return text
    .split(/\s*[,;]\s*/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
