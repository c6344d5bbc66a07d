import type { Customer } from '../domain/customer.js';
import { newId } from '../domain/ids.js';
import type { MergeRecord } from '../domain/merge.js';
import { RapportError } from '../errors/rapport-error.js';
import type { UnitOfWork } from '../plugins/storage.js';

/** Who merged and why. */
export interface MergeRequest {
  reason: string;
  /** `user:<id>`, `system:<channel>`, `rule:<id>`... */
  actor: string;
  at: Date;
}

/** What a merge or unmerge moved, for events and for callers that cache identities. */
export interface MergeOutcome {
  merge: MergeRecord;
  /** Identities that changed customer, and their new customer. */
  movedIdentityIds: string[];
  customerId: string;
}

async function activeCustomer(uow: UnitOfWork, id: string, role: string): Promise<Customer> {
  const [customer] = await uow.getCustomers([id]);
  if (!customer) {
    throw new RapportError('RAPPORT_NOT_FOUND', `No customer ${id} (${role})`, { path: [role] });
  }
  if (customer.status !== 'active') {
    throw new RapportError('RAPPORT_MERGE_INVALID', `Customer ${id} (${role}) is ${customer.status}`, {
      path: [role],
      hint:
        customer.status === 'merged'
          ? `it was merged into ${customer.mergedInto}; merge that customer instead`
          : 'erased customers cannot be merged',
    });
  }
  return customer;
}

/** Follows `mergedInto` links to the customer that holds a merged customer's data now. */
export async function canonicalCustomerId(uow: UnitOfWork, id: string): Promise<string> {
  let current = id;
  for (let hops = 0; hops < 10_000; hops++) {
    const [customer] = await uow.getCustomers([current]);
    if (customer?.status !== 'merged' || customer.mergedInto === null) return current;
    current = customer.mergedInto;
  }
  throw new RapportError('RAPPORT_STORAGE_FAILED', `Merge chain from ${id} does not end`);
}

/**
 * Merges `absorbedId` into `survivorId` inside `uow`. Nothing is deleted: the absorbed customer is
 * kept with status `merged`, and the record lists everything moved so {@link unmergeCustomers}
 * can undo it exactly.
 */
export async function mergeCustomers(
  uow: UnitOfWork,
  survivorId: string,
  absorbedId: string,
  request: MergeRequest,
): Promise<MergeOutcome> {
  if (survivorId === absorbedId) {
    throw new RapportError('RAPPORT_MERGE_INVALID', 'A customer cannot be merged with itself', {
      path: ['absorbedId'],
    });
  }
  const survivor = await activeCustomer(uow, survivorId, 'survivorId');
  const absorbed = await activeCustomer(uow, absorbedId, 'absorbedId');

  const identityIds = (await uow.listIdentities(absorbedId)).map((i) => i.id);
  const conversationIds = await uow.conversationIdsOf(absorbedId);
  const consentIds = await uow.consentIdsOf(absorbedId);
  await uow.reassignIdentities(identityIds, survivorId);
  await uow.reassignInteractionsByIdentity(identityIds, absorbedId, survivorId);
  await uow.reassignConversations(conversationIds, survivorId);
  await uow.reassignConsents(consentIds, survivorId);

  const addedTags = absorbed.tags.filter((t) => !survivor.tags.includes(t));
  const addedAttributes = Object.keys(absorbed.attributes).filter((k) => !(k in survivor.attributes));
  const filledFields: MergeRecord['filledFields'] = [];
  if (survivor.displayName === null && absorbed.displayName !== null) filledFields.push('displayName');
  if (survivor.primaryEmail === null && absorbed.primaryEmail !== null) filledFields.push('primaryEmail');
  const attributes = { ...survivor.attributes };
  for (const key of addedAttributes) attributes[key] = absorbed.attributes[key];

  await uow.updateCustomers([
    {
      ...survivor,
      displayName: survivor.displayName ?? absorbed.displayName,
      primaryEmail: survivor.primaryEmail ?? absorbed.primaryEmail,
      tags: [...survivor.tags, ...addedTags],
      attributes,
      updatedAt: request.at,
    },
    { ...absorbed, status: 'merged', mergedInto: survivorId, updatedAt: request.at },
  ]);

  const merge: MergeRecord = {
    id: newId(),
    tenantId: uow.tenantId,
    survivorId,
    absorbedId,
    reason: request.reason,
    actor: request.actor,
    at: request.at,
    identityIds,
    conversationIds,
    consentIds,
    addedTags,
    addedAttributes,
    filledFields,
    absorbedSnapshot: absorbed,
    unmergedAt: null,
    unmergedBy: null,
  };
  await uow.insertMerge(merge);
  return { merge, movedIdentityIds: identityIds, customerId: survivorId };
}

/**
 * Undoes a merge: the absorbed customer comes back as it was, with its identities, their
 * interactions, its conversations and consents. Things the survivor has since passed on (because
 * it was merged further) are taken back from whoever holds them now; things another unmerge
 * already returned are left alone.
 */
export async function unmergeCustomers(
  uow: UnitOfWork,
  mergeId: string,
  request: { actor: string; at: Date },
): Promise<MergeOutcome> {
  const merge = await uow.getMerge(mergeId);
  if (!merge) throw new RapportError('RAPPORT_NOT_FOUND', `No merge ${mergeId}`, { path: ['mergeId'] });
  if (merge.unmergedAt !== null) {
    throw new RapportError('RAPPORT_UNMERGE_INVALID', `Merge ${mergeId} was already undone`, {
      path: ['mergeId'],
    });
  }
  const [absorbed] = await uow.getCustomers([merge.absorbedId]);
  if (absorbed?.status !== 'merged' || absorbed.mergedInto !== merge.survivorId) {
    throw new RapportError(
      'RAPPORT_UNMERGE_INVALID',
      `Customer ${merge.absorbedId} is no longer merged by ${mergeId}`,
      {
        path: ['mergeId'],
      },
    );
  }
  const holder = await canonicalCustomerId(uow, merge.survivorId);

  const identities = await uow.listIdentities(holder);
  const held = new Set(identities.map((i) => i.id));
  const identityIds = merge.identityIds.filter((id) => held.has(id));
  const heldConversations = new Set(await uow.conversationIdsOf(holder));
  const heldConsents = new Set(await uow.consentIdsOf(holder));
  await uow.reassignIdentities(identityIds, merge.absorbedId);
  await uow.reassignInteractionsByIdentity(identityIds, holder, merge.absorbedId);
  await uow.reassignConversations(
    merge.conversationIds.filter((id) => heldConversations.has(id)),
    merge.absorbedId,
  );
  await uow.reassignConsents(
    merge.consentIds.filter((id) => heldConsents.has(id)),
    merge.absorbedId,
  );

  // Take back from the survivor only what the merge gave it and nobody changed since.
  const [survivor] = await uow.getCustomers([merge.survivorId]);
  const snapshot = merge.absorbedSnapshot;
  const updates: Customer[] = [{ ...snapshot, status: 'active', mergedInto: null, updatedAt: request.at }];
  if (survivor) {
    const attributes = { ...survivor.attributes };
    for (const key of merge.addedAttributes) {
      if (JSON.stringify(attributes[key]) === JSON.stringify(snapshot.attributes[key]))
        delete attributes[key];
    }
    updates.unshift({
      ...survivor,
      tags: survivor.tags.filter((t) => !merge.addedTags.includes(t)),
      attributes,
      displayName:
        merge.filledFields.includes('displayName') && survivor.displayName === snapshot.displayName
          ? null
          : survivor.displayName,
      primaryEmail:
        merge.filledFields.includes('primaryEmail') && survivor.primaryEmail === snapshot.primaryEmail
          ? null
          : survivor.primaryEmail,
      updatedAt: request.at,
    });
  }
  await uow.updateCustomers(updates);
  await forgetReturned(uow, merge, holder, {
    identityIds,
    conversationIds: merge.conversationIds.filter((id) => heldConversations.has(id)),
    consentIds: merge.consentIds.filter((id) => heldConsents.has(id)),
  });
  const done: MergeRecord = { ...merge, unmergedAt: request.at, unmergedBy: request.actor };
  await uow.updateMerge(done);
  return { merge: done, movedIdentityIds: identityIds, customerId: merge.absorbedId };
}

/**
 * What an unmerge returned has left the merge chain above it, so the later merges that carried it
 * up the chain (absorbing the survivor, then its survivor, up to the holder) no longer own it:
 * undoing one of them later must not take it from wherever it is by then.
 */
async function forgetReturned(
  uow: UnitOfWork,
  undone: MergeRecord,
  holder: string,
  returned: { identityIds: string[]; conversationIds: string[]; consentIds: string[] },
): Promise<void> {
  const gone = {
    identityIds: new Set(returned.identityIds),
    conversationIds: new Set(returned.conversationIds),
    consentIds: new Set(returned.consentIds),
  };
  if (gone.identityIds.size + gone.conversationIds.size + gone.consentIds.size === 0) return;
  for (let current = undone.survivorId, hops = 0; current !== holder && hops < 10_000; hops++) {
    const [customer] = await uow.getCustomers([current]);
    if (customer?.status !== 'merged' || customer.mergedInto === null) return;
    const carrying = (await uow.listMerges(current)).filter(
      (m) => m.absorbedId === current && m.unmergedAt === null && m.id !== undone.id,
    );
    for (const m of carrying) {
      const kept = {
        identityIds: m.identityIds.filter((id) => !gone.identityIds.has(id)),
        conversationIds: m.conversationIds.filter((id) => !gone.conversationIds.has(id)),
        consentIds: m.consentIds.filter((id) => !gone.consentIds.has(id)),
      };
      if (
        kept.identityIds.length !== m.identityIds.length ||
        kept.conversationIds.length !== m.conversationIds.length ||
        kept.consentIds.length !== m.consentIds.length
      ) {
        await uow.updateMerge({ ...m, ...kept });
      }
    }
    current = customer.mergedInto;
  }
}
