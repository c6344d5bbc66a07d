import { type ChannelConnection, ChannelError } from '@rapport/core';
import { HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type MastodonChannelOptions,
  mastodonChannel,
  parseResetHeader,
  parseRetryAfterHeader,
} from '../src/index.js';
import { FakeMastodon } from './fake-mastodon.js';
import { connect, readAll, rejectionOf } from './support.js';

let fake: FakeMastodon;
let connection: ChannelConnection;

function optionsFor(overrides: Partial<MastodonChannelOptions> = {}): MastodonChannelOptions {
  return {
    instanceUrl: fake.origin,
    accessToken: fake.token,
    accountId: fake.self.id,
    acct: fake.self.acct,
    streaming: false,
    inbound: { ownStatuses: false, directMessages: false },
    ...overrides,
  };
}

beforeEach(async () => {
  fake = await FakeMastodon.start();
  connection = await connect(mastodonChannel(optionsFor()), optionsFor());
});

afterEach(async () => {
  await fake.close();
});

async function readError(): Promise<ChannelError> {
  const error = await rejectionOf(readAll(connection, null));
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe('HTTP failures become typed channel errors', () => {
  it('429 with X-RateLimit-Reset: rate-limited, retrying after the reset', async () => {
    fake.rateLimitNext(90_000);

    const error = await readError();

    expect(error.kind).toBe('rate-limited');
    expect(error.retryable).toBe(true);
    expect(error.plugin).toBe('mastodon');
    expect(error.retryAfterMs).toBeGreaterThan(80_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  it('429 with Retry-After: that wait wins', async () => {
    fake.failNext(() =>
      HttpResponse.json({ error: 'Too many requests' }, { status: 429, headers: { 'Retry-After': '17' } }),
    );

    const error = await readError();

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(17_000);
  });

  it('429 without any header still says when to try again', async () => {
    fake.failNext(() => HttpResponse.json({ error: 'Too many requests' }, { status: 429 }));
    const error = await readError();
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  it('401: auth', async () => {
    const options = optionsFor({ accessToken: 'revoked-token' });
    const revoked = await connect(mastodonChannel(options), options);

    const error = await rejectionOf(readAll(revoked, null));

    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).kind).toBe('auth');
    expect((error as ChannelError).retryable).toBe(false);
    expect((error as ChannelError).message).toMatch(/The access token is invalid/);
  });

  it('401 at start-up when the account must be looked up: init fails with auth', async () => {
    const options = optionsFor({ accessToken: 'revoked-token', accountId: undefined, acct: undefined });
    const error = await rejectionOf(connect(mastodonChannel(options), options));
    expect((error as ChannelError).kind).toBe('auth');
  });

  it('403 outside the token scopes: auth; other 403s: policy', async () => {
    fake.failNext(() =>
      HttpResponse.json({ error: 'This action is outside the authorized scopes' }, { status: 403 }),
    );
    expect((await readError()).kind).toBe('auth');
    fake.failNext(() => HttpResponse.json({ error: 'Your account is currently disabled' }, { status: 403 }));
    expect((await readError()).kind).toBe('policy');
  });

  it('5xx: transient, keeping a Retry-After', async () => {
    fake.failNext(() =>
      HttpResponse.json({ error: 'Service unavailable' }, { status: 503, headers: { 'Retry-After': '5' } }),
    );

    const error = await readError();

    expect(error.kind).toBe('transient');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(5_000);
  });

  it("a proxy's HTML error page: transient", async () => {
    fake.failNext(
      () =>
        new HttpResponse('<html><body>502 Bad Gateway</body></html>', {
          status: 502,
          headers: { 'Content-Type': 'text/html' },
        }),
    );
    expect((await readError()).kind).toBe('transient');
  });

  it('a network failure: transient', async () => {
    fake.failNext(() => HttpResponse.error());
    expect((await readError()).kind).toBe('transient');
  });

  it('a wrong account id: config', async () => {
    const options = optionsFor({ accountId: '424242', inbound: { ownStatuses: true, mentions: false } });
    const wrong = await connect(mastodonChannel(options), options);
    const error = await rejectionOf(readAll(wrong, null));
    expect((error as ChannelError).kind).toBe('config');
  });

  it('an answer that is not a list: transient', async () => {
    fake.failNext(() => HttpResponse.json({ unexpected: true }));
    expect((await readError()).kind).toBe('transient');
  });
});

describe('the rate-limit budget', () => {
  it('stops before a 429 once the server says no request is left, until the reset', async () => {
    const reset = new Date(Date.now() + 120_000).toISOString();
    fake.failNext(() =>
      HttpResponse.json([], {
        headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset },
      }),
    );
    await readAll(connection, null);
    const requestsBefore = fake.requests.length;

    const error = await readError();

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBeGreaterThan(100_000);
    expect(fake.requests.length).toBe(requestsBefore);
  });
});

describe('header parsing', () => {
  const now = new Date('2024-05-01T12:00:00.000Z');

  it('reads Mastodon’s ISO reset, epoch seconds and plain seconds', () => {
    expect(parseResetHeader('2024-05-01T12:05:00.000000Z', now)).toBe(300_000);
    expect(parseResetHeader(String(now.getTime() / 1000 + 30), now)).toBe(30_000);
    expect(parseResetHeader('45', now)).toBe(45_000);
    expect(parseResetHeader('2024-05-01T11:00:00Z', now)).toBe(0);
    expect(parseResetHeader('soon', now)).toBeUndefined();
    expect(parseResetHeader(null, now)).toBeUndefined();
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfterHeader('120', now)).toBe(120_000);
    expect(parseRetryAfterHeader('Wed, 01 May 2024 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfterHeader('', now)).toBeUndefined();
  });
});
