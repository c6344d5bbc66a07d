import { createRapport, type RuleInput } from '@rapport/core';
import { message, T0 } from '@rapport/testkit';
import { describe, expect, it } from 'vitest';
import { sqliteStorage } from '../src/index.js';
import { tempDb } from './fixtures.js';

const MINUTE = 60_000;

const rules: RuleInput[] = [
  {
    id: 'open',
    name: 'Open a case',
    trigger: { event: 'interaction.received' },
    actions: [{ type: 'openCase' }],
  },
  {
    id: 'escalate',
    name: 'Escalate unanswered cases',
    version: 2,
    trigger: { event: 'case.opened', after: '30m' },
    conditions: { not: { path: 'conversation.case.assignee', operator: 'exists' } },
    actions: [
      { type: 'setPriority', priority: 'urgent' },
      { type: 'tag', tag: 'waited' },
    ],
  },
];

/** A process running the rules; its scheduler polls rarely, so only the start-up pass fires here. */
function instance(filename: string, at: number) {
  return createRapport({
    storage: sqliteStorage({ filename }),
    clock: { now: () => new Date(at) },
    rules: { rules, timerPollMs: 3_600_000 },
  });
}

describe('rules on SQLite', () => {
  it('keeps timers in the store: they fire after a restart, once', async () => {
    const filename = tempDb();
    const first = instance(filename, T0 + MINUTE);
    await first.start();
    await first.ingest([message(1)]);
    await first.settle();
    await first.stop();

    // A process opened without rules (a CLI command) neither fires nor drops the timer.
    const reader = createRapport({
      storage: sqliteStorage({ filename }),
      clock: { now: () => new Date(T0 + 40 * MINUTE) },
    });
    await reader.start();
    await reader.stats();
    await reader.stop();

    // A new process, 31 minutes later: start() fires what fell due while nothing ran.
    const second = instance(filename, T0 + 32 * MINUTE);
    const fired = new Promise<string>((resolve) =>
      second.events.on('rule.fired', ({ firing }) => resolve(firing.ruleId)),
    );
    await second.start();
    expect(await fired).toBe('escalate');
    await second.settle();
    const [conversation] = (await second.conversations.list()).items;
    expect(conversation!.case).toMatchObject({ priority: 'urgent', assignee: null });
    const [firing] = (await second.rules.firings({ ruleId: 'escalate' })).items;
    expect(firing).toMatchObject({ ruleVersion: 2, trigger: 'timer:case.opened' });
    expect(firing!.actions.map((a) => a.status)).toEqual(['applied', 'applied']);
    expect(await second.rules.runTimers()).toBe(0);
    await second.stop();

    const third = instance(filename, T0 + 90 * MINUTE);
    await third.start();
    expect(await third.rules.runTimers()).toBe(0);
    expect((await third.rules.firings({ ruleId: 'escalate' })).items).toHaveLength(1);
    await third.stop();
  });

  it('backtests stored history', async () => {
    const filename = tempDb();
    const rapport = createRapport({ storage: sqliteStorage({ filename }), rules: { timerPollMs: 0 } });
    await rapport.start();
    await rapport.ingest(
      [1, 2, 3, 4].map((n) => message(n, { text: n % 2 === 0 ? 'refund please' : 'thanks' })),
    );
    const report = await rapport.rules.backtest({
      rules: [
        {
          id: 'refund',
          name: 'Refunds',
          trigger: { event: 'interaction.received' },
          conditions: {
            path: 'interaction.text',
            operator: 'matches',
            value: { pattern: 'refund', flags: 'i' },
          },
          actions: [{ type: 'tag', tag: 'refund' }],
        },
      ],
    });
    expect(report.evaluated).toBe(4);
    expect(report.rules[0]).toMatchObject({ id: 'refund', fired: 2, rate: 0.5 });
    // A dry run: nothing was written.
    expect((await rapport.rules.firings()).items).toEqual([]);
    await rapport.stop();
  });
});
