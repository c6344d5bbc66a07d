import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Interaction, InteractionInput } from '@rapport/core';
import { storedInteraction } from '@rapport/testkit';

/** The complete Stack Exchange dump of meta.conlang in the repository's fixtures. */
export const stackExchangeDir = fileURLToPath(
  new URL('../../../fixtures/stackexchange-meta-conlang/', import.meta.url),
);

/**
 * The rows of a dump file, read with a plain regex rather than the loader's XML parser, so the
 * expectations do not share its code. Good enough for ids, scores and dates.
 */
export function xmlRows(file: string): Array<Record<string, string>> {
  const text = readFileSync(join(stackExchangeDir, file), 'utf8');
  return [...text.matchAll(/<row ([^>]*)\/>/g)].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

let minute = 0;

/** An inbound interaction input on a forum, by `actor`; times increase a minute per call unless given. */
export function input(
  externalId: string,
  kind: string,
  actor: string,
  extra: Partial<InteractionInput> = {},
): InteractionInput {
  minute += 1;
  return {
    channel: 'forum',
    account: 'community',
    externalId,
    direction: 'inbound',
    kind,
    occurredAt: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(),
    actor: { externalId: actor },
    ...extra,
  };
}

/** A stored interaction of `customerId` (null for the organization's outbound items). */
export function stored(
  id: string,
  kind: string,
  customerId: string | null,
  extra: Partial<Interaction> = {},
): Interaction {
  return storedInteraction({
    id,
    externalId: id,
    channel: 'shop',
    direction: customerId === null ? 'outbound' : 'inbound',
    kind,
    occurredAt: new Date(Date.UTC(2024, 0, 1)),
    customerId,
    identityId: customerId === null ? null : `identity-${customerId}`,
    actorExternalId: customerId ?? 'brand',
    ...extra,
  });
}
