import { join } from 'node:path';
import { migrations } from '@rapport/storage-postgres';
import { createTestDatabase, type TestDatabase } from '@rapport/testkit/postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MigrateReport, redactUrl, type StatsReport } from '../src/index.js';
import { rapport, rapportJson, repoRoot, tempDir, twcsFixture } from './helpers.js';

/** The schema version this release migrates to. */
const LATEST = migrations.length;

// A database of this file's own in the Postgres of the run (RAPPORT_TEST_PG_URL, or embedded).
let database: TestDatabase;
let url: string;
const tmp = tempDir();
const sqliteDb = join(tmp.dir, 'crm.db');

beforeAll(async () => {
  database = await createTestDatabase(inject('pgAdminUrl'), 'rapport_cli_test');
  url = database.url;
  const run = await rapport(['import', twcsFixture, '--format', 'twcs', '--storage', url, '--no-progress']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`into ${redactUrl(url)}, tenant default`);
  expect(run.stdout).toMatch(/created\s+5,000/);
  // The same data in SQLite, to compare with.
  const sqlite = await rapport([
    'import',
    twcsFixture,
    '--format',
    'twcs',
    '--db',
    sqliteDb,
    '--no-progress',
  ]);
  expect(sqlite.code).toBe(0);
});

afterAll(async () => {
  tmp.cleanup();
  await database?.drop();
});

describe('--storage postgres://', () => {
  it('imports into Postgres: the same stats as the SQLite store', async () => {
    const onPostgres = await rapportJson<StatsReport>(['stats', '--storage', url]);
    const onSqlite = await rapportJson<StatsReport>(['stats', '--db', sqliteDb]);
    expect(onPostgres.code).toBe(0);
    expect(onPostgres.db).toBe(redactUrl(url));
    expect(onPostgres.interactions).toBe(5000);
    const { db: _p, ...postgresStats } = onPostgres;
    const { db: _s, ...sqliteStats } = onSqlite;
    expect(postgresStats).toEqual(sqliteStats);
  });

  it('compares models in the lab on the store, as on the SQLite store', async () => {
    type Report = {
      manifest: { dataset: { loader: string } };
      dataset: { customers: number };
      agreement: Array<{ spearman: number }>;
    };
    const args = ['lab', 'compare', '--models', 'activity,engagement', '--resamples', '0'];
    const onPostgres = await rapportJson<Report>([...args, '--dataset', url]);
    const onSqlite = await rapportJson<Report>([...args, '--dataset', `sqlite:${sqliteDb}`]);
    expect(onPostgres.code).toBe(0);
    expect(onPostgres.manifest.dataset.loader).toBe('postgres');
    expect(onPostgres.dataset.customers).toBe(onSqlite.dataset.customers);
    expect(onPostgres.agreement.map((p) => p.spearman)).toEqual(onSqlite.agreement.map((p) => p.spearman));
  });

  it('accepts postgresql:// too, and importing again finds every item a duplicate', async () => {
    const again = `postgresql${url.slice(url.indexOf('://'))}`;
    const run = await rapportJson<{ counts: Record<string, number> }>([
      'import',
      twcsFixture,
      '--format',
      'twcs',
      '--storage',
      again,
      '--no-progress',
    ]);
    expect(run.code).toBe(0);
    expect(run.counts).toMatchObject({ created: 0, duplicate: 5000 });
  });

  it('shows a customer and searches customers', async () => {
    const run = await rapport(['customers', 'show', '115712', '--storage', url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Customer \S+ {2}active \(found by 115712\)/);
    expect(run.stdout).toMatch(/Identities \(1\)\n\s+twitter\s+115712/);
    expect(run.stdout).toContain('Recent interactions (');
    const byRef = await rapport(['customers', 'show', 'twitter:115712', '--storage', url]);
    expect(byRef.code).toBe(0);
    const search = await rapport(['customers', 'search', 'zzzz-nobody', '--storage', url]);
    expect(search.code).toBe(0);
    expect(search.stdout).toContain('No active customer');
  });

  it('backtests rules against a Postgres store (rules test --against <url>)', async () => {
    const run = await rapportJson<{ source: string; against: string; interactions: number }>([
      'rules',
      'test',
      join(repoRoot, 'examples/rules/support.rules.json'),
      '--against',
      url,
    ]);
    expect(run.code).toBe(0);
    expect(run.source).toBe('store');
    expect(run.against).toBe(redactUrl(url));
  });

  it('reads another schema with ?schema= (empty: the store creates it)', async () => {
    const other = `${url}?schema=cli_other`;
    const stats = await rapportJson<StatsReport>(['stats', '--storage', other]);
    expect(stats.code).toBe(0);
    expect(stats.interactions).toBe(0);
    const { rows } = await database.sql(
      "SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('rapport', 'cli_other') ORDER BY 1",
    );
    expect(rows.map((r) => r.schema_name)).toEqual(['cli_other', 'rapport']);
  });
});

describe('rapport migrate', () => {
  it('prints the schema version of a migrated store, applying nothing', async () => {
    const run = await rapport(['migrate', '--storage', url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `Postgres schema "rapport" at ${redactUrl(url)}: schema version ${LATEST}, up to date (nothing to apply)\n`,
    );
  });

  it('creates and migrates a new schema, then finds it current', async () => {
    const first = await rapportJson<MigrateReport>(['migrate', '--storage', `${url}?schema=cli_migrated`]);
    expect(first).toMatchObject({
      code: 0,
      store: 'postgres',
      schema: 'cli_migrated',
      from: 0,
      to: LATEST,
      latest: LATEST,
      applied: migrations.map((m) => m.version),
    });
    const { rows } = await database.sql(
      'SELECT version FROM cli_migrated.rapport_migrations ORDER BY version',
    );
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version })));
    const again = await rapport(['migrate', '--storage', `${url}?schema=cli_migrated`]);
    expect(again.stdout).toContain('"cli_migrated"');
    expect(again.stdout).toContain('up to date');
  });

  it('migrates a SQLite file with --db (the default store)', async () => {
    const file = join(tmp.dir, 'migrated.db');
    const first = await rapportJson<MigrateReport>(['migrate', '--db', file]);
    expect(first.code).toBe(0);
    expect(first).toMatchObject({ store: 'sqlite', location: file, from: 0 });
    expect(first.to).toBe(first.latest);
    expect(first.applied.length).toBe(first.latest);
    const again = await rapport(['migrate', '--db', file]);
    expect(again.stdout).toBe(
      `SQLite database ${file}: schema version ${first.latest}, up to date (nothing to apply)\n`,
    );
    // A store opened on it afterwards finds nothing to do either.
    const stats = await rapportJson<StatsReport>(['stats', '--db', file]);
    expect(stats).toMatchObject({ code: 0, interactions: 0 });
  });
});

describe('store options', () => {
  it('refuses --storage with --db, with a hint', async () => {
    for (const command of [['stats'], ['migrate'], ['customers', 'show', 'x']]) {
      const run = await rapport([...command, '--storage', url, '--db', sqliteDb]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error: --storage and --db cannot be used together');
      expect(run.stderr).toContain('hint: give --storage <url> for a Postgres database, or --db <file>');
    }
  });

  it('refuses URLs it cannot open, and a Postgres URL given to --db', async () => {
    const mysql = await rapport(['stats', '--storage', 'mysql://localhost/crm']);
    expect(mysql.code).toBe(1);
    expect(mysql.stderr).toContain('The CLI cannot open mysql:// stores');
    const notUrl = await rapport(['stats', '--storage', 'crm.db']);
    expect(notUrl.code).toBe(1);
    expect(notUrl.stderr).toContain('hint: give --storage a postgres:// or postgresql:// URL');
    const onDb = await rapport(['stats', '--db', 'postgres://ann:hunter2@localhost/crm']);
    expect(onDb.code).toBe(1);
    expect(onDb.stderr).toContain('--db takes the path of a SQLite file, not a postgres:// URL');
    expect(onDb.stderr).toContain('--storage postgres://ann:***@localhost/crm');
    expect(onDb.stderr).not.toContain('hunter2');
  });

  it('never prints the password of a URL it cannot reach', async () => {
    const unreachable = 'postgres://ann:s3cret-Pa55@127.0.0.1:1/crm';
    for (const command of [
      ['migrate'],
      ['stats'],
      ['import', twcsFixture, '--format', 'twcs', '--no-progress'],
    ]) {
      const run = await rapport([...command, '--storage', unreachable]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: /);
      expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret-Pa55');
      const asJson = await rapport([...command, '--storage', unreachable, '--json']);
      expect(asJson.code).toBe(1);
      expect(`${asJson.stdout}${asJson.stderr}`).not.toContain('s3cret-Pa55');
    }
  });
});
