import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/migrations.js';
import { listingBits, ReadStatements, WriteStatements } from '../src/statements.js';

/**
 * Statements that walk a whole tenant on purpose (stats; the tenant row itself; conversation
 * listings without a customer, which walk by recency and stop at the page size).
 */
const tenantWide = new Set(['counts', 'accountCounts', 'tenantById']);
for (let bits = 0; bits < 16; bits++)
  if (!(bits & listingBits.customer)) tenantWide.add(`listConversations(${bits})`);

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
  for (const set of [reads, writes]) {
    for (const [name, value] of Object.entries(set)) {
      if (value && typeof value === 'object' && 'source' in value && typeof value.source === 'string') {
        statements.push([name, value.source]);
      }
    }
  }
  for (let bits = 0; bits < 16; bits++)
    statements.push([`listConversations(${bits})`, reads.listConversations(bits).source]);

  it('covers the statements', () => {
    expect(statements.length).toBeGreaterThan(40);
    expect(listingBits.cursor).toBe(8);
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
