import {
  type ChannelBatch,
  type Clock,
  type InteractionInput,
  interactionInputSchema,
  type Logger,
} from '@rapport/core';
import type { z } from 'zod';
import type { MastodonApi, PageParams } from './api.js';
import { type CursorState, compareIds, encodeCursor, newerId, type SourceKey } from './cursor.js';
import { channelError } from './errors.js';
import {
  contentVersion,
  isOwnStatus,
  type MappingContext,
  mentionsSelf,
  statusToInteraction,
} from './mapping.js';
import type { ResolvedMastodonChannelOptions } from './options.js';
import {
  conversationPayloadSchema,
  notificationPayloadSchema,
  type StatusPayload,
  statusPayloadSchema,
} from './payloads.js';
import type { ThreadResolver } from './threads.js';

/** One entry of a list page: its paging id, its time (for the lookback), the statuses it brings. */
export interface SourceItem {
  pageId: string;
  /** Epoch ms; NaN when the entry could not be read. */
  time: number;
  statuses: StatusPayload[];
}

/** A list the channel pages through by id. */
export interface Source {
  key: SourceKey;
  fetch(page: PageParams): Promise<SourceItem[]>;
}

/** Remembers which (status, version) pairs were already handed out, up to a bound. */
export class SeenSet {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity = 10_000) {}

  /** True the first time a key is offered. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    return true;
  }
}

function listOf(data: unknown, what: string): unknown[] {
  if (!Array.isArray(data)) {
    throw channelError(
      'transient',
      `Mastodon answered the ${what} request with something that is not a list`,
    );
  }
  return data;
}

function rawId(raw: unknown, ...path: string[]): string | undefined {
  let value: unknown = raw;
  for (const segment of path) {
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
  }
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Validates the entries of a page. An entry that does not validate still moves the cursor past it
 * (when it has an id), so one odd item cannot stall reading; it is logged and skipped.
 */
function itemsOf<S extends z.ZodType>(
  data: unknown,
  what: string,
  schema: S,
  pageIdPath: string[],
  logger: Logger,
  toItem: (value: z.output<S>, pageId: string) => SourceItem,
): SourceItem[] {
  const items: SourceItem[] = [];
  for (const raw of listOf(data, what)) {
    const pageId = rawId(raw, ...pageIdPath);
    if (pageId === undefined) continue;
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      items.push(toItem(parsed.data, pageId));
    } else {
      logger.warn('mastodon: skipped an entry it could not read', {
        what,
        id: pageId,
        issue: parsed.error.issues[0]?.message,
      });
      items.push({ pageId, time: Number.NaN, statuses: [] });
    }
  }
  return items;
}

/**
 * Whether a status belongs in the CRM under the inbound options: our own statuses when
 * `ownStatuses` is on; others only when they are addressed to us (a mention notification, a
 * direct conversation, or a status that mentions us), by visibility.
 */
export function isWanted(
  status: StatusPayload,
  selfId: string,
  inbound: ResolvedMastodonChannelOptions['inbound'],
  addressedToUs: boolean,
): boolean {
  if (status.reblog) return false;
  if (isOwnStatus(status, selfId)) return inbound.ownStatuses;
  if (!addressedToUs && !mentionsSelf(status, selfId)) return false;
  return status.visibility === 'direct' ? inbound.directMessages : inbound.mentions;
}

/** The lists to read, from the options. */
export function sourcesFor(
  api: MastodonApi,
  options: ResolvedMastodonChannelOptions,
  selfId: string,
  logger: Logger,
): Source[] {
  const { inbound } = options;
  const sources: Source[] = [];
  if (inbound.mentions || inbound.directMessages) {
    sources.push({
      key: 'notifications',
      fetch: async (page) =>
        itemsOf(
          await api.mentionNotifications(page),
          'notifications',
          notificationPayloadSchema,
          ['id'],
          logger,
          (notification, pageId) => {
            const status = notification.type === 'mention' ? notification.status : undefined;
            const wanted = status && isWanted(status, selfId, inbound, true);
            return { pageId, time: Date.parse(notification.createdAt), statuses: wanted ? [status] : [] };
          },
        ),
    });
  }
  if (inbound.directMessages) {
    sources.push({
      key: 'conversations',
      fetch: async (page) =>
        itemsOf(
          await api.conversations(page),
          'conversations',
          conversationPayloadSchema,
          ['lastStatus', 'id'],
          logger,
          (conversation, pageId) => {
            const status = conversation.lastStatus;
            const wanted = status && isWanted(status, selfId, inbound, true);
            return {
              pageId,
              time: status ? Date.parse(status.createdAt) : Number.NaN,
              statuses: wanted ? [status] : [],
            };
          },
        ),
    });
  }
  if (inbound.ownStatuses) {
    sources.push({
      key: 'statuses',
      fetch: async (page) =>
        itemsOf(
          await api.accountStatuses(selfId, page),
          'statuses',
          statusPayloadSchema,
          ['id'],
          logger,
          (status, pageId) => ({
            pageId,
            time: Date.parse(status.createdAt),
            statuses: isWanted(status, selfId, inbound, false) ? [status] : [],
          }),
        ),
    });
  }
  return sources;
}

/** Turns statuses into validated interactions, skipping what was already handed out. */
export class StatusMapper {
  constructor(
    private readonly context: MappingContext,
    private readonly threads: ThreadResolver,
    private readonly logger: Logger,
  ) {}

  async map(statuses: readonly StatusPayload[], seen: SeenSet): Promise<InteractionInput[]> {
    const interactions: InteractionInput[] = [];
    for (const status of statuses) {
      if (!seen.add(`${status.id}:${contentVersion(status)}`)) continue;
      const interaction = statusToInteraction(status, this.context, await this.threads.threadOf(status));
      const checked = interactionInputSchema.safeParse(interaction);
      if (checked.success) {
        interactions.push(interaction);
      } else {
        this.logger.warn('mastodon: skipped a status that does not make a valid interaction', {
          id: status.id,
          issue: checked.error.issues[0]?.message,
          path: checked.error.issues[0]?.path.join('.'),
        });
      }
    }
    return interactions;
  }
}

const ascending = (a: SourceItem, b: SourceItem) => compareIds(a.pageId, b.pageId);

/** Reads every list from a cursor state, batch by batch; `state` moves forward as batches are yielded. */
export class Poller {
  constructor(
    private readonly sources: readonly Source[],
    private readonly mapper: StatusMapper,
    private readonly clock: Clock,
    private readonly pageSize: number,
  ) {}

  async *poll(state: CursorState, lookbackMs: number, seen: SeenSet): AsyncGenerator<ChannelBatch> {
    for (const source of this.sources) {
      const position = state[source.key];
      if (position === undefined) {
        yield* this.firstRead(source, state, lookbackMs, seen);
      } else {
        yield* this.forward(source, position, state, seen);
        if (lookbackMs > 0) yield* this.revisit(source, position, state, lookbackMs, seen);
      }
    }
  }

  /**
   * Looks again at the entries of the lookback window that an earlier read already handed out,
   * for statuses edited since: they come back with their new version. Entries never edited were
   * stored when first read, so they are not handed out again. The cursor does not move.
   */
  private async *revisit(
    source: Source,
    readBefore: string,
    state: CursorState,
    lookbackMs: number,
    seen: SeenSet,
  ): AsyncGenerator<ChannelBatch> {
    const horizon = this.clock.now().getTime() - lookbackMs;
    const edited: SourceItem[] = [];
    let maxId: string | undefined;
    for (;;) {
      const items = (await source.fetch({ ...(maxId ? { maxId } : {}), limit: this.pageSize })).sort(
        ascending,
      );
      const oldest = items[0];
      if (!oldest) break;
      for (const item of items) {
        if (compareIds(item.pageId, readBefore) > 0 || item.time < horizon) continue;
        const statuses = item.statuses.filter((status) => contentVersion(status) > 0);
        if (statuses.length > 0) edited.push({ ...item, statuses });
      }
      if (items.length < this.pageSize || oldest.time < horizon) break;
      if (maxId !== undefined && compareIds(oldest.pageId, maxId) >= 0) break;
      maxId = oldest.pageId;
    }
    const interactions = await this.mapper.map(
      edited.sort(ascending).flatMap((item) => item.statuses),
      seen,
    );
    if (interactions.length > 0) yield { interactions, cursor: encodeCursor(state) };
  }

  /** Pages forward with `min_id` until the list is exhausted. */
  private async *forward(
    source: Source,
    from: string,
    state: CursorState,
    seen: SeenSet,
  ): AsyncGenerator<ChannelBatch> {
    let position = from;
    for (;;) {
      const items = (await source.fetch({ minId: position, limit: this.pageSize })).sort(ascending);
      const newest = items.at(-1)?.pageId;
      // A server that ignores min_id would hand the same page back forever; stop at no progress.
      if (newest === undefined || compareIds(newest, position) <= 0) return;
      position = newest;
      const interactions = await this.mapper.map(
        items.flatMap((item) => item.statuses),
        seen,
      );
      state[source.key] = position;
      yield { interactions, cursor: encodeCursor(state) };
      if (items.length < this.pageSize) return;
    }
  }

  /**
   * A list never read before: walks back from the newest entry to the lookback horizon, then
   * hands the entries out oldest first. The cursor ends at the newest entry, so the next read
   * starts after it; an empty list starts from the beginning ("0").
   */
  private async *firstRead(
    source: Source,
    state: CursorState,
    lookbackMs: number,
    seen: SeenSet,
  ): AsyncGenerator<ChannelBatch> {
    const horizon = this.clock.now().getTime() - lookbackMs;
    const collected: SourceItem[] = [];
    let top: string | undefined;
    let maxId: string | undefined;
    for (;;) {
      const items = (await source.fetch({ ...(maxId ? { maxId } : {}), limit: this.pageSize })).sort(
        ascending,
      );
      const oldest = items[0];
      const newest = items.at(-1);
      if (!oldest || !newest) break;
      top = newerId(top, newest.pageId);
      collected.push(...items.filter((item) => !(item.time < horizon)));
      if (items.length < this.pageSize || oldest.time < horizon) break;
      if (maxId !== undefined && compareIds(oldest.pageId, maxId) >= 0) break;
      maxId = oldest.pageId;
    }
    collected.sort(ascending);
    if (collected.length === 0) {
      state[source.key] = top ?? '0';
      yield { interactions: [], cursor: encodeCursor(state) };
      return;
    }
    for (let start = 0; start < collected.length; start += this.pageSize) {
      const chunk = collected.slice(start, start + this.pageSize);
      const last = start + this.pageSize >= collected.length;
      const interactions = await this.mapper.map(
        chunk.flatMap((item) => item.statuses),
        seen,
      );
      state[source.key] = last ? (top ?? chunk.at(-1)!.pageId) : chunk.at(-1)!.pageId;
      yield { interactions, cursor: encodeCursor(state) };
    }
  }
}
