import { z } from 'zod';

/** A named set of customers: `static` (members added explicitly) or `rule` (defined by a rule). */
export const segmentSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string().min(1).max(256),
  description: z.string().nullable(),
  kind: z.enum(['static', 'rule']),
  /** For rule segments, the rule that defines membership. */
  ruleId: z.string().nullable(),
  createdAt: z.date(),
});

/** A segment. */
export type Segment = z.infer<typeof segmentSchema>;
