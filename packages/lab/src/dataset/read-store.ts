import type { Customer, Identity, Interaction, StorageReader } from '@rapport/core';
import type { StoreContents } from './dataset.js';

const PAGE = 1000;

/**
 * Reads a tenant's interactions page by page, then the customers they belong to (or refer) and
 * those customers' identities. Interactions of merged customers carry their survivor's id, as
 * stored, so each customer comes with the timeline Rapport resolved for them.
 */
export async function readStore(reader: StorageReader): Promise<StoreContents> {
  const interactions: Interaction[] = [];
  let cursor: string | null = null;
  do {
    const page = await reader.scanInteractions({}, { limit: PAGE, cursor });
    for (const item of page.items) interactions.push(item);
    cursor = page.nextCursor;
  } while (cursor !== null);

  const ids = new Set<string>();
  for (const interaction of interactions) {
    if (interaction.customerId !== null) ids.add(interaction.customerId);
    if (interaction.referredCustomerId !== null) ids.add(interaction.referredCustomerId);
  }
  const customers = new Map<string, Customer>();
  const identities = new Map<string, Identity[]>();
  const all = [...ids];
  for (let start = 0; start < all.length; start += PAGE) {
    for (const customer of await reader.getCustomers(all.slice(start, start + PAGE))) {
      customers.set(customer.id, customer);
    }
  }
  for (const id of customers.keys()) identities.set(id, await reader.listIdentities(id));
  return { interactions, customers, identities };
}
