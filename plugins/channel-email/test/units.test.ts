import { ChannelError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { uidSet } from '../src/imap.js';
import {
  EMAIL_CAPABILITIES,
  emailChannel,
  emailMessageId,
  formatCursor,
  imapFailure,
  parseCursor,
  parseEmailChannelOptions,
  replySubject,
  smtpFailure,
  threadRefs,
} from '../src/index.js';

const minimal = {
  address: 'Support@Acme.test',
  imap: { host: 'imap.acme.test', password: 'secret' },
  smtp: { host: 'smtp.acme.test' },
};

describe('options', () => {
  it('fills in defaults: ports from TLS, logins and SMTP password from IMAP, domain from the address', () => {
    const options = parseEmailChannelOptions(minimal);
    expect(options).toMatchObject({
      address: 'support@acme.test',
      account: 'support@acme.test',
      messageIdDomain: 'acme.test',
      mailbox: 'INBOX',
      sentMailbox: 'Sent',
      batchSize: 50,
      imap: { port: 993, secure: true, user: 'support@acme.test', password: 'secret' },
      smtp: { port: 465, secure: true, user: 'support@acme.test', password: 'secret' },
    });
    const plain = parseEmailChannelOptions({
      ...minimal,
      imap: { ...minimal.imap, secure: false },
      smtp: { ...minimal.smtp, secure: false, user: 'relay', password: 'other' },
    });
    expect(plain.imap.port).toBe(143);
    expect(plain.smtp).toMatchObject({ port: 587, user: 'relay', password: 'other' });
  });

  it('rejects a typo or a bad value as a config error naming the option', () => {
    const typo = (() => {
      try {
        emailChannel({ ...minimal, mailBox: 'INBOX' } as never);
      } catch (error) {
        return error;
      }
    })();
    expect(typo).toBeInstanceOf(ChannelError);
    expect((typo as ChannelError).kind).toBe('config');
    expect((typo as ChannelError).message).toContain('mailBox');

    expect(() => parseEmailChannelOptions({ ...minimal, address: 'not an address' })).toThrow(/address/);
    expect(() => parseEmailChannelOptions({ ...minimal, imap: { host: 'x' } })).toThrow(/password/);
  });

  it('declares its manifest as data', () => {
    const plugin = emailChannel(minimal);
    expect(plugin).toMatchObject({
      id: 'email',
      specVersion: 'rapport.channel/v1',
      secrets: ['imap.password', 'smtp.password'],
      rateLimits: [],
      capabilities: EMAIL_CAPABILITIES,
    });
    expect(plugin.capabilities.nativeIdempotency).toBe(false);
    expect(plugin.optionsSchema.safeParse(minimal).success).toBe(true);
  });
});

describe('cursor', () => {
  it('round-trips UIDVALIDITY beyond 2^53 exactly', () => {
    const cursor = { uidValidity: '18446744073709551615', lastUid: 42 };
    expect(parseCursor(formatCursor(cursor))).toEqual(cursor);
  });

  it('rejects anything else as cursor-invalid', () => {
    for (const bad of ['', '12', '12:', 'a:1', '1:2:3', '1:-4']) {
      expect(() => parseCursor(bad)).toThrow(expect.objectContaining({ kind: 'cursor-invalid' }));
    }
  });
});

describe('uidSet', () => {
  it('compresses runs', () => {
    expect(uidSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
    expect(uidSet([9])).toBe('9');
    expect(uidSet([])).toBe('');
  });
});

describe('replies', () => {
  it('derives one Message-ID per idempotency key', () => {
    expect(emailMessageId('k1', 'acme.test')).toBe(emailMessageId('k1', 'acme.test'));
    expect(emailMessageId('k1', 'acme.test')).not.toBe(emailMessageId('k2', 'acme.test'));
    expect(emailMessageId('k1', 'acme.test')).toMatch(/^<rapport\.[0-9a-f]{40}@acme\.test>$/);
  });

  it('continues the References of the replied-to message and ends them with it', () => {
    expect(
      threadRefs({
        inReplyTo: '<b@x>',
        context: { messageId: '<b@x>', references: ['<root@x>', '<a@x>'] },
      }),
    ).toEqual({ inReplyTo: '<b@x>', references: ['<root@x>', '<a@x>', '<b@x>'] });
    expect(threadRefs({ context: { messageId: '<only@x>' } })).toEqual({
      inReplyTo: '<only@x>',
      references: ['<only@x>'],
    });
    expect(threadRefs({ inReplyTo: '<b@x>', thread: '<root@x>' })).toEqual({
      inReplyTo: '<b@x>',
      references: ['<root@x>', '<b@x>'],
    });
    expect(threadRefs({})).toEqual({ references: [] });
  });

  it('prefixes Re: once', () => {
    expect(replySubject(undefined, { subject: 'Order' }, true)).toBe('Re: Order');
    expect(replySubject(undefined, { subject: 'RE: Order' }, true)).toBe('RE: Order');
    expect(replySubject('Custom', { subject: 'Order' }, true)).toBe('Custom');
    expect(replySubject(undefined, undefined, false)).toBe('(no subject)');
  });
});

describe('error kinds', () => {
  const kindOf = (error: ChannelError) => error.kind;

  it('maps IMAP failures', () => {
    expect(kindOf(imapFailure('login', Object.assign(new Error('no'), { authenticationFailed: true })))).toBe(
      'auth',
    );
    expect(kindOf(imapFailure('x', Object.assign(new Error('down'), { code: 'ECONNREFUSED' })))).toBe(
      'transient',
    );
    expect(kindOf(imapFailure('x', Object.assign(new Error('slow'), { code: 'GREETING_TIMEOUT' })))).toBe(
      'transient',
    );
    expect(kindOf(imapFailure('x', Object.assign(new Error('gone'), { mailboxMissing: true })))).toBe(
      'config',
    );
    expect(kindOf(imapFailure('x', Object.assign(new Error('tls'), { tlsFailed: true })))).toBe('config');
    const throttled = imapFailure(
      'x',
      Object.assign(new Error('slow down'), { code: 'ETHROTTLE', throttleReset: 7_000 }),
    );
    expect(throttled).toMatchObject({ kind: 'rate-limited', retryAfterMs: 7_000, retryable: true });
    const passthrough = new ChannelError('policy', 'kept');
    expect(imapFailure('x', passthrough)).toBe(passthrough);
  });

  it('maps SMTP failures by reply code', () => {
    const smtp = (props: Record<string, unknown>) =>
      kindOf(smtpFailure('send', Object.assign(new Error('e'), props)));
    expect(smtp({ code: 'EAUTH', responseCode: 535 })).toBe('auth');
    expect(smtp({ code: 'EENVELOPE', responseCode: 550 })).toBe('permanent');
    expect(smtp({ code: 'EMESSAGE', responseCode: 554 })).toBe('permanent');
    expect(smtp({ code: 'EMESSAGE', responseCode: 451 })).toBe('transient');
    expect(smtp({ code: 'EPROTOCOL', responseCode: 503 })).toBe('transient');
    expect(smtp({ code: 'ESOCKET' })).toBe('transient');
    expect(smtp({ code: 'ECONNECTION' })).toBe('transient');
    expect(smtp({ code: 'ETLS' })).toBe('config');
  });
});
