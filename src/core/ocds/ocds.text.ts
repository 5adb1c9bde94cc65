/**
 * Tidies free text as Contracts Finder publishes it, so a coordinator sees what the buyer
 * wrote. Real notices carry three kinds of damage: HTML entities (`&apos;`), UTF-8 read
 * as Windows-1252 (`Â£` for `£`, `â€¢` for `•`), and line breaks whose backslashes were
 * stripped on the way out (`\r\n` arrives as the letters `rn`, a tab as `t`).
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  apos: "'",
  quot: '"',
  lt: '<',
  gt: '>',
  nbsp: ' ',
  pound: '£',
  euro: '€',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  hellip: '…',
  bull: '•',
};

/** Windows-1252 bytes 0x80–0x9F, which Latin-1 leaves as control codes. */
const CP1252_HIGH: Record<number, number> = {
  0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85, 0x2020: 0x86,
  0x2021: 0x87, 0x02c6: 0x88, 0x2030: 0x89, 0x0160: 0x8a, 0x2039: 0x8b, 0x0152: 0x8c,
  0x017d: 0x8e, 0x2018: 0x91, 0x2019: 0x92, 0x201c: 0x93, 0x201d: 0x94, 0x2022: 0x95,
  0x2013: 0x96, 0x2014: 0x97, 0x02dc: 0x98, 0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b,
  0x0153: 0x9c, 0x017e: 0x9e, 0x0178: 0x9f,
};

function cp1252Byte(codePoint: number): number | undefined {
  if (codePoint >= 0xa0 && codePoint <= 0xff) return codePoint;
  // Bytes Windows-1252 leaves undefined survive decoding as C1 controls.
  if (codePoint === 0x81 || codePoint === 0x8d || codePoint === 0x8f || codePoint === 0x90 || codePoint === 0x9d) {
    return codePoint;
  }
  return CP1252_HIGH[codePoint];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Re-decodes each run of non-ASCII characters that, read back as Windows-1252 bytes, forms
 * valid UTF-8 of at least two bytes. A lone correct `£` or `é` is not valid UTF-8 on its
 * own, so text that was never damaged is left alone.
 */
export function repairMojibake(text: string): string {
  return text.replace(/[\u0080-\u024f\u02c6\u02dc\u2013-\u2122]{2,}/g, (run) => {
    const bytes: number[] = [];
    for (const ch of run) {
      const b = cp1252Byte(ch.codePointAt(0) ?? 0);
      if (b === undefined) return run;
      bytes.push(b);
    }
    try {
      return utf8.decode(Uint8Array.from(bytes));
    } catch {
      return run;
    }
  });
}

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const valid = Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return valid ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * Turns stripped line breaks back into newlines. `rnrn` never occurs in English, so it is
 * always a paragraph break; a single `rn` only counts when it follows a non-letter and
 * precedes a capital, a bullet, a digit or spacing, which keeps "modern", "return" and
 * "Northern" intact.
 */
export function restoreLineBreaks(text: string): string {
  return text
    .replace(/rnrn/g, '\n\n')
    .replace(/(?<=[^A-Za-z\n])rn(?=[A-Z0-9•\s]|$)/g, '\n')
    .replace(/•t(?=[A-Z])/g, '• ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n[ \t]+/g, '\n')
    .replace(/\n{3,}/g, '\n\n');
}

/** Keeps the text of simple markup: paragraphs and breaks become newlines, tags go. */
function stripTags(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p\s*>/gi, '\n\n')
    .replace(/<\/?[a-z][a-z0-9]*(\s[^<>]*)?\/?>/gi, '');
}

/** Full clean-up for a description: markup, entities, encoding, line breaks. */
export function cleanText(text: string): string {
  return restoreLineBreaks(decodeEntities(stripTags(repairMojibake(text)))).trim();
}

/** Clean-up for one-line values (titles, names): as {@link cleanText}, on one line. */
export function cleanLine(text: string): string {
  return decodeEntities(repairMojibake(text)).replace(/\s+/g, ' ').trim();
}
