/**
 * What a nudge says, in the platform-neutral reply model. The wording comes from the
 * nudge's own slot and the record, never from the time it happens to be delivered, so a
 * nudge delivered late (after an outage) still says what was true when it was due, and
 * the absolute date keeps it accurate.
 */
import type { Consortium, Task, TaskOwner, Tender } from '../domain.js';
import { reply, type Block, type Reply } from '../reply.js';
import { formatUkDate } from '../time/uk-date.js';
import type { Nudge } from './nudge.policy.js';

function ownerLabel(owner: TaskOwner): string {
  return owner.kind === 'user' ? `<@${owner.id}>` : `@${owner.slug}`;
}

function baseSlot(slot: string): string {
  return slot.split('~')[0] as string;
}

function taskButtons(task: Task): Block {
  return {
    kind: 'buttons',
    buttons: [
      { label: `Done ${task.ref}`, command: `task done ${task.ref}`, style: 'primary' },
      { label: 'Remind me tomorrow', command: `task snooze ${task.ref} 1 working day` },
    ],
  };
}

/** The message for a reminder, overdue or escalation nudge about `task`. */
export function taskNudgeMessage(n: Nudge, task: Task, timezone: string, leadSlug?: string): Reply {
  const due = formatUkDate(task.due, timezone);
  const what = `${task.ref} "${task.title}" (${task.consortiumRef})`;
  const snoozed = n.snoozed ? ' (snoozed reminder)' : '';
  const slot = baseSlot(n.slot);
  let text: string;
  switch (n.kind) {
    case 'remind': {
      const days = Number(slot.slice(1));
      text = days === 0
        ? `⏰ ${what} is due today: ${due}.${snoozed}`
        : `⏰ ${what} is due in ${days} working day${days === 1 ? '' : 's'}: ${due}.${snoozed}`;
      break;
    }
    case 'overdue':
      text = `⚠️ ${what} is overdue: it was due ${due}.${snoozed} Mark it done, or give it a new date with \`task due ${task.ref} <date>\`.`;
      break;
    case 'escalate':
      text = `🚩 ${what} is still not done: it was due ${due}, and its owner was told it was overdue.`;
      break;
    default:
      text = `${what}: due ${due}.`;
  }
  const fields = [{ label: 'Owner', value: ownerLabel(task.owner) }];
  if (leadSlug && (n.kind === 'overdue' || n.kind === 'escalate')) fields.push({ label: 'Lead', value: `@${leadSlug}` });
  return reply.ok({ kind: 'text', text }, { kind: 'fields', fields }, taskButtons(task));
}

/** Progress shown with a countdown. */
export interface PlanProgress {
  done: number;
  total: number;
  overdue: number;
}

/** The countdown message in a consortium's conversation. */
export function countdownMessage(n: Nudge, c: Consortium, tender: Tender, timezone: string, progress?: PlanProgress): Reply {
  const deadline = formatUkDate(tender.dates.submission, timezone);
  const slot = baseSlot(n.slot);
  const left = slot === 'h4' ? '4 hours' : `${Number(slot.slice(1))} day${slot === 'd1' ? '' : 's'}`;
  const blocks: Block[] = [{ kind: 'text', text: `⏳ ${left} to go: ${c.ref}'s bid for ${tender.ref} "${tender.title}" must be submitted by ${deadline}.` }];
  if (progress && progress.total > 0) {
    const late = progress.overdue ? `; ${progress.overdue} overdue` : '';
    blocks.push({ kind: 'text', text: `Bid plan: ${progress.done} of ${progress.total} tasks done${late}.` });
  }
  blocks.push({ kind: 'buttons', buttons: [{ label: 'Open tasks', command: `tasks ${c.ref}` }] });
  return reply.ok(...blocks);
}
