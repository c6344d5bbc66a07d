import { z } from 'zod';

/**
 * Lifecycle of a customer record: `merged` customers live on inside their survivor (and come back
 * on unmerge); `erased` ones keep only their id.
 */
export const customerStatusSchema = z.enum(['active', 'merged', 'erased']);

/** A person the organization has a relationship with, across all their identities. */
export const customerSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  displayName: z.string().nullable(),
  primaryEmail: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  status: customerStatusSchema,
  /** The survivor this customer was merged into, while merged. */
  mergedInto: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** A customer record. */
export type Customer = z.infer<typeof customerSchema>;
/** Customer lifecycle status. */
export type CustomerStatus = z.infer<typeof customerStatusSchema>;
