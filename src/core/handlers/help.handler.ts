/** `help` and `help <command>`: generated from the registry, so it stays truthful. */
import type { Handler } from '../context.js';
import { reply } from '../reply.js';

const GROUPS: { title: string; verbs: string[] }[] = [
  { title: 'Directory', verbs: ['org'] },
  { title: 'Tenders', verbs: ['tender', 'interest', 'withdraw'] },
  { title: 'Matching and consortia', verbs: ['match', 'propose', 'accept', 'decline', 'consortium'] },
  { title: 'Bid plans and tasks', verbs: ['plan', 'task', 'tasks', 'mine', 'calendar'] },
  { title: 'You and your workspace', verbs: ['home', 'settings', 'help'] },
];

export function helpHandler(all: () => Handler[]): Handler {
  return {
    path: ['help'],
    usage: 'help [command]',
    summary: 'what I can do, or how to use one command',
    role: 'anyone',
    async run(_ctx, args) {
      const handlers = all();
      if (args.length) {
        const asked = args.map((t) => t.text.toLowerCase()).join(' ').slice(0, 60);
        const matches = handlers.filter((h) => h.path.join(' ') === asked || h.path[0] === asked);
        if (matches.length === 0) return reply.invalid(`There is no command "${asked}". Type \`help\` for the list.`);
        return reply.ok(
          { kind: 'heading', text: `help ${asked}` },
          ...matches.flatMap((h) => [
            { kind: 'text' as const, text: `\`${h.usage}\`\n${h.summary}${h.role === 'coordinator' ? ' (coordinators only)' : ''}` },
            ...(h.details?.length ? [{ kind: 'list' as const, items: h.details }] : []),
          ]),
        );
      }
      const blocks = [
        { kind: 'heading' as const, text: 'Consortia helps local organisations team up to bid for contracts.' },
        { kind: 'text' as const, text: 'Dates are UK style (15/01/2027, next Friday 5pm, in 3 working days); money like £1.2m or 250k. References look like T-3 (tender), C-2 (consortium), K-14 (task).' },
      ];
      const out = [...blocks] as Parameters<typeof reply.ok>;
      for (const g of GROUPS) {
        const hs = handlers.filter((h) => g.verbs.includes(h.path[0] as string));
        if (hs.length) out.push({ kind: 'list', title: g.title, items: hs.map((h) => `\`${h.usage.split('   ')[0]}\` — ${h.summary}`) });
      }
      out.push({ kind: 'text', text: 'Type `help <command>` for more, e.g. `help match`.' });
      return reply.ok(...out);
    },
  };
}
