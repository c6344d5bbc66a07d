import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadTwcs } from '@rapport/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QuickstartResult, runQuickstart, sampleFile } from '../src/quickstart.js';
import { renderSummary } from '../src/summary.js';

const tmp = mkdtempSync(join(tmpdir(), 'rapport-quickstart-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the quickstart summary', () => {
  let result: QuickstartResult;
  const batches: number[] = [];

  beforeAll(async () => {
    result = await runQuickstart({
      dbFile: join(tmp, 'quickstart.db'),
      onProgress: (p) => batches.push(p.processed),
    });
  });

  it('imports all 5,000 tweets, reporting progress on the way', () => {
    expect(result.imported.processed).toBe(5000);
    expect(result.imported.counts).toMatchObject({ created: 5000, rejected: 0 });
    expect(batches).toEqual([500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]);
  });

  it('counts the store, with the 76 brand accounts the sample has', () => {
    const { totals } = result.summary;
    expect(totals.interactions).toBe(5000);
    expect(totals.brandAccounts).toBe(76);
    expect(totals.customers).toBeGreaterThan(0);
    expect(totals.identities).toBeGreaterThanOrEqual(totals.customers);
    expect(totals.conversations).toBeGreaterThan(0);
  });

  it('lists the busiest accounts, most first', () => {
    const counts = result.summary.busiestAccounts.map((a) => a.interactions);
    expect(counts).toHaveLength(5);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    expect(result.summary.busiestAccounts[0]).toEqual({
      channel: 'twitter',
      account: 'ChipotleTweets',
      interactions: 442,
    });
  });

  it('runs rules.json on every interaction as it is imported', async () => {
    // Counted here independently of the engine, from the sample itself.
    let inbound = 0;
    let billing = 0;
    for await (const item of loadTwcs(sampleFile)) {
      if (item.direction !== 'inbound') continue;
      inbound++;
      if (/\b(refund|charged?|bill(ing)?|invoice)\b/i.test(item.text ?? '')) billing++;
    }
    const fired = Object.fromEntries(result.summary.rules.map((r) => [r.id, r.fired]));
    expect(fired['open-case']).toBe(inbound);
    expect(fired['billing-to-billing']).toBe(billing);
    expect(fired.impatient).toBeGreaterThan(0);
    const billingQueue = result.summary.queues.find((q) => q.queue === 'billing');
    expect(billingQueue?.cases).toBeGreaterThan(0);
    expect(billingQueue!.cases).toBeLessThanOrEqual(billing);
    const cases = result.summary.queues.reduce((n, q) => n + q.cases, 0);
    expect(cases).toBeLessThanOrEqual(result.summary.totals.conversations);
    expect(renderSummary(result.summary)).toContain('Rules (rules.json) fired');
  });

  it("tells the story of the longest conversation's customer, oldest first", () => {
    const story = result.summary.story!;
    expect(story).not.toBeNull();
    expect(story.conversation.customerId).toBe(story.customer.id);
    expect(story.identities.length).toBeGreaterThan(0);
    expect(story.identities.every((i) => i.customerId === story.customer.id)).toBe(true);
    expect(story.timeline.length).toBeGreaterThan(0);
    const times = story.timeline.map((i) => i.occurredAt.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(story.timeline.every((i) => i.customerId === story.customer.id)).toBe(true);
  });

  it('renders the headings and the numbers', () => {
    const text = renderSummary(result.summary);
    expect(text).toMatch(/^Totals\n/);
    expect(text).toMatch(/interactions\s+5,000/);
    expect(text).toMatch(/brand accounts\s+76/);
    expect(text).toContain('\nBusiest brand accounts\n');
    expect(text).toContain("\nOne customer's story\n");
    expect(text).toContain('Timeline, oldest first');
  });
});

describe('npm start', () => {
  it('runs the quickstart and prints the summary', async () => {
    const root = dirname(dirname(fileURLToPath(import.meta.url)));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    // What `npm start` runs (tsx with the source condition), with a temporary database.
    const child = spawn(
      process.execPath,
      ['--import', tsx, '--conditions=@rapport/source', 'src/main.ts', join(tmp, 'start.db')],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}5,000 interactions \(5,000 new, 0 rejected\)$/m);
    expect(stdout).toContain('Imported 5,000 interactions in');
    for (const heading of ['Totals', 'Busiest brand accounts', "One customer's story"]) {
      expect(stdout).toMatch(new RegExp(`^${heading}$`, 'm'));
    }
  });
});
