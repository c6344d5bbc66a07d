import { CHANNEL_SPEC_VERSION, type ChannelPlugin, isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { defaultAccountName, mastodonChannel, mastodonChannelOptionsSchema } from '../src/index.js';

const minimal = { instanceUrl: 'https://social.acme.example', accessToken: 'secret-token' };

describe('the manifest', () => {
  it('is data: id, versions, capabilities, secrets and rate limits', () => {
    const plugin = mastodonChannel(minimal) satisfies ChannelPlugin;

    expect(plugin).toMatchObject({
      id: 'mastodon',
      specVersion: CHANNEL_SPEC_VERSION,
      displayName: 'Mastodon',
      secrets: ['accessToken'],
      rateLimits: [{ scope: 'credential', requests: 300, perMs: 300_000 }],
      capabilities: {
        inbound: ['stream', 'poll'],
        backfill: { supported: true },
        outbound: ['reply', 'message'],
        nativeIdempotency: true,
        mutableItems: true,
      },
    });
    expect(plugin.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.isFrozen(plugin.capabilities)).toBe(true);
    expect(mastodonChannel({ ...minimal, streaming: false }).capabilities.inbound).toEqual(['poll']);
  });

  it('fills defaults, each option described', () => {
    const options = mastodonChannel(minimal).options;

    expect(options).toMatchObject({
      inbound: { mentions: true, directMessages: true, ownStatuses: true },
      pollIntervalMs: 60_000,
      streaming: true,
      pageSize: 40,
      defaultVisibility: 'direct',
      resolveThreads: true,
    });
    for (const [key, schema] of Object.entries(mastodonChannelOptionsSchema.shape)) {
      if (key === 'inbound') continue;
      expect(schema.description, key).toBeTruthy();
    }
  });

  it('names the offending option', () => {
    const cases: Array<[unknown, string]> = [
      [{ accessToken: 'x' }, '$.instanceUrl'],
      [{ ...minimal, instanceUrl: 'ftp://social.acme.example' }, '$.instanceUrl'],
      [{ ...minimal, accessToken: '' }, '$.accessToken'],
      [{ ...minimal, pageSize: 81 }, '$.pageSize'],
      [{ ...minimal, defaultVisibility: 'everyone' }, '$.defaultVisibility'],
      [{ ...minimal, pollIntervalMS: 1000 }, '$.pollIntervalMS'],
    ];
    for (const [options, path] of cases) {
      let thrown: unknown;
      try {
        mastodonChannel(options as never);
      } catch (error) {
        thrown = error;
      }
      expect(isRapportError(thrown, 'RAPPORT_INVALID_OPTIONS'), path).toBe(true);
      expect((thrown as { jsonPath?: string }).jsonPath).toBe(path);
    }
  });

  it('names the account acct@host unless told otherwise', () => {
    expect(defaultAccountName('acmesupport', 'https://social.acme.example')).toBe(
      'acmesupport@social.acme.example',
    );
    expect(defaultAccountName('@acme@acme.example', 'https://social.acme.example')).toBe('acme@acme.example');
  });
});
