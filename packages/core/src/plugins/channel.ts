import type { z } from 'zod';
import type { InteractionInput } from '../domain/interaction.js';
import { type ErrorPath, RapportError } from '../errors/rapport-error.js';
import type { MaybePromise, PluginBase, PluginContext } from './plugin.js';

/** The channel contract version this core speaks. */
export const CHANNEL_SPEC_VERSION = 'rapport.channel/v1';

/** What a channel can do, declared as data. */
export interface ChannelCapabilities {
  /** How items come in. */
  inbound: ReadonlyArray<'webhook' | 'stream' | 'poll'>;
  /** Whether history can be read, and how far back (days). */
  backfill: { supported: boolean; maxDays?: number };
  /** What can be sent. */
  outbound: ReadonlyArray<'reply' | 'message' | 'reaction'>;
  /** The channel deduplicates sends by an idempotency key of its own. */
  nativeIdempotency: boolean;
  /** Replies are allowed only this long after the customer's last message (ms). */
  replyWindowMs?: number;
  /** Items can be edited after the fact (they carry a content version). */
  mutableItems: boolean;
}

/** A declared rate limit. */
export interface RateLimit {
  /** What the budget is counted against. */
  scope: 'credential' | 'account' | 'global';
  requests: number;
  perMs: number;
}

/** A batch read from a channel; the host stores it, then commits `cursor`. */
export interface ChannelBatch {
  interactions: InteractionInput[];
  cursor: string | null;
}

/** Services the host hands to a channel. */
export interface ChannelContext extends PluginContext {
  /** The tenant the channel's items are stored in. */
  tenantId: string;
  signal: AbortSignal;
  /** A key-value store scoped to this plugin and account. */
  kv: {
    get(key: string): Promise<string | null>;
    set(key: string, value: string): Promise<void>;
  };
}

/** A raw webhook request: verification happens on the exact bytes received. */
export interface WebhookRequest {
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

/** A message the outbox asks the channel to send. */
export interface OutboundMessage {
  /** Reused on every retry of this message; map it to the channel's native idempotency. */
  idempotencyKey: string;
  account: string;
  to: { externalId: string; handle?: string };
  /** The external id of the item replied to, for threading. */
  inReplyTo?: string;
  /** The channel's thread reference of the conversation. */
  thread?: string;
  /**
   * What the channel stored in the metadata of the item replied to (for example an email's
   * `references` and `subject`), so a plugin can thread without reading its own history.
   */
  context?: Record<string, unknown>;
  /** A subject line, for channels that have one (email); plugins derive one when absent. */
  subject?: string;
  text: string;
}

/** What the channel says about a sent message. */
export interface SendResult {
  externalId: string;
  sentAt: Date;
}

/** A started channel. */
export interface ChannelConnection {
  read?(request: { cursor: string | null; lookbackMs: number }): AsyncIterable<ChannelBatch>;
  subscribe?(request: { cursor: string | null }): AsyncIterable<ChannelBatch>;
  webhook?: {
    verify(request: WebhookRequest): MaybePromise<boolean>;
    handshake?(request: WebhookRequest): MaybePromise<{ status: number; body: string } | null>;
    parse(request: WebhookRequest): MaybePromise<InteractionInput[]>;
  };
  send?(message: OutboundMessage): Promise<SendResult>;
  /** Finds an already sent message after an ambiguous failure, before any retry. */
  reconcile?(message: OutboundMessage): Promise<SendResult | null>;
  close?(): MaybePromise<void>;
}

/**
 * A channel plugin: two-way (ingest and reply on the same channel). The manifest is data; `init`
 * connects with the host's services.
 */
export interface ChannelPlugin extends PluginBase<typeof CHANNEL_SPEC_VERSION, ChannelCapabilities> {
  readonly displayName: string;
  /** The interaction channel this instance reads and replies on (`email`, `mastodon`, …). */
  readonly channel: string;
  /** The organization's account this instance acts as (a mailbox, a bot, an endpoint). */
  readonly account: string;
  /** Options schema, with defaults and descriptions. */
  readonly optionsSchema: z.ZodType;
  /** Option keys that hold secrets (never logged). */
  readonly secrets: readonly string[];
  readonly rateLimits: readonly RateLimit[];
  init(context: ChannelContext): MaybePromise<ChannelConnection>;
}

/** How the host treats a channel failure. */
export type ChannelErrorKind =
  | 'rate-limited'
  | 'transient'
  | 'auth'
  | 'config'
  | 'permanent'
  | 'cursor-invalid'
  | 'policy';

/** A typed channel failure. */
export class ChannelError extends RapportError {
  readonly kind: ChannelErrorKind;
  /** For `rate-limited`: when to try again. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: ChannelErrorKind,
    message: string,
    options: {
      cause?: unknown;
      retryAfterMs?: number;
      plugin?: string;
      /** What to do about it (for `auth` and `config`: which credential or option to fix). */
      hint?: string;
      /** Where the offending option or field is, e.g. `['imap', 'host']`. */
      path?: ErrorPath;
    } = {},
  ) {
    super('RAPPORT_CHANNEL_ERROR', message, {
      cause: options.cause,
      plugin: options.plugin,
      ...(options.hint !== undefined ? { hint: options.hint } : {}),
      ...(options.path !== undefined ? { path: options.path } : {}),
      retryable: kind === 'rate-limited' || kind === 'transient',
    });
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
  }
}
