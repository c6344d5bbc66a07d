import { ChannelError, type ChannelErrorKind } from '@rapport/core';

/** The plugin id, as errors name it. */
export const PLUGIN = 'email';

/** A `ChannelError` of this plugin; `hint` says what to do. */
export function channelError(
  kind: ChannelErrorKind,
  message: string,
  cause?: unknown,
  extra: { hint?: string; retryAfterMs?: number } = {},
): ChannelError {
  return new ChannelError(kind, `email channel: ${message}`, {
    cause,
    plugin: PLUGIN,
    retryAfterMs: extra.retryAfterMs,
    ...(extra.hint !== undefined ? { hint: extra.hint } : {}),
  });
}

/** Socket errors where trying again later may work (the server is down or the network flaky). */
const TRANSIENT_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/** ImapFlow's codes for a connection that failed, closed or timed out. */
const TRANSIENT_IMAP = new Set([
  'NoConnection',
  'EConnectionClosed',
  'StateLogout',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'LockTimeout',
]);

interface ImapErrorShape {
  code?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
  mailboxMissing?: unknown;
  tlsFailed?: unknown;
  throttleReset?: unknown;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const shape = error as ImapErrorShape & { response?: unknown };
  const detail =
    typeof shape.responseText === 'string' && !error.message.includes(shape.responseText)
      ? ` (${shape.responseText})`
      : typeof shape.response === 'string' && !error.message.includes(shape.response)
        ? ` (${shape.response.trim()})`
        : '';
  return `${error.message}${detail}`;
}

/**
 * Turns what ImapFlow (or the socket under it) threw into a `ChannelError` of the right kind.
 * `ChannelError`s pass through unchanged.
 */
export function imapFailure(operation: string, error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  const shape = (error ?? {}) as ImapErrorShape;
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const response = typeof shape.serverResponseCode === 'string' ? shape.serverResponseCode.toUpperCase() : '';
  const message = `IMAP ${operation} failed: ${describe(error)}`;
  if (
    shape.authenticationFailed === true ||
    ['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED'].includes(response)
  ) {
    return channelError('auth', message, error, {
      hint: 'Check `imap.user` and `imap.password` (many providers need an app password for IMAP).',
    });
  }
  if (response === 'EXPIRED') {
    return channelError('auth', message, error, { hint: 'The credentials expired; renew them.' });
  }
  if (code === 'ETHROTTLE') {
    const reset = typeof shape.throttleReset === 'number' ? shape.throttleReset : undefined;
    return channelError('rate-limited', message, error, { retryAfterMs: reset });
  }
  if (shape.mailboxMissing === true || response === 'NONEXISTENT') {
    return channelError('config', message, error, {
      hint: 'Check the `mailbox` and `sentMailbox` options: the server has no such mailbox.',
    });
  }
  if (shape.tlsFailed === true) {
    return channelError('config', message, error, {
      hint: 'Check `imap.secure` and `imap.port` (993 is TLS from the start, 143 plaintext with STARTTLS).',
    });
  }
  if (code === 'ENOTFOUND') {
    return channelError('config', message, error, { hint: 'Check `imap.host`: it does not resolve.' });
  }
  if (response === 'OVERQUOTA' || response === 'TOOBIG') return channelError('permanent', message, error);
  if (
    (code !== undefined && (TRANSIENT_NETWORK.has(code) || TRANSIENT_IMAP.has(code))) ||
    ['UNAVAILABLE', 'INUSE', 'LIMIT', 'SERVERBUG'].includes(response)
  ) {
    return channelError('transient', message, error);
  }
  // Anything else (a NO or BAD we have no rule for, a parser error) is worth a later retry rather
  // than dropping the work: the host backs off on transient failures.
  return channelError('transient', message, error);
}

interface SmtpErrorShape {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

/**
 * Turns what Nodemailer threw into a `ChannelError`: refused logins are `auth`, 4xx replies and
 * broken connections `transient`, 5xx replies `permanent`, TLS mismatches `config`.
 */
export function smtpFailure(operation: string, error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  const shape = (error ?? {}) as SmtpErrorShape;
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const reply = typeof shape.responseCode === 'number' ? shape.responseCode : undefined;
  const message = `SMTP ${operation} failed: ${error instanceof Error ? error.message : String(error)}`;
  if (code === 'EAUTH' || code === 'ENOAUTH' || reply === 535 || reply === 534 || reply === 530) {
    return channelError('auth', message, error, {
      hint: 'Check `smtp.user` and `smtp.password` (they default to the IMAP ones).',
    });
  }
  if (code === 'ETLS' || code === 'EREQUIRETLS') {
    return channelError('config', message, error, {
      hint: 'Check `smtp.secure` and `smtp.port` (465 is TLS from the start, 587 plaintext with STARTTLS).',
    });
  }
  if (code === 'ECONFIG') return channelError('config', message, error);
  if (code === 'EDNS' && /ENOTFOUND/.test(message)) {
    return channelError('config', message, error, { hint: 'Check `smtp.host`: it does not resolve.' });
  }
  if (reply !== undefined) {
    // 503 says the session was in the wrong state, not that the message was refused.
    if (reply >= 500 && reply !== 503) return channelError('permanent', message, error);
    return channelError('transient', message, error);
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return channelError('permanent', message, error);
  return channelError('transient', message, error);
}
