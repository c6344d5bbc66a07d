import { parsePluginOptions, RapportError } from '@rapport/core';
import { z } from 'zod';
import { channelError, PLUGIN } from './errors.js';

const DAY_MS = 86_400_000;

const hostSchema = z.string().min(1).describe('Server host name or IP address.');
const portSchema = z.number().int().min(1).max(65_535);

/** IMAP server options. */
const imapSchema = z
  .object({
    host: hostSchema,
    port: portSchema.optional().describe('Server port; 993 when `secure`, else 143.'),
    secure: z
      .boolean()
      .default(true)
      .describe('TLS from the first byte (IMAPS). When false, STARTTLS is used if the server offers it.'),
    user: z.string().min(1).optional().describe('Login name; defaults to `address`.'),
    password: z.string().min(1).describe('Password (or app password) of the mailbox. A secret.'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse TLS certificates that do not verify. Turn off only for a self-signed test server.'),
  })
  .strict();

/** SMTP server options. */
const smtpSchema = z
  .object({
    host: hostSchema,
    port: portSchema.optional().describe('Server port; 465 when `secure`, else 587.'),
    secure: z
      .boolean()
      .default(true)
      .describe('TLS from the first byte (SMTPS). When false, STARTTLS is used if the server offers it.'),
    user: z.string().min(1).optional().describe('Login name; defaults to the IMAP login name.'),
    password: z.string().min(1).optional().describe('Password; defaults to the IMAP password. A secret.'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse TLS certificates that do not verify. Turn off only for a self-signed test server.'),
  })
  .strict();

/** Schema of the options of {@link emailChannel}. Unknown keys are rejected so typos surface. */
export const emailChannelOptionsSchema = z
  .object({
    address: z
      .string()
      .email()
      .describe(
        'The support mailbox’s address: replies are sent from it, and mail from it is the organization’s own (outbound).',
      ),
    name: z.string().min(1).optional().describe('Display name in the From header of replies.'),
    account: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('The `account` of every interaction; defaults to `address`.'),
    imap: imapSchema.describe('Where mail is read (IMAP).'),
    smtp: smtpSchema.describe('Where replies are sent (SMTP submission).'),
    mailbox: z.string().min(1).default('INBOX').describe('The mailbox read for customer mail.'),
    sentMailbox: z
      .string()
      .min(1)
      .default('Sent')
      .describe('Where a copy of every reply is stored; `reconcile` looks for replies there.'),
    messageIdDomain: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name')
      .optional()
      .describe('Right-hand side of the Message-IDs of replies; defaults to the domain of `address`.'),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(50)
      .describe('Messages per batch handed to the host (each batch is stored, then its cursor committed).'),
    backfillDays: z
      .number()
      .min(0)
      .max(36_500)
      .default(30)
      .describe('How far back the first read (no cursor yet) goes, in days of arrival time.'),
    minResyncWindowMs: z
      .number()
      .int()
      .min(0)
      .default(DAY_MS)
      .describe(
        'After the mailbox’s UIDVALIDITY changed (it was recreated or restored), mail that arrived this long ago or later is read again; the host’s lookback widens it.',
      ),
    idleDelayMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(100)
      .describe('How soon `subscribe` enters IMAP IDLE after its last command, in milliseconds.'),
    pollIntervalMs: z
      .number()
      .int()
      .min(1_000)
      .default(60_000)
      .describe('How often `subscribe` checks for new mail even without an IDLE notification.'),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .default(20_000)
      .describe('Connection and greeting timeout for IMAP and SMTP, in milliseconds.'),
    verifyOnInit: z
      .boolean()
      .default(true)
      .describe('Log in to IMAP and SMTP in `init`, so wrong credentials fail at start-up.'),
  })
  .strict();

/** Options of {@link emailChannel}, as the caller writes them. */
export type EmailChannelOptions = z.input<typeof emailChannelOptionsSchema>;

/** Options of {@link emailChannel} with defaults and derived values filled in. */
export interface ResolvedEmailChannelOptions
  extends Omit<z.output<typeof emailChannelOptionsSchema>, 'imap' | 'smtp' | 'account' | 'address'> {
  /** The support address, lower case. */
  address: string;
  account: string;
  messageIdDomain: string;
  imap: Required<z.output<typeof imapSchema>>;
  smtp: Required<z.output<typeof smtpSchema>>;
}

/** Option keys that hold secrets, as dotted paths. */
export const EMAIL_SECRETS = ['imap.password', 'smtp.password'] as const;

/**
 * Validates options and fills in defaults, or throws a `ChannelError` of kind `config` whose cause
 * is the `RAPPORT_INVALID_OPTIONS` error naming the offending option.
 */
export function parseEmailChannelOptions(options: unknown): ResolvedEmailChannelOptions {
  let parsed: z.output<typeof emailChannelOptionsSchema>;
  try {
    parsed = parsePluginOptions(emailChannelOptionsSchema, options, 'emailChannel', PLUGIN);
  } catch (error) {
    if (!(error instanceof RapportError)) throw error;
    throw channelError('config', error.message, error, { hint: error.hint });
  }
  const address = parsed.address.toLowerCase();
  const imapUser = parsed.imap.user ?? address;
  return {
    ...parsed,
    address,
    account: parsed.account ?? address,
    messageIdDomain: parsed.messageIdDomain ?? address.slice(address.lastIndexOf('@') + 1),
    imap: {
      ...parsed.imap,
      port: parsed.imap.port ?? (parsed.imap.secure ? 993 : 143),
      user: imapUser,
    },
    smtp: {
      ...parsed.smtp,
      port: parsed.smtp.port ?? (parsed.smtp.secure ? 465 : 587),
      user: parsed.smtp.user ?? imapUser,
      password: parsed.smtp.password ?? parsed.imap.password,
    },
  };
}
