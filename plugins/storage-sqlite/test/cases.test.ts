import { createRapport, type RapportEvents } from '@rapport/core';
import { message, T0 } from '@rapport/testkit';
import { describe, expect, it } from 'vitest';
import { sqliteStorage } from '../src/index.js';
import { tempDb } from './fixtures.js';

const MINUTE = 60_000;
const policies = [{ id: 'fast', targets: { firstResponse: 'PT30M', resolution: 'PT8H' } }];

/** A desk process whose scheduler polls rarely: only its start-up pass fires here. */
function desk(filename: string, at: number) {
  return createRapport({
    storage: sqliteStorage({ filename }),
    clock: { now: () => new Date(at) },
    cases: { sla: policies },
    rules: { timerPollMs: 3_600_000 },
  });
}

describe('cases on SQLite', () => {
  it('an SLA breach that fell due while nothing ran fires at the next start, once, with the case intact', async () => {
    const filename = tempDb();
    const first = desk(filename, T0 + 2 * MINUTE);
    await first.start();
    await first.ingest([message(1)]);
    await first.settle();
    const [opened] = (await first.cases.list()).items;
    expect(opened?.case?.sla?.firstResponse?.dueAt).toEqual(new Date(T0 + MINUTE + 30 * MINUTE));
    await first.stop();

    const second = desk(filename, T0 + 45 * MINUTE);
    const breached = new Promise<RapportEvents['case.sla.breached']>((resolve) =>
      second.events.on('case.sla.breached', resolve),
    );
    await second.start();
    const event = await breached;
    expect(event.target).toBe('firstResponse');
    expect(event.dueAt).toEqual(new Date(T0 + 31 * MINUTE));
    const stored = await second.cases.get(opened!.id);
    expect(stored?.case?.sla?.firstResponse?.breachedAt).toEqual(new Date(T0 + 31 * MINUTE));
    expect(stored?.case?.sla?.resolution).toMatchObject({ metAt: null, breachedAt: null });
    expect(await second.rules.runTimers()).toBe(0);
    await second.stop();

    // The resolution target falls due later; a process started after it fires that one.
    const third = desk(filename, T0 + 10 * 60 * MINUTE);
    const later = new Promise<RapportEvents['case.sla.breached']>((resolve) =>
      third.events.on('case.sla.breached', resolve),
    );
    await third.start();
    expect((await later).target).toBe('resolution');
    await third.stop();
  });
});
