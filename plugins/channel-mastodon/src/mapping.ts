import type { IdentityInput, InteractionInput } from '@rapport/core';
import { htmlToText } from './html.js';
import type { AccountPayload, StatusPayload } from './payloads.js';

/** Who "we" are when mapping statuses. */
export interface MappingContext {
  /** The channel id written on interactions. */
  channel: string;
  /** The account name written on interactions. */
  account: string;
  /** Our account's id on the server: its statuses are outbound. */
  selfId: string;
}

/** The metadata keys a status carries; `send` reads `visibility` and `spoilerText` back from them. */
export interface StatusMetadata {
  url?: string;
  uri?: string;
  visibility: string;
  language?: string;
  spoilerText?: string;
  sensitive?: true;
  mentions?: string[];
  editedAt?: string;
  inReplyToAccountId?: string;
}

/** True when the status was posted by our own account. */
export function isOwnStatus(status: StatusPayload, selfId: string): boolean {
  return status.account.id === selfId;
}

/** True when the status mentions our account. */
export function mentionsSelf(status: StatusPayload, selfId: string): boolean {
  return (status.mentions ?? []).some((mention) => mention.id === selfId);
}

/**
 * The content version of a status: 0 until it is edited, then the time of its last edit in epoch
 * milliseconds, which grows with every edit.
 */
export function contentVersion(status: StatusPayload): number {
  if (!status.editedAt) return 0;
  const at = Date.parse(status.editedAt);
  return Number.isNaN(at) ? 0 : at;
}

function identityOf(account: AccountPayload): IdentityInput {
  return {
    externalId: account.id,
    handle: account.acct,
    ...(account.displayName ? { displayName: account.displayName } : {}),
  };
}

/** Whom an outbound status is addressed to: the first account it mentions, else the author replied to. */
function recipientOf(status: StatusPayload, selfId: string): IdentityInput | undefined {
  const mention = (status.mentions ?? []).find((candidate) => candidate.id !== selfId);
  if (mention) return { externalId: mention.id, handle: mention.acct };
  if (status.inReplyToAccountId && status.inReplyToAccountId !== selfId) {
    return { externalId: status.inReplyToAccountId };
  }
  return undefined;
}

function kindOf(status: StatusPayload, outbound: boolean): string {
  if (status.visibility === 'direct') return 'message';
  if (!outbound) return 'mention';
  return status.inReplyToId ? 'reply' : 'post';
}

function metadataOf(status: StatusPayload): StatusMetadata {
  const metadata: StatusMetadata = { visibility: status.visibility };
  const url = status.url ?? status.uri;
  if (url) metadata.url = url;
  if (status.uri) metadata.uri = status.uri;
  if (status.language) metadata.language = status.language;
  if (status.spoilerText) metadata.spoilerText = status.spoilerText;
  if (status.sensitive) metadata.sensitive = true;
  const mentions = (status.mentions ?? []).map((mention) => mention.acct);
  if (mentions.length > 0) metadata.mentions = mentions;
  if (status.editedAt) metadata.editedAt = status.editedAt;
  if (status.inReplyToAccountId) metadata.inReplyToAccountId = status.inReplyToAccountId;
  return metadata;
}

/**
 * One status as an interaction. The external id is the status id; statuses of our own account
 * are outbound (so what the CRM sent never comes back as a customer message). Inbound statuses
 * are `mention`s, or `message`s when they are private mentions (direct visibility); outbound ones
 * are `message`, `reply` or `post`.
 *
 * @param thread - the root of the status's reply chain (see `ThreadResolver`).
 */
export function statusToInteraction(
  status: StatusPayload,
  context: MappingContext,
  thread: string,
): InteractionInput {
  const outbound = isOwnStatus(status, context.selfId);
  const text = htmlToText(status.content ?? '') || status.text || undefined;
  const language = status.language && status.language.length >= 2 ? status.language : undefined;
  const recipient = outbound ? recipientOf(status, context.selfId) : undefined;
  return {
    channel: context.channel,
    account: context.account,
    externalId: status.id,
    version: contentVersion(status),
    direction: outbound ? 'outbound' : 'inbound',
    kind: kindOf(status, outbound),
    ...(text === undefined ? {} : { text }),
    ...(language === undefined ? {} : { language }),
    occurredAt: status.createdAt,
    actor: identityOf(status.account),
    ...(recipient ? { recipient } : {}),
    thread,
    ...(status.inReplyToId ? { parent: status.inReplyToId } : {}),
    metadata: { ...metadataOf(status) },
  };
}
