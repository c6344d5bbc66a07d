import { type ChannelContext, ChannelError } from '@rapport/core';
import type { MastodonApi } from './api.js';
import { contextPayloadSchema, type StatusPayload } from './payloads.js';

const key = (statusId: string) => `thread:${statusId}`;

/**
 * Finds the thread of a status: the root of its reply chain. Mastodon's REST API has no
 * conversation id on statuses, so the root comes from the status's context (one request), and is
 * remembered in the plugin's key-value store for the status itself, so its replies (and replies
 * sent through this plugin) find it without asking again.
 */
export class ThreadResolver {
  constructor(
    private readonly kv: ChannelContext['kv'],
    private readonly api: MastodonApi,
    /** When false, a reply whose parent is unknown gets the parent as its thread, without a request. */
    private readonly resolve: boolean,
  ) {}

  async threadOf(status: StatusPayload): Promise<string> {
    const known = await this.kv.get(key(status.id));
    if (known) return known;
    const parent = status.inReplyToId;
    const root = !parent
      ? status.id
      : ((await this.kv.get(key(parent))) ?? (await this.rootFromContext(status.id, parent)));
    await this.kv.set(key(status.id), root);
    return root;
  }

  /** Records the thread of a status this plugin just posted. */
  async remember(statusId: string, thread: string): Promise<void> {
    await this.kv.set(key(statusId), thread);
  }

  /** The thread of a status we know by id only (the target of a reply). */
  async known(statusId: string): Promise<string | null> {
    return this.kv.get(key(statusId));
  }

  private async rootFromContext(statusId: string, parent: string): Promise<string> {
    if (!this.resolve) return parent;
    try {
      const context = contextPayloadSchema.safeParse(await this.api.statusContext(statusId));
      return (context.success ? context.data.ancestors[0]?.id : undefined) ?? parent;
    } catch (error) {
      // The status (or its chain) is gone or hidden from us: its parent is the best thread left.
      if (error instanceof ChannelError && error.kind === 'permanent') return parent;
      throw error;
    }
  }
}
