/** The default bid plan: each step due a number of working days before a tender date. */
import type { PlanStep } from '../domain.js';

export const DEFAULT_PLAN: readonly PlanStep[] = [
  { key: 'go-no-go', title: 'Go/no-go decision', anchor: 'submission', offsetDays: 20 },
  { key: 'agreement', title: 'Consortium agreement signed', anchor: 'submission', offsetDays: 15 },
  { key: 'clarification', title: 'Clarification questions in', anchor: 'clarification', offsetDays: 1 },
  { key: 'method-statements', title: 'Method statement drafts', anchor: 'submission', offsetDays: 10 },
  { key: 'pricing', title: 'Pricing schedule', anchor: 'submission', offsetDays: 8 },
  { key: 'social-value', title: 'Social value statement', anchor: 'submission', offsetDays: 7 },
  { key: 'policies', title: 'Policies and certificates collated', anchor: 'submission', offsetDays: 6 },
  { key: 'final-review', title: 'Final review', anchor: 'submission', offsetDays: 3 },
  { key: 'submission', title: 'Submit the bid', anchor: 'submission', offsetDays: 0 },
];

export function planTemplate(custom: PlanStep[] | null | undefined): PlanStep[] {
  return custom && custom.length ? custom : DEFAULT_PLAN.map((s) => ({ ...s }));
}
