import { parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { PLUGIN } from './errors.js';

/** A Postgres identifier the store can use unquoted-safe: lower case letters, digits and `_`. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema of the options of {@link postgresStorage}. Unknown keys are rejected so typos surface. */
export const postgresStorageOptionsSchema = z
  .object({
    connectionString: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A libpq connection URL, `postgres://user:password@host:5432/database`. Fields given separately (`host`, `port`, ...) override it; without either, the `PG*` environment variables apply.',
      ),
    host: z.string().min(1).optional().describe('Server host name, IP address or Unix socket directory.'),
    port: z.number().int().min(1).max(65_535).optional().describe('Server port.'),
    user: z.string().min(1).optional().describe('Role to connect as.'),
    password: z.string().optional().describe('Password of the role.'),
    database: z.string().min(1).optional().describe('Database to connect to.'),
    ssl: z
      .union([z.boolean(), z.record(z.string(), z.unknown())])
      .optional()
      .describe('TLS: `true`, or node `tls.connect` options (`{ rejectUnauthorized, ca, ... }`).'),
    schema: z
      .string()
      .regex(
        IDENTIFIER,
        'must be a lower-case Postgres identifier: a-z, 0-9 and _, not starting with a digit',
      )
      .default('rapport')
      .describe(
        'Postgres schema that holds the tables, created when missing. Several stores can share a database in separate schemas.',
      ),
    max: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(10)
      .describe(
        'Pool size: connections this process opens at most. A unit of work holds one for its duration; reads of committed data take another.',
      ),
    idleTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(2_147_483_647)
      .default(10_000)
      .describe('How long an idle pooled connection stays open, in milliseconds (0: until close).'),
    connectionTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(2_147_483_647)
      .default(10_000)
      .describe(
        'How long to wait for a connection (new, or free in the pool), in milliseconds (0: forever).',
      ),
    statementTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(2_147_483_647)
      .optional()
      .describe('Server-side `statement_timeout` of the store’s connections, in milliseconds (0: none).'),
    applicationName: z
      .string()
      .min(1)
      .max(63)
      .default('rapport')
      .describe('`application_name` the connections report (shown in `pg_stat_activity`).'),
    migrate: z
      .boolean()
      .default(true)
      .describe(
        'Apply pending migrations in `init`. With `false` the store refuses a schema that is not current, for deployments that migrate in a separate step.',
      ),
  })
  .strict();

/** Options of {@link postgresStorage}, as the caller writes them (every field optional). */
export type PostgresStorageOptions = z.input<typeof postgresStorageOptionsSchema>;

/** Options of {@link postgresStorage} with defaults filled in. */
export type ResolvedPostgresStorageOptions = z.output<typeof postgresStorageOptionsSchema>;

/**
 * Validates options, or throws `RAPPORT_INVALID_OPTIONS` whose path names the offending option (for
 * an unknown key, the key itself, so the message points at the typo).
 */
export function parsePostgresStorageOptions(options: unknown): ResolvedPostgresStorageOptions {
  return parsePluginOptions(postgresStorageOptionsSchema, options, 'postgresStorage', PLUGIN);
}
