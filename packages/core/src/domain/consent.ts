import { z } from 'zod';
import { timestampSchema } from './common.js';

/** State of a consent: granted, denied (never given), or revoked (given, then withdrawn). */
export const consentStatusSchema = z.enum(['granted', 'denied', 'revoked']);

/** What a customer allowed for one purpose on one channel (`*` means every channel). */
export const consentInputSchema = z
  .object({
    customerId: z.string().min(1),
    purpose: z.string().min(1).max(128),
    channel: z.union([z.literal('*'), z.string().regex(/^[a-z][a-z0-9_.-]*$/)]).default('*'),
    status: consentStatusSchema,
    at: timestampSchema.optional(),
    /** Where the decision was recorded: a form, a channel message, an agent. */
    source: z.string().min(1).max(256),
  })
  .strict();

/** A consent state. */
export type ConsentStatus = z.infer<typeof consentStatusSchema>;

/** Consent input. */
export type ConsentInput = z.input<typeof consentInputSchema>;

/** A recorded consent decision. Decisions are kept as history; the latest per purpose and channel wins. */
export interface Consent {
  id: string;
  tenantId: string;
  customerId: string;
  purpose: string;
  channel: string;
  status: ConsentStatus;
  at: Date;
  source: string;
}
