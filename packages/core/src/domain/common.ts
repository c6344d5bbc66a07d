import { z } from 'zod';

/** A channel id: lower case, such as `email`, `mastodon`, `twitter`, `stackexchange`. */
export const channelIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_.-]*$/, 'must be lower case letters, digits, `_`, `.` or `-`, starting with a letter')
  .describe('Channel id, such as `email` or `mastodon`');

/** A tenant id. */
export const tenantIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, `_`, `.` or `-`')
  .describe('Tenant id: one organization’s isolated data');

/** An id given by the outside world (a tweet id, a Message-ID, a user id). */
export const externalIdSchema = z.string().min(1).max(1024);

/** Accepts a Date, an ISO 8601 string or epoch milliseconds, and yields a valid Date. */
export const timestampSchema = z
  .union([z.date(), z.string().min(1), z.number().finite()])
  .transform((value, ctx) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid date (use ISO 8601 or epoch milliseconds)' });
      return z.NEVER;
    }
    return date;
  });

/** Free-form JSON metadata kept with a record. */
export const metadataSchema = z.record(z.string(), z.unknown());

export type Metadata = z.infer<typeof metadataSchema>;
