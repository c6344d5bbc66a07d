import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleExplanation } from '@rapport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerShowReport, RuleFileValidation, RulesTestReport } from '../src/index.js';
import { rapport, rapportJson, repoRoot, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const exampleRules = join(repoRoot, 'examples/rules/support.rules.json');

const rules = [
  {
    id: 'refunds',
    name: 'Refunds',
    priority: 10,
    trigger: { event: 'interaction.received' },
    conditions: {
      all: [
        { path: 'interaction.direction', operator: 'equal', value: 'inbound' },
        { path: 'interaction.text', operator: 'matches', value: { pattern: 'refund', flags: 'i' } },
      ],
    },
    actions: [{ type: 'tag', tag: 'refund' }],
  },
  {
    id: 'gold',
    name: 'Gold customers',
    trigger: { event: 'interaction.received' },
    conditions: { path: 'customer.attributes.tier', operator: 'equal', value: 'gold' },
    actions: [{ type: 'tag', tag: 'vip' }],
  },
  {
    id: 'busy',
    name: 'Three messages in a day',
    trigger: { event: 'interaction.received' },
    conditions: {
      aggregate: {
        fn: 'count',
        within: '24h',
        where: { path: 'direction', operator: 'equal', value: 'inbound' },
      },
      operator: 'greaterThanInclusive',
      value: 3,
    },
    actions: [{ type: 'openCase', priority: 'high' }],
  },
  {
    id: 'fresh',
    name: 'Answered within the hour',
    priority: -1,
    trigger: { event: 'interaction.received' },
    conditions: { path: 'interaction.occurredAt', operator: 'withinLast', value: '1h' },
    actions: [{ type: 'tag', tag: 'fresh' }],
  },
  {
    id: 'dormant',
    name: 'Dormant',
    trigger: { inactiveFor: '90d' },
    actions: [{ type: 'addToSegment', segment: 'dormant' }],
  },
];

/** An inbound message in the InteractionInput format, as `rapport import --format jsonl` reads it. */
const message = (externalId: string, actor: string, occurredAt: string, text: string, fields = {}) => ({
  channel: 'mastodon',
  account: '@acme',
  externalId,
  direction: 'inbound',
  kind: 'message',
  text,
  occurredAt,
  actor: { externalId: actor, handle: actor },
  ...fields,
});

const interactions = [
  message('1', 'ann', '2024-05-01T10:00:00Z', 'I want a refund'),
  message('2', 'ann', '2024-05-01T11:00:00Z', 'where is my order?'),
  message('3', 'bob', '2024-05-01T12:00:00Z', 'Refund please!'),
  message('4', 'ann', '2024-05-01T13:00:00Z', 'hello?'),
  message('5', 'ann', '2024-05-03T10:00:00Z', 'still no refund?'),
];

/**
 * Interactions, two bad lines, a facts line (a gold customer, which plain interactions cannot
 * express) and a blank line.
 */
const replayLines = [
  JSON.stringify(interactions[0]),
  JSON.stringify(interactions[1]),
  'not json',
  JSON.stringify(interactions[2]),
  JSON.stringify(interactions[3]),
  JSON.stringify(message('6', 'carl', '2024-05-01T13:30:00Z', 'hi', { direction: 'sideways' })),
  JSON.stringify({
    interaction: {
      direction: 'inbound',
      text: 'REFUND now, this is unacceptable',
      occurredAt: '2024-05-01T14:00:00Z',
      score: { sentiment: -0.8 },
    },
    customer: { id: 'c-9', attributes: { tier: 'gold' } },
  }),
  '',
  JSON.stringify(interactions[4]),
];

const rulesFile = join(tmp.dir, 'rules.json');
const replayFile = join(tmp.dir, 'replay.jsonl');
const db = join(tmp.dir, 'crm.db');

beforeAll(async () => {
  writeFileSync(rulesFile, JSON.stringify({ rules }, null, 2));
  writeFileSync(replayFile, `${replayLines.join('\n')}\n`);
  const clean = join(tmp.dir, 'clean.jsonl');
  writeFileSync(clean, `${interactions.map((i) => JSON.stringify(i)).join('\n')}\n`);
  const run = await rapport(['import', clean, '--format', 'jsonl', '--db', db, '--no-progress']);
  expect(run.code).toBe(0);
});

const fired = (report: RulesTestReport) =>
  Object.fromEntries(report.rules.map((r) => [r.id, r.replayed ? r.fired : 'not replayed']));

describe('rapport rules validate', () => {
  it('lists the rules in evaluation order with trigger and priority', async () => {
    const run = await rapport(['rules', 'validate', rulesFile]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`✓ 5 rules valid in ${rulesFile}`);
    const rows = run.stdout.trim().split('\n').slice(1);
    expect(rows.map((r) => r.trim().split(/\s{2,}/))).toEqual([
      ['id', 'trigger', 'priority'],
      ['refunds', 'interaction.received', '10'],
      ['busy', 'interaction.received', '0'],
      ['dormant', 'inactiveFor 90d', '0'],
      ['gold', 'interaction.received', '0'],
      ['fresh', 'interaction.received', '-1'],
    ]);
  });

  it('prints every problem with its JSON path and hint, and exits 1', async () => {
    const bad = join(tmp.dir, 'bad.rules.json');
    writeFileSync(
      bad,
      JSON.stringify([
        {
          id: 'a',
          name: 'A',
          trigger: { event: 'interaction.received' },
          conditions: { all: [{ path: 'interaction.text', operator: 'equals', value: 'x' }] },
          actions: [{ type: 'tag', tag: 'x' }],
        },
        {
          id: 'b',
          name: 'B',
          trigger: { event: 'case.opened', after: '30 minutes' },
          actions: [{ type: 'tagg', tag: 'x' }],
        },
      ]),
    );
    const run = await rapport(['rules', 'validate', bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✗ 3 problems in ${bad}\n`);
    expect(run.stdout).toContain(
      '$[0].conditions.all[0].operator  unknown operator "equals"\n    hint: use one of: equal, notEqual,',
    );
    expect(run.stdout).toContain('$[1].trigger.after  "30 minutes" is not a duration');
    expect(run.stdout).toContain(
      '$[1].actions[0].type  unknown action type "tagg"\n    hint: use one of: tag, untag,',
    );

    const json = await rapportJson<Extract<RuleFileValidation, { ok: false }>>(['rules', 'validate', bad]);
    expect(json.code).toBe(1);
    expect(json.ok).toBe(false);
    expect(json.issues.map((i) => i.jsonPath)).toEqual([
      '$[0].conditions.all[0].operator',
      '$[1].trigger.after',
      '$[1].actions[0].type',
    ]);
    for (const issue of json.issues) expect(issue.hint).toEqual(expect.any(String));
  });

  it('explains a file that is not a rule file', async () => {
    const notRules = join(tmp.dir, 'not-rules.json');
    writeFileSync(notRules, '{ "rule": [] }');
    const run = await rapport(['rules', 'validate', notRules]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '$  a rule file is an array of rules or an object with a `rules` array\n    hint:',
    );
  });

  it('exits 2 when the file is missing or not JSON', async () => {
    const missing = await rapport(['rules', 'validate', join(tmp.dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`error: No such file: ${join(tmp.dir, 'missing.json')}`);
    expect(missing.stderr).toContain('  hint: ');

    const broken = join(tmp.dir, 'broken.json');
    writeFileSync(broken, '[\n  { "id": "a", }\n]\n');
    const run = await rapport(['rules', 'validate', broken]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^error: ${broken} is not valid JSON \\(line 2, column \\d+\\): `));
    const json = await rapportJson<{ error: { code: string } }>(['rules', 'validate', broken]);
    expect(json.code).toBe(2);
    expect(json.error.code).toBe('CLI_INVALID_JSON');
  });

  it('passes the example support rules, which a backtest replays in part', async () => {
    const validation = await rapportJson<Extract<RuleFileValidation, { ok: true }>>([
      'rules',
      'validate',
      exampleRules,
    ]);
    expect(validation.code).toBe(0);
    expect(validation.rules.map((r) => [r.id, r.trigger])).toEqual([
      ['escalate-vip-complaints', 'interaction.received'],
      ['negative-streak', 'interaction.received'],
      ['tag-refund-requests', 'interaction.received'],
      ['award-points-for-contributions', 'interaction.received'],
      ['dormant-customers', 'inactiveFor 90d'],
      ['open-case-for-inbound-messages', 'interaction.received'],
      ['urgent-if-unassigned', 'case.opened after 30m'],
    ]);

    const report = await rapportJson<RulesTestReport>([
      'rules',
      'test',
      exampleRules,
      '--against',
      replayFile,
    ]);
    expect(report.code).toBe(0);
    expect(fired(report)).toEqual({
      'escalate-vip-complaints': 1,
      'negative-streak': 0,
      'tag-refund-requests': 4,
      'award-points-for-contributions': 0,
      'dormant-customers': 'not replayed',
      'open-case-for-inbound-messages': 5,
      'urgent-if-unassigned': 'not replayed',
    });
  });
});

describe('rapport rules test --against a .jsonl file', () => {
  it('replays every line and counts the firings of each rule', async () => {
    const report = await rapportJson<RulesTestReport>(['rules', 'test', rulesFile, '--against', replayFile]);
    expect(report.code).toBe(0);
    expect(report).toMatchObject({
      ok: true,
      file: rulesFile,
      against: replayFile,
      source: 'jsonl',
      event: 'interaction.received',
      evaluated: 6,
      rejectedCount: 2,
      firstAt: '2024-05-01T10:00:00.000Z',
      lastAt: '2024-05-03T10:00:00.000Z',
      from: null,
      to: null,
    });
    expect(report.tenant).toBeUndefined();
    // Interactions from `rapport import` format have no customer attributes: only the facts line is gold.
    expect(fired(report)).toEqual({ refunds: 4, busy: 1, dormant: 'not replayed', gold: 1, fresh: 6 });
    const refunds = report.rules.find((r) => r.id === 'refunds')!;
    expect(refunds.rate).toBeCloseTo(4 / 6);
    expect(refunds.samples).toEqual([
      { ref: 'line 1', at: '2024-05-01T10:00:00.000Z', customerKey: 'mastodon:ann' },
      { ref: 'line 4', at: '2024-05-01T12:00:00.000Z', customerKey: 'mastodon:bob' },
      { ref: 'line 7', at: '2024-05-01T14:00:00.000Z', customerKey: 'c-9' },
      { ref: 'line 9', at: '2024-05-03T10:00:00.000Z', customerKey: 'mastodon:ann' },
    ]);
    // Ann's third message within 24 hours.
    expect(report.rules.find((r) => r.id === 'busy')!.samples.map((s) => s.ref)).toEqual(['line 5']);
    expect(report.rejected).toEqual([
      {
        ref: 'line 3',
        code: 'RAPPORT_INVALID_INPUT',
        path: '$',
        message: expect.any(String),
        hint: expect.any(String),
      },
      {
        ref: 'line 6',
        code: 'RAPPORT_INVALID_INTERACTION',
        path: '$.direction',
        message: expect.stringContaining('line 6'),
        hint: expect.stringContaining('inbound'),
      },
    ]);
  });

  it('prints a table per rule, the samples and the rejected lines', async () => {
    const run = await rapport(['rules', 'test', rulesFile, '--against', replayFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Backtest of ${rulesFile} against ${replayFile} (JSON lines), dry run`);
    expect(run.stdout).toContain(
      '6 interactions evaluated, 2024-05-01 10:00:00 UTC to 2024-05-03 10:00:00 UTC, 2 rejected',
    );
    expect(run.stdout).toMatch(/id\s+version\s+trigger\s+fired\s+rate\s+replayed\n/);
    expect(run.stdout).toMatch(/refunds\s+v1\s+interaction\.received\s+4\s+66\.7%\s+yes\n/);
    expect(run.stdout).toMatch(/busy\s+v1\s+interaction\.received\s+1\s+16\.7%\s+yes\n/);
    expect(run.stdout).toMatch(/dormant\s+v1\s+inactiveFor 90d\s+—\s+—\s+no\n/);
    expect(run.stdout).toMatch(
      /Samples.*\n\s+refunds\n\s+line 1\s+2024-05-01 10:00:00 UTC\s+customer mastodon:ann\n/,
    );
    expect(run.stdout).toContain('Rejected items: 2 (first 2; not evaluated)');
    expect(run.stdout).toMatch(/line 3\s+RAPPORT_INVALID_INPUT\s+\$\s+Line 3 is not JSON/);
    expect(run.stdout).toMatch(/line 6\s+RAPPORT_INVALID_INTERACTION\s+\$\.direction\s+/);
  });

  it('keeps to --from and --to, and lists --samples firings per rule', async () => {
    const report = await rapportJson<RulesTestReport>([
      'rules',
      'test',
      rulesFile,
      '--against',
      replayFile,
      '--from',
      '2024-05-01T12:00:00Z',
      '--to',
      '2024-05-02',
      '--samples',
      '1',
    ]);
    expect(report).toMatchObject({
      evaluated: 3,
      rejectedCount: 2,
      from: '2024-05-01T12:00:00.000Z',
      to: '2024-05-02T00:00:00.000Z',
    });
    // Ann has only one message in the range now, so `busy` does not fire.
    expect(fired(report)).toEqual({ refunds: 2, busy: 0, dormant: 'not replayed', gold: 1, fresh: 3 });
    expect(report.rules.find((r) => r.id === 'refunds')!.samples.map((s) => s.ref)).toEqual(['line 4']);
  });

  it('refuses invalid rules (exit 1), a missing file (exit 2) and bad options', async () => {
    const bad = join(tmp.dir, 'invalid.rules.json');
    writeFileSync(
      bad,
      JSON.stringify([
        { id: 'x', name: 'X', trigger: { inactiveFor: 'soon' }, actions: [{ type: 'tag', tag: 'x' }] },
      ]),
    );
    const invalid = await rapport(['rules', 'test', bad, '--against', replayFile]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('$[0].trigger.inactiveFor  "soon" is not a duration');
    expect(invalid.stdout).not.toContain('Backtest');

    const missing = await rapport(['rules', 'test', rulesFile, '--against', join(tmp.dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`error: No such file: ${join(tmp.dir, 'nope.jsonl')}`);

    const json = await rapport(['rules', 'test', rulesFile, '--against', rulesFile]);
    expect(json.code).toBe(1);
    expect(json.stderr).toContain(`error: ${rulesFile} is neither a .jsonl file nor a store`);

    const noAgainst = await rapport(['rules', 'test', rulesFile]);
    expect(noAgainst.code).toBe(1);
    expect(noAgainst.stderr).toContain("option '--against <store-or-jsonl>' is required");

    const range = await rapport([
      'rules',
      'test',
      rulesFile,
      '--against',
      replayFile,
      '--from',
      '2024-05-02',
      '--to',
      '2024-05-01',
    ]);
    expect(range.code).toBe(1);
    expect(range.stderr).toContain("option '--to <date>' must be later than --from");

    const local = await rapport([
      'rules',
      'test',
      rulesFile,
      '--against',
      replayFile,
      '--from',
      '2024-05-01T12:00',
    ]);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain("option '--from <date>' must be an ISO 8601 date");
  });
});

describe('rapport rules test --against a store', () => {
  it('replays the stored interactions oldest first', async () => {
    const report = await rapportJson<RulesTestReport>(['rules', 'test', rulesFile, '--against', db]);
    expect(report.code).toBe(0);
    expect(report).toMatchObject({
      source: 'store',
      against: db,
      tenant: 'default',
      evaluated: 5,
      rejectedCount: 0,
      firstAt: '2024-05-01T10:00:00.000Z',
      lastAt: '2024-05-03T10:00:00.000Z',
    });
    expect(fired(report)).toEqual({ refunds: 3, busy: 1, dormant: 'not replayed', gold: 0, fresh: 5 });
    // Samples name stored interactions and customers by id.
    const [sample] = report.rules.find((r) => r.id === 'busy')!.samples;
    expect(sample).toEqual({
      ref: expect.any(String),
      at: '2024-05-01T13:00:00.000Z',
      customerKey: expect.any(String),
    });

    const run = await rapport(['rules', 'test', rulesFile, '--against', db, '--to', '2024-05-02']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`against ${db}, tenant default`);
    expect(run.stdout).toMatch(
      /4 interactions evaluated, .* \(--from … --to 2024-05-02 00:00:00 UTC\), 0 rejected/,
    );
    expect(run.stdout).toMatch(/refunds\s+v1\s+interaction\.received\s+2\s+50\.0%\s+yes\n/);
  });

  it('says when the store does not exist', async () => {
    const run = await rapport(['rules', 'test', rulesFile, '--against', join(tmp.dir, 'nope.db')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: No database at ${join(tmp.dir, 'nope.db')}`);
  });
});

describe('rapport rules explain --facts', () => {
  const facts = join(tmp.dir, 'facts.json');
  beforeAll(() =>
    writeFileSync(
      facts,
      JSON.stringify({
        interaction: { direction: 'inbound', text: 'Refund!', occurredAt: '2024-05-01T10:00:00Z' },
        customer: { id: 'c-1', attributes: { tier: 'silver' } },
      }),
    ),
  );

  it('prints every condition and exits 0 when the rule passes', async () => {
    const run = await rapport(['rules', 'explain', rulesFile, '--rule', 'refunds', '--facts', facts]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'PASS refunds v1 "Refunds" on interaction.received',
        '  ✓ all  $.rules[0].conditions',
        '    ✓ interaction.direction equal "inbound"  saw "inbound"  $.rules[0].conditions.all[0]',
        '    ✓ interaction.text matches {"pattern":"refund","flags":"i"}  saw "Refund!"  $.rules[0].conditions.all[1]',
        '  actions: tag',
        '',
      ].join('\n'),
    );
  });

  it('exits 3 when it fails, with the explanation as JSON on --json', async () => {
    const run = await rapport(['rules', 'explain', rulesFile, '--rule', 'gold', '--facts', facts]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('FAIL gold v1 "Gold customers" on interaction.received');
    expect(run.stdout).toContain('✗ customer.attributes.tier equal "gold"  saw "silver"');

    const json = await rapportJson<RuleExplanation>([
      'rules',
      'explain',
      rulesFile,
      '--rule',
      'gold',
      '--facts',
      facts,
    ]);
    expect(json.code).toBe(3);
    expect(json).toMatchObject({
      ruleId: 'gold',
      passed: false,
      conditions: { type: 'fact', passed: false, expected: 'gold', actual: 'silver' },
      actions: ['tag'],
    });
  });

  it('evaluates at --now', async () => {
    const args = ['rules', 'explain', rulesFile, '--rule', 'fresh', '--facts', facts];
    const then = await rapport([...args, '--now', '2024-05-01T10:30:00Z']);
    expect(then.code).toBe(0);
    expect(then.stdout).toContain('✓ interaction.occurredAt withinLast "1h"');
    // Without --now it is evaluated at the current time, long after the message.
    expect((await rapport(args)).code).toBe(3);
  });

  it('refuses an unknown rule, a missing facts file and a wrong combination of options', async () => {
    const unknown = await rapport(['rules', 'explain', rulesFile, '--rule', 'nope', '--facts', facts]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`error: No rule "nope" in ${rulesFile}`);
    expect(unknown.stderr).toContain('hint: use one of: refunds, busy, dormant, gold, fresh');

    const missing = await rapport(['rules', 'explain', rulesFile, '--rule', 'gold', '--facts', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: No such file:');

    const neither = await rapport(['rules', 'explain', rulesFile, '--rule', 'gold']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain("option '--facts <facts.json>' or '--interaction <id>'");

    const both = await rapport([
      'rules',
      'explain',
      rulesFile,
      '--rule',
      'gold',
      '--facts',
      facts,
      '--interaction',
      'x',
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("option '--interaction <id>' cannot be used with --facts");

    const noStore = await rapport(['rules', 'explain', rulesFile, '--rule', 'gold', '--interaction', 'x']);
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toContain("option '--against <store>' is required with --interaction");

    const noRule = await rapport(['rules', 'explain', rulesFile, '--facts', facts]);
    expect(noRule.code).toBe(1);
    expect(noRule.stderr).toContain("option '--rule <id>' is required");
  });
});

describe('rapport rules explain --interaction', () => {
  /** Ann's stored interactions, by text. */
  const ids = new Map<string, string>();

  beforeAll(async () => {
    const profile = await rapportJson<CustomerShowReport>(['customers', 'show', 'mastodon:ann', '--db', db]);
    for (const interaction of profile.recent) ids.set(interaction.text!, interaction.id);
    expect(ids.size).toBe(4);
  });

  const explain = (rule: string, text: string, ...more: string[]) =>
    rapport([
      'rules',
      'explain',
      rulesFile,
      '--rule',
      rule,
      '--interaction',
      ids.get(text)!,
      '--against',
      db,
      ...more,
    ]);

  it("reads the stored facts and the customer's history, as of the interaction's time", async () => {
    const third = await explain('busy', 'hello?');
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('PASS busy v1 "Three messages in a day" on interaction.received');
    expect(third.stdout).toContain(
      '✓ count(interactions within 24h) = 3 greaterThanInclusive 3  (3 matched)',
    );

    const first = await explain('busy', 'I want a refund');
    expect(first.code).toBe(3);
    expect(first.stdout).toContain('(1 matched)');
  });

  it('exits 0 or 3 on the stored text, and refuses --now and unknown interactions', async () => {
    expect((await explain('refunds', 'still no refund?')).code).toBe(0);
    const order = await explain('refunds', 'where is my order?');
    expect(order.code).toBe(3);
    expect(order.stdout).toContain(
      '✗ interaction.text matches {"pattern":"refund","flags":"i"}  saw "where is my order?"',
    );

    const now = await explain('refunds', 'hello?', '--now', '2024-05-01T10:00:00Z');
    expect(now.code).toBe(1);
    expect(now.stderr).toContain("option '--now <date>' is only for --facts");

    const unknown = await rapport([
      'rules',
      'explain',
      rulesFile,
      '--rule',
      'refunds',
      '--interaction',
      'nope',
      '--against',
      db,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: No interaction nope in tenant default');
  });
});
