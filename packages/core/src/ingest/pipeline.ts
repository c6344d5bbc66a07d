import type { Bus } from '../bus/bus.js';
import { INTERACTIONS_STORED_TOPIC, type InteractionsStoredMessage } from '../bus/bus.js';
import type { InteractionKindRegistry } from '../domain/effort.js';
import { interactionHints, interactionInputSchema } from '../domain/interaction.js';
import { RapportError } from '../errors/rapport-error.js';
import { retryingConflicts } from '../errors/retry.js';
import { validationError } from '../errors/validation.js';
import { PendingEvents, type RapportEventEmitter } from '../events/events.js';
import type { Clock } from '../plugins/plugin.js';
import type { ScoringPlugin } from '../plugins/scoring.js';
import type { UnitOfWork } from '../plugins/storage.js';
import { type Occurrence, TenantBatch } from './batch.js';
import { emptyCounts, type IngestBatchResult, type IngestItemResult } from './results.js';

/** Back to what a result is before its batch runs. */
function resetResult(result: IngestItemResult): void {
  result.status = 'duplicate';
  delete result.interactionId;
  delete result.customerId;
  delete result.error;
}

/** What the pipeline needs from the runtime. */
export interface PipelineDeps {
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  ensureTenant(tenantId: string): Promise<void>;
  emitter: RapportEventEmitter;
  bus: Bus;
  clock: Clock;
  kinds: InteractionKindRegistry;
  annotators: readonly ScoringPlugin[];
}

/**
 * An item naming another tenant than the one ingesting it: refused, so no call can write into a
 * tenant it was not opened for.
 */
function wrongTenant(given: string, expected: string): RapportError {
  return new RapportError(
    'RAPPORT_INVALID_INTERACTION',
    `Item is for tenant "${given}", ingested into "${expected}"`,
    {
      path: ['tenant'],
      hint: `leave \`tenant\` out, or ingest through rapport.tenant('${given}')`,
    },
  );
}

/**
 * The ingest pipeline: validate → dedupe by (tenant, channel, account, externalId) → resolve
 * identities → annotate → persist in one unit of work per tenant → publish events after commit →
 * hand stored interactions to later stages over the bus, partitioned by customer.
 */
export class IngestPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /**
   * Ingests a batch. Invalid items come back `rejected` with a code, a JSON path and a hint; the
   * valid ones are stored, all in `tenantId` (an item naming another tenant is rejected).
   * `indexOffset` numbers results when the batch is part of a stream.
   */
  async ingest(items: readonly unknown[], tenantId: string, indexOffset = 0): Promise<IngestBatchResult> {
    const counts = emptyCounts();
    const results: IngestItemResult[] = new Array(items.length);
    const occurrences: Occurrence[] = [];
    for (let i = 0; i < items.length; i++) {
      const index = indexOffset + i;
      const parsed = interactionInputSchema.safeParse(items[i]);
      if (!parsed.success) {
        const error = validationError(
          'RAPPORT_INVALID_INTERACTION',
          'interaction',
          parsed.error,
          interactionHints,
        );
        results[i] = { index, status: 'rejected', error };
        continue;
      }
      if (parsed.data.tenant !== undefined && parsed.data.tenant !== tenantId) {
        results[i] = { index, status: 'rejected', error: wrongTenant(parsed.data.tenant, tenantId) };
        continue;
      }
      const result: IngestItemResult = { index, status: 'duplicate' };
      results[i] = result;
      occurrences.push({ input: parsed.data, result });
    }
    if (occurrences.length > 0) {
      await this.deps.ensureTenant(tenantId);
      await this.storeBatch(tenantId, occurrences);
    }
    for (const r of results) counts[r.status]++;
    if (this.deps.emitter.wants('ingest.rejected')) {
      for (const r of results) {
        if (r.status === 'rejected' && r.error) {
          this.deps.emitter.emit('ingest.rejected', { tenantId, index: r.index, error: r.error });
        }
      }
    }
    return { results, counts };
  }

  private async storeBatch(tenantId: string, occurrences: Occurrence[]): Promise<void> {
    const now = this.deps.clock.now();
    let events = new PendingEvents(this.deps.emitter);
    let handoff = new Map<string, { interactionIds: string[]; editedIds: string[] }>();
    // Another process may write the same new identity, conversation or item between our reads and
    // our commit (a store shared by processes reports that as retryable). Nothing of the failed
    // unit of work was kept, nor published: it runs again and finds what the other one wrote.
    await retryingConflicts(async (attempt) => {
      if (attempt > 1) {
        for (const o of occurrences) resetResult(o.result);
        events = new PendingEvents(this.deps.emitter);
        handoff = new Map();
      }
      await this.deps.unitOfWork(tenantId, (uow) =>
        new TenantBatch(uow, this.deps, events, handoff, now).run(occurrences),
      );
    });
    events.flush();
    if (handoff.size > 0) {
      const messages = [...handoff].map(([customerId, { interactionIds, editedIds }]) => ({
        key: customerId,
        payload: {
          tenantId,
          customerId,
          interactionIds,
          ...(editedIds.length > 0 ? { editedIds } : {}),
        } satisfies InteractionsStoredMessage,
      }));
      await this.deps.bus.publish(INTERACTIONS_STORED_TOPIC, messages);
    }
  }
}
