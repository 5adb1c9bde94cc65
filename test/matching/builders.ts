/** Small hand-built instances for behaviour tests. */
import type { MatchCell, MatchInstance, MatchOrg } from '../../src/core/matching/match.types.js';

export function org(id: string, fields: Partial<MatchOrg> = {}): MatchOrg {
  return {
    id,
    services: ['advice'],
    areas: ['Southmead'],
    home: 'Southmead',
    income: 50_000,
    canLead: false,
    accreditations: [],
    capacity: 20_000,
    activeBids: 0,
    partners: [],
    ...fields,
  };
}

export function lead(id: string, fields: Partial<MatchOrg> = {}): MatchOrg {
  return org(id, { income: 2_000_000, canLead: true, capacity: 500_000, ...fields });
}

export function instance(cells: MatchCell[], orgs: MatchOrg[], extra: Partial<MatchInstance> = {}, value = 300_000): MatchInstance {
  return {
    tender: { id: 'T1', annualValue: value, leadMinIncome: 1_000_000, maxMembers: 4, cells },
    orgs,
    ...extra,
  };
}
