import type { Customer } from '../../domain/customer.js';
import type { StorageReader, TimeRange } from '../../plugins/storage.js';
import type { ReplaySource } from '../../rules/backtest.js';
import type { CustomerFacts } from '../../rules/facts.js';
import { customerFacts, interactionFacts } from './facts-loader.js';

/** Customer facts kept at once while replaying a store; older entries are dropped first. */
const CUSTOMER_CACHE = 10_000;

/**
 * Replays a tenant's stored interactions, oldest first. Interactions come as they are stored;
 * customers and conversations as they are now (tags, segments and scores are not rewound).
 */
export async function* storeReplay(reader: StorageReader, range: TimeRange = {}): ReplaySource {
  const customers = new Map<string, CustomerFacts | null>();
  let cursor: string | null = null;
  do {
    const page = await reader.scanInteractions(range, { limit: 500, cursor });
    const missing = [
      ...new Set(
        page.items.map((i) => i.customerId).filter((id): id is string => id !== null && !customers.has(id)),
      ),
    ];
    if (missing.length > 0) {
      const found = new Map<string, Customer>((await reader.getCustomers(missing)).map((c) => [c.id, c]));
      for (const id of missing) {
        const customer = found.get(id);
        customers.set(id, customer ? await customerFacts(reader, customer, null) : null);
        if (customers.size > CUSTOMER_CACHE) customers.delete(customers.keys().next().value!);
      }
    }
    for (const stored of page.items) {
      const interaction = interactionFacts(stored);
      const conversation = stored.conversationId ? await reader.getConversation(stored.conversationId) : null;
      yield {
        ref: stored.id,
        at: stored.occurredAt.getTime(),
        facts: {
          event: { name: 'interaction.received', at: stored.occurredAt },
          interaction,
          customer: stored.customerId ? (customers.get(stored.customerId) ?? null) : null,
          conversation,
        },
        customerKey: stored.customerId,
        historyItem: interaction,
      };
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
}
