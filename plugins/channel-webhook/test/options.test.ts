import { CHANNEL_SPEC_VERSION, isRapportError, type RapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { version } from '../package.json';
import { parseWebhookChannelOptions, webhookChannel, webhookChannelOptionsSchema } from '../src/index.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function optionsError(options: unknown): RapportError {
  try {
    parseWebhookChannelOptions(options);
  } catch (error) {
    if (isRapportError(error, 'RAPPORT_INVALID_OPTIONS')) return error;
    throw error;
  }
  throw new Error('expected the options to be refused');
}

describe('webhookChannel options', () => {
  it('fills in defaults', () => {
    expect(parseWebhookChannelOptions({ account: 'acme', secret: SECRET })).toEqual({
      channel: 'webhook',
      account: 'acme',
      secret: SECRET,
      previousSecrets: [],
      headers: {},
      timeoutMs: 10_000,
      toleranceMs: 300_000,
    });
  });

  it('names an unknown option by its own path and lists the known ones', () => {
    const error = optionsError({ account: 'acme', secret: SECRET, timeout: 5 });
    expect(error.jsonPath).toBe('$.timeout');
    expect(error.hint).toContain('timeoutMs');
    expect(error.plugin).toBe('webhook');
  });

  it('refuses a missing or malformed secret without echoing it', () => {
    expect(optionsError({ account: 'acme' }).jsonPath).toBe('$.secret');
    const bad = optionsError({ account: 'acme', secret: 'whsec_***not-base64***' });
    expect(bad.jsonPath).toBe('$.secret');
    expect(bad.message).not.toContain('not-base64');
    expect(optionsError({ account: 'acme', secret: SECRET, previousSecrets: ['whsec_!'] }).jsonPath).toBe(
      '$.previousSecrets[0]',
    );
  });

  it('refuses a url that is not http(s)', () => {
    expect(optionsError({ account: 'acme', secret: SECRET, url: 'ftp://example.com/x' }).jsonPath).toBe(
      '$.url',
    );
    expect(optionsError({ account: 'acme', secret: SECRET, url: 'not a url' }).jsonPath).toBe('$.url');
  });

  it('refuses headers that would override the signature or the content type', () => {
    for (const name of ['Webhook-Signature', 'webhook-id', 'Content-Type']) {
      expect(optionsError({ account: 'acme', secret: SECRET, headers: { [name]: 'x' } }).jsonPath).toBe(
        '$.headers',
      );
    }
  });

  it('refuses a channel id that is not one', () => {
    expect(optionsError({ account: 'acme', secret: SECRET, channel: 'My Shop' }).jsonPath).toBe('$.channel');
  });
});

describe('the plugin manifest', () => {
  it('is data: id from the channel, spec version, capabilities, secrets', () => {
    const plugin = webhookChannel({
      channel: 'shop',
      account: 'acme',
      secret: SECRET,
      url: 'https://shop.example.com/in',
    });
    expect(plugin).toMatchObject({
      id: 'shop',
      version,
      specVersion: CHANNEL_SPEC_VERSION,
      displayName: 'Webhook (shop)',
      rateLimits: [],
      capabilities: {
        inbound: ['webhook'],
        backfill: { supported: false },
        outbound: ['reply', 'message'],
        nativeIdempotency: true,
        mutableItems: true,
      },
    });
    expect(plugin.secrets).toEqual(['secret', 'previousSecrets', 'headers']);
    expect(plugin.optionsSchema).toBe(webhookChannelOptionsSchema);
    expect(Object.isFrozen(plugin.capabilities)).toBe(true);
  });

  it('declares no outbound capability without a url', () => {
    const plugin = webhookChannel({ account: 'acme', secret: SECRET });
    expect(plugin.id).toBe('webhook');
    expect(plugin.capabilities.outbound).toEqual([]);
  });

  it('documents every option', () => {
    for (const [key, schema] of Object.entries(webhookChannelOptionsSchema.shape)) {
      expect(schema.description, key).toBeTruthy();
    }
  });
});
