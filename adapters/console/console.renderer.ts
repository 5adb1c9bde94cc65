/** Renders core replies as plain terminal text. */
import type { Block, Button, Reply } from '../../src/core/reply.js';

const wrapWidth = 100;

function grid(b: Extract<Block, { kind: 'grid' }>): string[] {
  const { columns, rows, title } = b.grid;
  const labelW = Math.min(28, Math.max(4, ...rows.map((r) => r.label.length)));
  const colW = columns.map((c) => Math.min(16, Math.max(3, c.length)));
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const lines = title ? [title] : [];
  lines.push(`${' '.repeat(labelW)} │ ${columns.map((c, i) => cut(c, colW[i] as number)).join(' │ ')}`);
  for (const r of rows) lines.push(`${cut(r.label, labelW)} │ ${r.cells.map((c, i) => cut(c, colW[i] as number)).join(' │ ')}`);
  return lines;
}

export function renderText(r: Reply, buttons: Button[] = []): string {
  const out: string[] = [];
  for (const b of r.blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`\n== ${b.text} ==`);
        break;
      case 'text':
        out.push(b.text);
        break;
      case 'fields': {
        const w = Math.min(24, Math.max(...b.fields.map((f) => f.label.length)));
        for (const f of b.fields) out.push(`  ${f.label.padEnd(w)}  ${f.value}`);
        break;
      }
      case 'list':
        if (b.title) out.push(`${b.title}:`);
        for (const i of b.items) out.push(`  • ${i}`);
        break;
      case 'grid':
        out.push(...grid(b));
        break;
      case 'buttons':
        for (const x of b.buttons) {
          buttons.push(x);
          out.push(`  [${buttons.length}] ${x.label}  → ${x.command}`);
        }
        break;
      case 'divider':
        out.push('─'.repeat(Math.min(40, wrapWidth)));
        break;
    }
  }
  if (r.form) {
    out.push(`\n== ${r.form.title} ==`);
    for (const f of r.form.fields) {
      const err = r.form.errors?.[f.name];
      out.push(`  ${f.label}${f.required ? ' (required)' : ''}${f.hint ? ` — ${f.hint}` : ''}${err ? `\n    ⚠ ${err}` : ''}`);
    }
  }
  return out.join('\n').replace(/<@([^>|]+)(?:\|[^>]*)?>/g, '@$1');
}
