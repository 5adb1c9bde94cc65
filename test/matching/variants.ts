/** Seeded variations of generated instances that push the engine into its corners. */
import { generateInstance, rng } from '../../bench/match/generator.js';
import type { MatchInstance } from '../../src/core/matching/match.types.js';

export const VARIANTS = [
  'as-generated',
  'capacity-pressure',
  'uncoverable-cell',
  'no-eligible-lead',
  'two-members',
  'odd-weights',
  'dense-partners',
  'top-one',
  'top-ten',
  'rare-lead-accreditation',
  'repeated-cells',
  'clones-and-equal-capacity',
  'five-members',
] as const;
export type Variant = (typeof VARIANTS)[number];

/** A small instance (30 organisations, 12 cells, M = 4 unless the variant says otherwise). */
export function smallVariant(seed: number, variant: Variant, orgs = 30): MatchInstance {
  const inst = generateInstance({ orgs, grid: 3, tenderAreas: 3, tenderServices: 4, maxMembers: 4, value: [150_000, 600_000] }, seed);
  const rand = rng(seed * 31 + variant.length);
  const t = inst.tender;
  switch (variant) {
    case 'as-generated':
      break;
    case 'capacity-pressure': {
      // Around what the M largest could reach together, so some instances fall just short.
      const caps = inst.orgs.map((o) => o.capacity).sort((a, b) => b - a);
      const reach = caps.slice(0, t.maxMembers ?? 6).reduce((s, c) => s + c, 0);
      t.annualValue = Math.round(reach * (0.4 + rand() * 0.7));
      break;
    }
    case 'uncoverable-cell':
      t.cells.push({ service: 'space-travel', area: t.cells[0]!.area });
      break;
    case 'no-eligible-lead':
      t.leadMinIncome = 1e12;
      break;
    case 'two-members':
      t.maxMembers = 2;
      break;
    case 'odd-weights': {
      const w = (): number => Math.floor(rand() * 19) - 6;
      inst.weights = { local: w(), redundant: w(), small: w(), ties: w(), members: w(), busy: w() };
      if (rand() < 0.3) delete inst.weights.ties;
      break;
    }
    case 'dense-partners':
      for (const o of inst.orgs) {
        const links = 2 + Math.floor(rand() * 5);
        for (let i = 0; i < links; i++) {
          const p = inst.orgs[Math.floor(rand() * inst.orgs.length)]!;
          if (p !== o && !o.partners.includes(p.id)) o.partners.push(p.id);
        }
      }
      inst.weights = { ties: 6 };
      break;
    case 'top-one':
      inst.top = 1;
      break;
    case 'top-ten':
      inst.top = 10;
      break;
    case 'rare-lead-accreditation':
      t.leadAccreditations = ['ISO 9001'];
      break;
    case 'repeated-cells': {
      const c = t.cells[Math.floor(rand() * t.cells.length)]!;
      t.cells.push({ ...c });
      t.cells.push({ service: c.service, area: c.area, accreditation: 'Investing in Volunteers' });
      break;
    }
    case 'clones-and-equal-capacity': {
      for (const o of inst.orgs) o.capacity = 100_000;
      const extra = inst.orgs.slice(0, 4).map((o, i) => ({ ...o, id: `clone-${i}`, partners: [...o.partners] }));
      inst.orgs.splice(inst.orgs.length - 4, 4, ...extra);
      t.annualValue = 200_000;
      break;
    }
    case 'five-members':
      t.maxMembers = 5;
      inst.orgs.splice(22);
      break;
  }
  return inst;
}
