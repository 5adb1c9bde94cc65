/**
 * Making text safe for Slack, and cutting it to Slack's lengths without breaking it.
 *
 * Slack's mrkdwn treats `<…>` as control sequences: `<!channel>` pings a whole channel,
 * `<http://x|label>` hides where a link goes. Everything the core hands us may contain
 * text a user typed (an organisation's name, a tender title), so every mrkdwn string is
 * escaped in full. The one sequence let back through is a plain user mention,
 * `<@U…>` / `<@W…>`, which the core writes when it names a person; a user who types one
 * can only ping someone they could ping in Slack anyway. Broadcasts (`<!here>`,
 * `<!channel>`, `<!everyone>`), user groups, channel links and disguised links always
 * stay literal text.
 *
 * plain_text objects (headers, labels, button text, options) are not parsed by Slack, so
 * they only need {@link sanitizeText}.
 */

/** The mention form let back through after escaping, in its escaped spelling. */
const ESCAPED_USER_MENTION = /&lt;@([UW][A-Z0-9]{2,})&gt;/g;

/** Characters that are not text: C0/C1 controls (except newline and tab) and bidi overrides. */
function isControl(code: number): boolean {
  if (code === 0x0a || code === 0x09) return false;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  // Direction overrides and isolates let a name display as something it is not.
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/**
 * Removes control characters, normalises line endings and replaces unpaired surrogates
 * (which some JSON consumers reject) with U+FFFD.
 */
export function sanitizeText(text: string): string {
  const normalised = text.replace(/\r\n?/g, '\n');
  let out = '';
  for (let i = 0; i < normalised.length; i++) {
    const code = normalised.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = normalised.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += normalised[i]! + normalised[i + 1]!;
        i++;
      } else out += '\uFFFD';
    } else if (code >= 0xdc00 && code <= 0xdfff) out += '\uFFFD';
    else if (!isControl(code)) out += normalised[i]!;
  }
  return out;
}

/**
 * Escapes text for a mrkdwn field: `&`, `<`, `>` become entities, so no user text can
 * form a control sequence; exact user mentions (`<@U123ABC>`) are then restored.
 */
export function escapeMrkdwn(text: string): string {
  return sanitizeText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(ESCAPED_USER_MENTION, '<@$1>');
}

/** Reverses {@link escapeMrkdwn}'s entities, to count or compare what a reader sees. */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Length in code points: what a reader would call characters. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * The largest index ≤ `max` at which `text` can be cut without splitting a surrogate pair,
 * an entity (`&amp;`) or a mention (`<@U123>`). Lengths are UTF-16 units, which is never
 * less than what Slack counts.
 */
export function safeCutIndex(text: string, max: number): number {
  if (text.length <= max) return text.length;
  let cut = Math.max(0, max);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 5 && !text.slice(amp, cut).includes(';')) cut = amp;
  // Mention tokens are short; a lone `<` further back is plain text, not a token.
  const lt = text.lastIndexOf('<', cut - 1);
  if (lt >= 0 && lt > cut - 32 && !text.slice(lt, cut).includes('>')) cut = lt;
  return cut;
}

/** Cuts `text` to at most `max` units, ending in `…` when anything was removed. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCutIndex(text, max - 1))}…`;
}

/**
 * Splits text into pieces of at most `max` units, preferring to break after a newline,
 * then after a space. Concatenating the pieces gives back the text exactly.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const hard = safeCutIndex(rest, max);
    const window = rest.slice(0, hard);
    const newline = window.lastIndexOf('\n');
    const space = window.lastIndexOf(' ');
    // A break in the first half would leave pieces too small to be worth it.
    let cut = newline >= max / 2 ? newline + 1 : space >= max / 2 ? space + 1 : hard;
    if (cut <= 0) cut = Math.min(rest.length, max);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}
