/** Domain records as the core sees them. The store maps them to documents. */
import type { Platform } from './command.js';

export type SizeBand = 'micro' | 'small' | 'medium' | 'large' | 'major';

/** Size band from annual income: micro < £10k, small < £100k, medium < £1m, large < £10m, major. */
export function sizeBand(income: number): SizeBand {
  if (income < 10_000) return 'micro';
  if (income < 100_000) return 'small';
  if (income < 1_000_000) return 'medium';
  if (income < 10_000_000) return 'large';
  return 'major';
}

export type HolidayRegion = 'england-and-wales' | 'scotland' | 'northern-ireland';

export interface MatchWeights {
  local: number;
  redundant: number;
  small: number;
  ties: number;
  members: number;
  busy: number;
}

export const DEFAULT_WEIGHTS: MatchWeights = { local: 10, redundant: 2, small: 5, ties: 3, members: -8, busy: -2 };

/** One step of the bid-plan template: due `offsetDays` working days before `anchor`. */
export interface PlanStep {
  key: string;
  title: string;
  anchor: 'submission' | 'clarification' | 'published';
  offsetDays: number;
}

export interface WorkspaceSettings {
  timezone: string;
  /** Working hours, 24h "HH:MM". */
  hoursStart: string;
  hoursEnd: string;
  holidays: HolidayRegion;
  coordinators: string[];
  weights: MatchWeights;
  nudges: boolean;
  /** Users who turned their own nudges off. */
  nudgesOffFor: string[];
  /** Working days before a task's due date for reminders. */
  reminderDays: number[];
  planTemplate: PlanStep[] | null;
  /** Months after a tender closes before personal details on it are purged. */
  retentionMonths: number;
}

export interface Workspace {
  id: string;
  platform: Platform;
  name: string;
  settings: WorkspaceSettings;
}

/** A requirement cell: this service must be delivered in this area. */
export interface Cell {
  service: string;
  area: string;
  accreditation?: string;
}

export interface Organisation {
  workspaceId: string;
  /** Stable, unique within a workspace; how people type it: `@food-bank`. */
  slug: string;
  name: string;
  services: string[];
  areas: string[];
  home: string;
  income: number;
  capacity: number;
  canLead: boolean;
  accreditations: string[];
  charityNumber?: string;
  /** Slugs of organisations it has delivered with before. */
  partners: string[];
  unavailable: boolean;
  createdBy: string;
  createdAt?: Date;
}

export type MemberRole = 'admin' | 'member';

export interface Member {
  workspaceId: string;
  userId: string;
  orgSlug: string;
  role: MemberRole;
  displayName?: string;
}

export type TenderStatus = 'draft' | 'open' | 'won' | 'lost' | 'withdrawn';

export interface TenderDates {
  published?: Date;
  clarification?: Date;
  submission: Date;
  contractStart?: Date;
}

export interface Tender {
  workspaceId: string;
  ref: string;
  title: string;
  description?: string;
  buyer?: string;
  annualValue: number;
  years: number;
  currency: string;
  leadMinIncome?: number;
  leadAccreditations: string[];
  maxMembers: number;
  cells: Cell[];
  lots: { id: string; title: string }[];
  dates: TenderDates;
  status: TenderStatus;
  cpv: string[];
  regions: string[];
  suitability?: { vcse?: boolean; sme?: boolean };
  source?: string;
  /** For imported drafts: what the notice did not say, which must be set before opening. */
  missing?: string[];
  createdBy: string;
  closedAt?: Date;
}

export type InterestRole = 'lead' | 'partner' | 'either';

export interface Interest {
  workspaceId: string;
  tenderRef: string;
  orgSlug: string;
  as: InterestRole;
  by: string;
  withdrawn: boolean;
}

export type Answer = 'pending' | 'accepted' | 'declined';

export interface ConsortiumMember {
  orgSlug: string;
  role: 'lead' | 'partner';
  answer: Answer;
  answeredBy?: string;
  reason?: string;
}

export type ConsortiumState = 'proposed' | 'formed' | 'declined' | 'dissolved';

export interface Consortium {
  workspaceId: string;
  ref: string;
  tenderRef: string;
  lot?: string;
  members: ConsortiumMember[];
  /** The members' slugs, kept beside `members` so "consortia of this organisation" is one query. */
  memberSlugs: string[];
  state: ConsortiumState;
  score: number;
  proposedBy: string;
  /** A chat conversation (channel) for the consortium, when one exists. */
  conversationId?: string;
  formedAt?: Date;
  /** Bumped on every change to `members`, so concurrent answers never overwrite each other. */
  rev: number;
}

export type TaskOwner = { kind: 'user'; id: string } | { kind: 'org'; slug: string };

export interface Task {
  workspaceId: string;
  ref: string;
  consortiumRef: string;
  title: string;
  due: Date;
  owner: TaskOwner;
  status: 'open' | 'done';
  doneAt?: Date;
  doneBy?: string;
  /** A single nudge postponed to this time. */
  snoozedUntil?: Date;
  /** Plan step key when generated from the plan template. */
  step?: string;
  /** True when the plan wanted a date already past. */
  latePlanned?: boolean;
  createdBy: string;
  /** Increases on each re-date, so nudges for an old date are recognisably stale. */
  version: number;
}

export interface AuditEntry {
  workspaceId: string;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}
