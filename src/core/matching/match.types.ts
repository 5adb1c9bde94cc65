/**
 * The matching engine's input and output, mirroring the file format of MATCHING.md field
 * for field so that any instance the app solves can be written out and checked against an
 * independent solver.
 */
import { DEFAULT_WEIGHTS } from '../domain.js';
import type { MatchWeights } from '../domain.js';

/** A requirement: `service` delivered in `area`, by a holder of `accreditation` if named. */
export interface MatchCell {
  service: string;
  area: string;
  accreditation?: string;
}

export interface MatchTender {
  id: string;
  /** V, GBP per year; the members' capacities must add up to at least this. */
  annualValue: number;
  /** L, the lead's minimum income. @defaultValue `annualValue` */
  leadMinIncome?: number;
  /** Accreditations the lead must hold. @defaultValue `[]` */
  leadAccreditations?: string[];
  /** M, the largest consortium proposed. @defaultValue 6 */
  maxMembers?: number;
  cells: MatchCell[];
}

export interface MatchOrg {
  id: string;
  services: string[];
  /** Where it can deliver. */
  areas: string[];
  /** Where it is based; covering a cell in this area counts as local. */
  home: string;
  income: number;
  canLead: boolean;
  accreditations: string[];
  /** GBP per year of contract it could deliver. */
  capacity: number;
  /** Consortia it is already in for open tenders. */
  activeBids: number;
  /** Organisations it has delivered with; an edge exists if either side lists the other. */
  partners: string[];
}

/** Score weights; `members` and `busy` are normally negative. One definition, in the domain. */
export type { MatchWeights } from '../domain.js';

/** The defaults of MATCHING.md; they define the benchmark. */
export const DEFAULT_MATCH_WEIGHTS: Readonly<MatchWeights> = DEFAULT_WEIGHTS;

/** Proposals returned when an instance does not say. */
export const DEFAULT_TOP = 5;
export const DEFAULT_MAX_MEMBERS = 6;
/** Income below which a member counts as small (micro, small and medium organisations). */
export const SMALL_INCOME_LIMIT = 1_000_000;
/** Active bids beyond this no longer lower the score. */
export const BUSY_CAP = 3;

export interface MatchInstance {
  tender: MatchTender;
  orgs: MatchOrg[];
  /** Weights left out take their default. */
  weights?: Partial<MatchWeights>;
  /** How many proposals to return. @defaultValue 5 */
  top?: number;
}

/** The counts the score is made of; `members` is |S|. */
export interface MatchBreakdown {
  local: number;
  redundant: number;
  small: number;
  ties: number;
  members: number;
  busy: number;
}

export interface MatchProposal {
  /** Member ids, sorted. */
  members: string[];
  /** The eligible lead with the highest income, then the smallest id. */
  lead: string;
  /** The other eligible leads in the consortium, best first; absent when there are none. */
  alternatives?: string[];
  score: number;
  breakdown: MatchBreakdown;
  /**
   * Cell key to the members covering that cell, sorted: `service@area`, with `+accreditation`
   * only where two cells share service and area, and `#n` only for exact repeats.
   */
  coverage: Record<string, string[]>;
}

/**
 * The consortium of at most M members, nobody but its lead covering nothing, that covers the
 * most cells, then scores best, then comes first in the usual order. It needs no lead.
 */
export interface MatchPartial {
  members: string[];
  /** Its eligible lead, or null when it has none. */
  lead: string | null;
  /** How many cells it covers. */
  covered: number;
  /** The cells it leaves uncovered, in tender order. */
  uncovered: MatchCell[];
  score: number;
}

/**
 * Why no feasible consortium exists, as facts a coordinator can act on. The reasons that
 * apply are listed in this order; `no-combination` alone means each test passes on its own
 * but no set of at most M members meets them all at once.
 */
export type MatchGapReason =
  | 'uncoverable-cells'
  | 'no-eligible-lead'
  | 'pool-capacity-short'
  | 'capacity-within-max-members-short'
  | 'no-combination';

export interface MatchGaps {
  reasons: MatchGapReason[];
  /** Cells no candidate covers, in tender order. */
  uncoverableCells: MatchCell[];
  hasEligibleLead: boolean;
  /** Number of candidates that pass the lead tests. */
  eligibleLeads: number;
  /** Σ capacity over the whole pool. */
  poolCapacity: number;
  /**
   * Σ capacity of the M largest candidates that could join at all (cover a cell or can
   * lead): the most any consortium could reach.
   */
  capacityWithinMaxMembers: number;
  annualValue: number;
  maxMembers: number;
  /** Null when no candidate could be in any consortium (nobody covers a cell or can lead). */
  bestPartial: MatchPartial | null;
}

export interface MatchAnswer {
  feasible: boolean;
  proposals: MatchProposal[];
  gaps: MatchGaps | null;
}
