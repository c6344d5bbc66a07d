export { TENANT_SETTING } from './connection.js';
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
export { type PostgresStoragePlugin, postgresStorage } from './postgres-storage.js';
export { type PostgresRawQueries, postgresRawQueries, postgresRawQueriesFor } from './raw-queries.js';
