export { type MigrationResult, migrate, migrations, type SqliteMigration } from './migrations.js';
export {
  MEMORY_FILENAME,
  parseSqliteStorageOptions,
  type ResolvedSqliteStorageOptions,
  type SqliteStorageOptions,
  sqliteStorageOptionsSchema,
} from './options.js';
export {
  type SqliteRawCustomerRow,
  type SqliteRawInteractionRow,
  type SqliteRawQueries,
  type SqliteRawTable,
  sqliteRawQueries,
  sqliteRawQueriesFor,
} from './raw-queries.js';
export { type SqliteStoragePlugin, sqliteStorage } from './sqlite-storage.js';
