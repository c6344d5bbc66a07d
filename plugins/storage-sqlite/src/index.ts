export { type MigrationResult, migrate, migrations, type SqliteMigration } from './migrations.js';
export {
  MEMORY_FILENAME,
  parseSqliteStorageOptions,
  type ResolvedSqliteStorageOptions,
  type SqliteStorageOptions,
  sqliteStorageOptionsSchema,
} from './options.js';
export {
  type SqliteRawQueries,
  sqliteRawQueries,
  sqliteRawQueriesFor,
} from './raw-queries.js';
export { type SqliteStoragePlugin, sqliteStorage } from './sqlite-storage.js';
