/**
 * The platform-neutral reply model. Every handler returns a {@link Reply}; each adapter
 * renders it (Block Kit, Adaptive Cards, console text). Buttons carry the text command
 * they stand for, so a press comes back as an ordinary command.
 */

/** One field in a two-column list of facts ("Income: £85,000"). */
export interface Field {
  label: string;
  value: string;
}

/** A button. `command` is the text command it runs when pressed, e.g. `propose T-3 1`. */
export interface Button {
  label: string;
  command: string;
  style?: 'primary' | 'danger';
}

/** A grid of rows × columns; the matching coverage grid is the main user. */
export interface Grid {
  title?: string;
  columns: string[];
  rows: { label: string; cells: string[] }[];
}

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'fields'; fields: Field[] }
  | { kind: 'list'; title?: string; items: string[] }
  | { kind: 'grid'; grid: Grid }
  | { kind: 'buttons'; buttons: Button[] }
  | { kind: 'divider' };

export type FormFieldType = 'text' | 'textarea' | 'number' | 'money' | 'date' | 'select' | 'multiselect' | 'boolean';

/** A typed input on a form. Values come back as strings (or string arrays for multiselect). */
export interface FormField {
  name: string;
  label: string;
  type: FormFieldType;
  required?: boolean;
  hint?: string;
  placeholder?: string;
  /** Choices for select and multiselect. */
  options?: { value: string; label: string }[];
  /** Whether a select also accepts values not in `options` (free text). */
  allowOther?: boolean;
  initial?: string | string[];
}

/**
 * A form. When submitted, the adapter sends back a command with `form.id` set to `id`
 * and the values keyed by field name; the same handler that built the form validates it.
 */
export interface Form {
  id: string;
  title: string;
  submitLabel: string;
  fields: FormField[];
  /** Field name → error text, when a submission was refused. */
  errors?: Record<string, string>;
  /** Opaque context carried through the submission (e.g. the tender a form is about). */
  context?: string;
}

/** What happened, for metrics and logs; users see only the blocks. */
export type Outcome = 'ok' | 'invalid' | 'denied' | 'not_found' | 'conflict' | 'error';

export interface Reply {
  outcome: Outcome;
  blocks: Block[];
  /** A form to open instead of (or as well as) the blocks. */
  form?: Form;
  /**
   * Slow work still under way: the blocks say it is working, and this resolves to the
   * reply that follows. Adapters acknowledge at once and deliver the follow-up later.
   */
  followUp?: () => Promise<Reply>;
  /** Shown only to the person who asked, where the platform can. */
  private?: boolean;
}

export const reply = {
  ok(...blocks: Block[]): Reply {
    return { outcome: 'ok', blocks };
  },
  text(text: string, outcome: Outcome = 'ok'): Reply {
    return { outcome, blocks: [{ kind: 'text', text }] };
  },
  invalid(problem: string, usage?: string): Reply {
    const blocks: Block[] = [{ kind: 'text', text: problem }];
    if (usage) blocks.push({ kind: 'text', text: `Usage: \`${usage}\`` });
    return { outcome: 'invalid', blocks, private: true };
  },
  denied(text: string): Reply {
    return { outcome: 'denied', blocks: [{ kind: 'text', text }], private: true };
  },
  notFound(text: string): Reply {
    return { outcome: 'not_found', blocks: [{ kind: 'text', text }], private: true };
  },
  conflict(text: string): Reply {
    return { outcome: 'conflict', blocks: [{ kind: 'text', text }], private: true };
  },
  form(form: Form): Reply {
    return { outcome: form.errors ? 'invalid' : 'ok', blocks: [], form };
  },
};

/** Plain text of a reply, for logs, tests and the console. */
export function replyText(r: Reply): string {
  const out: string[] = [];
  for (const b of r.blocks) {
    switch (b.kind) {
      case 'heading':
      case 'text':
        out.push(b.text);
        break;
      case 'fields':
        for (const f of b.fields) out.push(`${f.label}: ${f.value}`);
        break;
      case 'list':
        if (b.title) out.push(b.title);
        for (const i of b.items) out.push(`• ${i}`);
        break;
      case 'grid':
        if (b.grid.title) out.push(b.grid.title);
        out.push(['', ...b.grid.columns].join(' | '));
        for (const row of b.grid.rows) out.push([row.label, ...row.cells].join(' | '));
        break;
      case 'buttons':
        out.push(b.buttons.map((x) => `[${x.label}: ${x.command}]`).join(' '));
        break;
      case 'divider':
        out.push('---');
        break;
    }
  }
  if (r.form) {
    out.push(`${r.form.title} (form ${r.form.id})`);
    for (const f of r.form.fields) out.push(`  ${f.label}${f.required ? ' *' : ''}${r.form.errors?.[f.name] ? ` — ${r.form.errors[f.name]}` : ''}`);
  }
  return out.join('\n');
}
