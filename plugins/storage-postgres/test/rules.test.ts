import { createRapport, type RuleInput } from '@rapport/core';
import { message, T0 } from '@rapport/testkit';
import { describe, expect, it } from 'vitest';
import { postgresStorage } from '../src/index.js';
import { uniqueName, useTestDatabase } from './pg.js';

const db = useTestDatabase();
const MINUTE = 60_000;

const rules: RuleInput[] = [
  {
    id: 'open',
    name: 'Open a case',
    trigger: { event: 'interaction.received' },
    actions: [{ type: 'openCase' }],
  },
  {
    id: 'busy',
    name: 'Two messages within an hour',
    trigger: { event: 'interaction.received' },
    conditions: { aggregate: { fn: 'count', within: '1h' }, operator: 'greaterThanInclusive', value: 2 },
    actions: [
      { type: 'addToSegment', segment: 'busy' },
      { type: 'awardPoints', points: 3 },
    ],
  },
  {
    id: 'escalate',
    name: 'Escalate unanswered cases',
    trigger: { event: 'case.opened', after: '30m' },
    conditions: { not: { path: 'conversation.case.assignee', operator: 'exists' } },
    actions: [{ type: 'setPriority', priority: 'urgent' }],
  },
];

/** A process running the rules on one schema; its scheduler only runs the start-up pass here. */
function instance(schema: string, at: number) {
  return createRapport({
    storage: postgresStorage({ connectionString: db.url, schema, max: 4 }),
    clock: { now: () => new Date(at) },
    rules: { rules, timerPollMs: 3_600_000 },
  });
}

describe('rules on Postgres', () => {
  it('runs rules on ingest, with aggregates, and fires stored timers after a restart', async () => {
    const schema = uniqueName('rules');
    const first = instance(schema, T0 + 5 * MINUTE);
    await first.start();
    const ann = { actor: { externalId: 'ann@example.test' } };
    await first.ingest([message(1, ann), message(2, ann)]);
    await first.settle();
    const customerId = (await first.customers.findIdentity({
      channel: 'email',
      externalId: 'ann@example.test',
    }))!.customerId;
    expect(await first.segments.of(customerId)).toEqual(['busy']);
    expect((await first.scores.latest(customerId)).find((s) => s.name === 'points')?.value).toBe(3);
    expect((await first.rules.firings({ ruleId: 'open' })).items).toHaveLength(2);
    await first.stop();

    const second = instance(schema, T0 + 40 * MINUTE);
    await second.start();
    // The start-up pass fires what fell due while nothing ran; a second pass finds nothing left.
    expect(await second.rules.runTimers()).toBe(0);
    await second.settle();
    const conversations = (await second.conversations.list()).items;
    expect(conversations.map((c) => c.case?.priority)).toEqual(['urgent', 'urgent']);
    const escalations = (await second.rules.firings({ ruleId: 'escalate' })).items;
    expect(escalations.map((f) => f.trigger)).toEqual(['timer:case.opened', 'timer:case.opened']);
    await second.stop();
  });
});
