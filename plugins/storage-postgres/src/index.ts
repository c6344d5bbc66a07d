export {
  type MigrateOptions,
  type MigrationResult,
  migrate,
  migrations,
  type PostgresMigration,
} from './migrations.js';
export {
  type PostgresStorageOptions,
  parsePostgresStorageOptions,
  postgresStorageOptionsSchema,
  type ResolvedPostgresStorageOptions,
} from './options.js';
export { type PostgresStoragePlugin, postgresStorage, TENANT_SETTING } from './postgres-storage.js';
export { type PostgresRawQueries, postgresRawQueries, postgresRawQueriesFor } from './raw-queries.js';
