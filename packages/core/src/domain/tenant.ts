import { z } from 'zod';
import { tenantIdSchema } from './common.js';

/** One organization's isolated data. Every record belongs to exactly one tenant. */
export const tenantSchema = z.object({
  id: tenantIdSchema,
  name: z.string().min(1).max(256),
  createdAt: z.date(),
});

/** A tenant. */
export type Tenant = z.infer<typeof tenantSchema>;

/** The tenant used when none is given. */
export const DEFAULT_TENANT = 'default';
