/**
 * Whether every string a rendered payload shows is free of control characters (other than
 * line breaks and tabs), C1 controls and direction overrides. Values a payload only carries
 * back to us (`value`, `data`, `initial_value`) are not shown, so not checked. Strings are
 * checked as strings: a user who types a backslash and a `b` has typed no control character.
 */
export function controlFree(payload: unknown): boolean {
  const shown: string[] = [];
  JSON.stringify(payload, (k, v: unknown) => {
    if (k === 'value' || k === 'data' || k === 'initial_value') return undefined;
    if (typeof v === 'string') shown.push(v);
    return v;
  });
  return shown.every((t) => [...t].every((ch) => !isControl(ch.codePointAt(0) as number)));
}

function isControl(code: number): boolean {
  if (code === 0x09 || code === 0x0a || code === 0x0d) return false;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}
