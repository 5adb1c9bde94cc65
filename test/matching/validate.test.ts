import { describe, expect, it } from 'vitest';
import { validateInstance } from '../../src/core/matching/match.engine.js';
import { instance, lead, org } from './builders.js';

const good = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify(instance([{ service: 'advice', area: 'Southmead' }], [lead('l'), org('a'), org('b')]))) as Record<
    string,
    unknown
  >;

function errorFor(mutate: (json: Record<string, unknown> & { orgs: Record<string, unknown>[]; tender: Record<string, unknown> }) => void): string {
  const json = good() as Parameters<typeof mutate>[0];
  mutate(json);
  const result = validateInstance(json);
  if (result.ok) throw new Error('expected a validation error');
  return result.error;
}

describe('validateInstance', () => {
  it('accepts a well-formed instance and keeps its fields', () => {
    const result = validateInstance(good());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.instance.orgs.map((o) => o.id)).toEqual(['l', 'a', 'b']);
  });

  it('names the field and the expected type in one line', () => {
    expect(errorFor((j) => (j.orgs[2]!.income = 'a lot'))).toBe('orgs[2].income must be a number');
    expect(errorFor((j) => (j.orgs[0]!.canLead = 'yes'))).toBe('orgs[0].canLead must be true or false');
    expect(errorFor((j) => (j.orgs[1]!.services = 'advice'))).toBe('orgs[1].services must be a list');
    expect(errorFor((j) => (j.tender.cells = [{ service: 'advice' }]))).toBe('tender.cells[0].area is missing');
  });

  it('reports missing fields and sections', () => {
    expect(errorFor((j) => delete j.orgs[1]!.capacity)).toBe('orgs[1].capacity is missing');
    expect(errorFor((j) => delete (j as Record<string, unknown>).tender)).toBe('tender is missing');
    expect(validateInstance(null)).toEqual({ ok: false, error: 'the instance must be an object' });
  });

  it('rejects values the model cannot use', () => {
    expect(errorFor((j) => (j.orgs[0]!.activeBids = 1.5))).toBe('orgs[0].activeBids must be a whole number');
    expect(errorFor((j) => (j.orgs[0]!.capacity = -1))).toBe('orgs[0].capacity must be at least 0');
    expect(errorFor((j) => (j.tender.cells = []))).toBe('tender.cells must have at least 1 item(s)');
    expect(errorFor((j) => (j.tender.maxMembers = 0))).toBe('tender.maxMembers must be at least 1');
    expect(errorFor((j) => (j.weights = { local: 2.5 }))).toBe('weights.local must be a whole number');
    expect(errorFor((j) => (j.orgs[1]!.id = ''))).toBe('orgs[1].id must not be empty');
  });

  it('rejects two organisations with the same id', () => {
    expect(errorFor((j) => (j.orgs[2]!.id = 'a'))).toBe('orgs[2].id "a" repeats orgs[1].id');
  });
});
