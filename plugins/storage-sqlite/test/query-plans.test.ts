import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/migrations.js';
import { outboxListingBits } from '../src/outbox.js';
import { firingBits, listingBits, ReadStatements, WriteStatements } from '../src/statements.js';

/**
 * Statements that walk a whole tenant on purpose (stats; the tenant row itself; every tenant;
 * conversation and rule firing listings without a customer or rule, which walk by recency and
 * stop at the page size).
 */
const tenantWide = new Set(['counts', 'accountCounts', 'tenantById', 'allTenants']);
for (let bits = 0; bits < 16; bits++)
  if (!(bits & listingBits.customer)) tenantWide.add(`listConversations(${bits})`);
for (let bits = 0; bits < 8; bits++)
  if (!(bits & (firingBits.rule | firingBits.customer))) tenantWide.add(`listRuleFirings(${bits})`);
// Outbox listings without a conversation or state walk the tenant by recency, and stop at the page size.
tenantWide.add('listOutbox(0)').add(`listOutbox(${outboxListingBits.cursor})`);

/** Case filter combinations of the conversation listing (see listingBits), each also with a customer and a cursor. */
const { hasCase, noCase, caseStatus, openCases, queue, assignee } = listingBits;
const caseListings = [
  hasCase,
  noCase,
  caseStatus,
  caseStatus | openCases,
  queue,
  assignee,
  hasCase | queue | assignee,
]
  .flatMap((bits) => [bits, bits | caseStatus | openCases | queue])
  .flatMap((bits) => [bits, bits | listingBits.customer, bits | listingBits.cursor]);
// Without a customer they walk the tenant by recency (or its open cases), checking the case of each.
for (const bits of caseListings)
  if (!(bits & listingBits.customer)) tenantWide.add(`listConversations(${bits})`);

/** The index each statement of the rule engine must use (and so never sort). */
const expectedIndexes: Record<string, RegExp> = {
  recentInteractions:
    /USING INDEX interactions_timeline \(tenant_id=\? AND customer_id=\? AND occurred_at>\? AND occurred_at<\?\)/,
  scanInteractionsFirst:
    /USING INDEX interactions_occurred \(tenant_id=\? AND occurred_at>\? AND occurred_at<\?\)/,
  scanInteractionsAfter:
    /USING INDEX interactions_occurred \(tenant_id=\? AND \(occurred_at,id\)>\(\?,\?\) AND occurred_at<\?\)/,
  segmentsOfCustomer: /USING (COVERING )?INDEX segment_members_customer \(tenant_id=\? AND customer_id=\?\)/,
  segmentMembersFirst: /USING PRIMARY KEY \(tenant_id=\? AND segment=\?\)/,
  segmentMembersAfter: /USING PRIMARY KEY \(tenant_id=\? AND segment=\? AND customer_id>\?\)/,
  ruleFiringsOfCustomer: /USING INDEX rule_firings_customer \(tenant_id=\? AND customer_id=\?\)/,
  dueTimers: /USING INDEX rule_timers_due \(tenant_id=\? AND due_at<\?\)/,
  'listRuleFirings(0)': /USING INDEX rule_firings_recent \(tenant_id=\?\)/,
  'listRuleFirings(1)': /USING INDEX rule_firings_rule \(tenant_id=\? AND rule_id=\?\)/,
  'listRuleFirings(2)': /USING INDEX rule_firings_customer \(tenant_id=\? AND customer_id=\?\)/,
  'listRuleFirings(3)': /USING INDEX rule_firings_customer \(tenant_id=\? AND customer_id=\?\)/,
  'listRuleFirings(4)': /USING INDEX rule_firings_recent \(tenant_id=\? AND \(fired_at,id\)<\(\?,\?\)\)/,
  'listRuleFirings(5)':
    /USING INDEX rule_firings_rule \(tenant_id=\? AND rule_id=\? AND \(fired_at,id\)<\(\?,\?\)\)/,
  'listRuleFirings(6)':
    /USING INDEX rule_firings_customer \(tenant_id=\? AND customer_id=\? AND \(fired_at,id\)<\(\?,\?\)\)/,
  'listRuleFirings(7)':
    /USING INDEX rule_firings_customer \(tenant_id=\? AND customer_id=\? AND \(fired_at,id\)<\(\?,\?\)\)/,
  removeSegmentMember: /USING PRIMARY KEY \(tenant_id=\? AND segment=\? AND customer_id=\?\)/,
  eraseSegmentMembers: /USING (COVERING )?INDEX segment_members_customer \(tenant_id=\? AND customer_id=\?\)/,
  eraseRuleFirings: /USING (COVERING )?INDEX rule_firings_customer \(tenant_id=\? AND customer_id=\?\)/,
  eraseTimers: /USING (COVERING )?INDEX rule_timers_customer \(tenant_id=\? AND subject_customer_id=\?\)/,
  updateRuleFiringActions: /USING INDEX sqlite_autoindex_rule_firings_1 \(tenant_id=\? AND id=\?\)/,
  deleteTimer: /USING INDEX sqlite_autoindex_rule_timers_1 \(tenant_id=\? AND id=\?\)/,
  outboxById: /USING INDEX sqlite_autoindex_outbox_1 \(tenant_id=\? AND id=\?\)/,
  outboxByKey: /USING INDEX outbox_key \(tenant_id=\? AND idempotency_key=\?\)/,
  dueOutbox: /USING INDEX outbox_due \(tenant_id=\? AND next_attempt_at<\?\)/,
  updateOutbox: /USING INDEX sqlite_autoindex_outbox_1 \(tenant_id=\? AND id=\?\)/,
  claimOutbox: /USING INDEX sqlite_autoindex_outbox_1 \(tenant_id=\? AND id=\?\)/,
  eraseOutbox: /USING (COVERING )?INDEX outbox_customer \(tenant_id=\? AND customer_id=\?\)/,
  channelStateValue: /USING PRIMARY KEY \(tenant_id=\? AND scope=\? AND key=\?\)/,
  deleteChannelState: /USING PRIMARY KEY \(tenant_id=\? AND scope=\? AND key=\?\)/,
  'listOutbox(0)': /USING INDEX outbox_recent \(tenant_id=\?\)/,
  'listOutbox(1)': /USING INDEX outbox_conversation \(tenant_id=\? AND conversation_id=\?\)/,
  'listOutbox(2)': /USING INDEX outbox_state \(tenant_id=\? AND state=\?\)/,
  'listOutbox(3)': /USING INDEX outbox_conversation \(tenant_id=\? AND conversation_id=\?\)/,
  'listOutbox(4)': /USING INDEX outbox_recent \(tenant_id=\? AND \(created_at,id\)<\(\?,\?\)\)/,
  'listOutbox(5)':
    /USING INDEX outbox_conversation \(tenant_id=\? AND conversation_id=\? AND \(created_at,id\)<\(\?,\?\)\)/,
  'listOutbox(6)': /USING INDEX outbox_state \(tenant_id=\? AND state=\? AND \(created_at,id\)<\(\?,\?\)\)/,
  'listOutbox(7)':
    /USING INDEX outbox_conversation \(tenant_id=\? AND conversation_id=\? AND \(created_at,id\)<\(\?,\?\)\)/,
};

function planOf(db: Database.Database, source: string): string {
  const names = [...new Set([...source.matchAll(/@(\w+)/g)].map((m) => m[1]!))];
  const statement = db.prepare(`EXPLAIN QUERY PLAN ${source}`);
  const rows = (
    names.length > 0
      ? statement.all(Object.fromEntries(names.map((n) => [n, 'x'])))
      : statement.all(...Array.from(source.matchAll(/\?/g), () => 'x'))
  ) as Array<{ detail: string }>;
  return rows.map((r) => r.detail).join('; ');
}

describe('query plans', () => {
  const db = new Database(':memory:');
  migrate(db);
  const reads = new ReadStatements(db);
  const writes = new WriteStatements(db);
  const statements: Array<[string, string]> = [];
  for (const set of [reads, writes, reads.outbox, writes.outbox]) {
    for (const [name, value] of Object.entries(set)) {
      if (value && typeof value === 'object' && 'source' in value && typeof value.source === 'string') {
        statements.push([name, value.source]);
      }
    }
  }
  for (let bits = 0; bits < 16; bits++)
    statements.push([`listConversations(${bits})`, reads.listConversations(bits).source]);
  for (let bits = 0; bits < 8; bits++)
    statements.push([`listRuleFirings(${bits})`, reads.listRuleFirings(bits).source]);
  for (let bits = 0; bits < 8; bits++)
    statements.push([`listOutbox(${bits})`, reads.outbox.listOutbox(bits).source]);
  for (const bits of caseListings)
    statements.push([`listConversations(${bits})`, reads.listConversations(bits).source]);

  it('covers the statements', () => {
    expect(statements.length).toBeGreaterThan(40);
    expect(listingBits.cursor).toBe(8);
    expect(firingBits.cursor).toBe(4);
    const names = new Set(statements.map(([name]) => name));
    for (const name of Object.keys(expectedIndexes)) expect(names, name).toContain(name);
  });

  it("lists open cases from their own index (sorting the few), a customer's from the customer index", () => {
    const source = (bits: number) => statements.find(([n]) => n === `listConversations(${bits})`)![1];
    for (const bits of caseListings.filter((b) => b & openCases)) {
      const expected =
        bits & listingBits.customer
          ? /USING INDEX conversations_customer \(tenant_id=\? AND customer_id=\?\)/
          : /USING INDEX conversations_open_cases \(tenant_id=\?\)/;
      expect(planOf(db, source(bits)), String(bits)).toMatch(expected);
    }
    for (const bits of caseListings.filter((b) => !(b & (openCases | listingBits.customer)))) {
      const plan = planOf(db, source(bits));
      expect(plan, String(bits)).toMatch(/USING INDEX conversations_recent \(tenant_id=\?/);
      expect(plan, String(bits)).not.toMatch(/USE TEMP B-TREE/);
    }
  });

  it.each(Object.entries(expectedIndexes))('%s uses its index, in order', (name, expected) => {
    const source = statements.find(([n]) => n === name)![1];
    const plan = planOf(db, source);
    expect(plan, plan).toMatch(expected);
    expect(plan, plan).not.toMatch(/USE TEMP B-TREE/);
  });

  it.each(statements.filter(([, source]) => !/^(BEGIN|COMMIT|ROLLBACK)/.test(source)))(
    '%s never scans a table',
    (name, source) => {
      const plan = planOf(db, source);
      // A SCAN step without an index reads every row of every tenant. Subquery and CTE results
      // (m, f, family) are the few rows already found.
      const fullScans = plan
        .split('; ')
        .filter((step) => /^SCAN \w+( AS \w+)?$/.test(step) && !/^SCAN (m|f|family)$/.test(step));
      expect(fullScans, plan).toEqual([]);
      if (!tenantWide.has(name)) {
        // Nor walks an index over a whole tenant.
        expect(plan, plan).not.toMatch(/SCAN \w+ USING/);
        expect(plan, plan).not.toMatch(/\(tenant_id=\?\)/);
      }
    },
  );
});
