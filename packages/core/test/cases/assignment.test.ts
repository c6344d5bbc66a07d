import { describe, expect, it } from 'vitest';
import { type Assignment, assignmentSchema, parseAssignment, pickAgent } from '../../src/cases/index.js';
import { isRapportError } from '../../src/index.js';

const path = (input: unknown): string | undefined => {
  try {
    parseAssignment(input);
    return undefined;
  } catch (error) {
    if (!isRapportError(error, 'RAPPORT_INVALID_OPTIONS')) throw error;
    return error.jsonPath;
  }
};

describe('assignmentSchema', () => {
  it('accepts the three strategies', () => {
    expect(assignmentSchema.safeParse({ strategy: 'roundRobin', agents: ['a'] }).success).toBe(true);
    expect(assignmentSchema.safeParse({ strategy: 'capacity', agents: ['a', 'b'], maxOpen: 3 }).success).toBe(
      true,
    );
    expect(parseAssignment({ strategy: 'fixed', agent: 'a' })).toEqual({ strategy: 'fixed', agent: 'a' });
  });

  it('refuses bad input with a path', () => {
    expect(path({ strategy: 'roundRobin', agents: [] })).toBe('$.agents');
    expect(path({ strategy: 'roundRobin', agents: ['a', 'a'] })).toBe('$.agents');
    expect(path({ strategy: 'capacity', agents: ['a'], maxOpen: 0 })).toBe('$.maxOpen');
    expect(path({ strategy: 'capacity', agents: ['a'], maxOpen: 1.5 })).toBe('$.maxOpen');
    expect(path({ strategy: 'capacity', agents: ['a'] })).toBe('$.maxOpen');
    expect(path({ strategy: 'fixed', agent: '' })).toBe('$.agent');
    expect(path({ strategy: 'lottery' })).toBe('$.strategy');
    expect(path({ strategy: 'fixed', agent: 'a', extra: true })).toBe('$');
  });
});

describe('pickAgent', () => {
  it('roundRobin takes the agent after the last one, wrapping, and the first otherwise', () => {
    const rr: Assignment = { strategy: 'roundRobin', agents: ['ann', 'bob', 'cy'] };
    const next = (lastAssigned: string | null) => pickAgent(rr, { lastAssigned, openCounts: {} });
    expect(next(null)).toBe('ann');
    expect(next('ann')).toBe('bob');
    expect(next('bob')).toBe('cy');
    expect(next('cy')).toBe('ann');
    expect(next('someone-who-left')).toBe('ann');
    expect(
      pickAgent({ strategy: 'roundRobin', agents: ['solo'] }, { lastAssigned: 'solo', openCounts: {} }),
    ).toBe('solo');
  });

  it('capacity takes the least busy agent below maxOpen, ties in list order', () => {
    const cap: Assignment = { strategy: 'capacity', agents: ['ann', 'bob', 'cy'], maxOpen: 3 };
    const pick = (openCounts: Record<string, number>) => pickAgent(cap, { lastAssigned: 'ann', openCounts });
    expect(pick({})).toBe('ann');
    expect(pick({ ann: 1 })).toBe('bob');
    expect(pick({ ann: 2, bob: 1, cy: 1 })).toBe('bob');
    expect(pick({ ann: 3, bob: 3, cy: 2 })).toBe('cy');
    expect(pick({ ann: 3, bob: 4, cy: 3 })).toBeNull();
    // Counts for agents not in the list do not matter; inherited names are not counts.
    expect(pick({ dee: 0, ann: 2, bob: 2, cy: 2 })).toBe('ann');
    expect(
      pickAgent(
        { strategy: 'capacity', agents: ['constructor'], maxOpen: 1 },
        { lastAssigned: null, openCounts: {} },
      ),
    ).toBe('constructor');
  });

  it('fixed always takes its agent', () => {
    expect(
      pickAgent({ strategy: 'fixed', agent: 'ann' }, { lastAssigned: 'bob', openCounts: { ann: 99 } }),
    ).toBe('ann');
  });
});
