import { z } from 'zod';
import { validationError } from '../errors/validation.js';

const agentId = z.string().min(1);
const agentList = z
  .array(agentId)
  .min(1)
  .refine((agents) => new Set(agents).size === agents.length, { message: 'an agent is listed twice' });

/**
 * How new cases get an assignee.
 *
 * - `roundRobin`: the agents in turn, each case to the agent after the one assigned last.
 * - `capacity`: the agent with the fewest open cases, as long as that is below `maxOpen`.
 * - `fixed`: always the same agent.
 */
export const assignmentSchema = z.discriminatedUnion('strategy', [
  z.strictObject({ strategy: z.literal('roundRobin'), agents: agentList }),
  z.strictObject({ strategy: z.literal('capacity'), agents: agentList, maxOpen: z.number().int().min(1) }),
  z.strictObject({ strategy: z.literal('fixed'), agent: agentId }),
]);

/** An assignment strategy; see {@link assignmentSchema}. */
export type Assignment = z.output<typeof assignmentSchema>;

/**
 * Checks an assignment strategy, or throws `RAPPORT_INVALID_OPTIONS` with the path of the first
 * problem and a hint.
 */
export function parseAssignment(input: unknown): Assignment {
  const parsed = assignmentSchema.safeParse(input);
  if (!parsed.success) {
    throw validationError('RAPPORT_INVALID_OPTIONS', 'assignment', parsed.error, {
      strategy: 'use "roundRobin", "capacity" or "fixed"',
      agents: 'list at least one agent id, each once',
      maxOpen: 'give the most open cases an agent may hold, a whole number of 1 or more',
      agent: 'give the id of the agent who takes every case',
    });
  }
  return parsed.data;
}

/** What {@link pickAgent} knows about the team right now. */
export interface AssignmentContext {
  /** The agent the previous case went to (round robin continues after them). */
  lastAssigned: string | null;
  /** Open cases per agent; an agent left out has none. */
  openCounts: Readonly<Record<string, number>>;
}

/**
 * The agent a new case goes to, or null when nobody can take it.
 *
 * - `roundRobin`: the agent listed after `lastAssigned`, wrapping to the first; the first agent
 *   when `lastAssigned` is null or no longer listed.
 * - `capacity`: among agents with fewer than `maxOpen` open cases, the one with the fewest; ties
 *   go to the agent listed first. Null when every agent is full.
 * - `fixed`: that agent.
 */
export function pickAgent(assignment: Assignment, context: AssignmentContext): string | null {
  switch (assignment.strategy) {
    case 'fixed':
      return assignment.agent;
    case 'roundRobin': {
      const { agents } = assignment;
      if (agents.length === 0) return null;
      const last = context.lastAssigned === null ? -1 : agents.indexOf(context.lastAssigned);
      return agents[(last + 1) % agents.length] ?? null;
    }
    case 'capacity': {
      let best: string | null = null;
      let bestCount = Number.POSITIVE_INFINITY;
      for (const agent of assignment.agents) {
        const count = Object.hasOwn(context.openCounts, agent) ? (context.openCounts[agent] ?? 0) : 0;
        if (count < assignment.maxOpen && count < bestCount) {
          best = agent;
          bestCount = count;
        }
      }
      return best;
    }
    default:
      return null;
  }
}
