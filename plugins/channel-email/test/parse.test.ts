import { interactionInputSchema } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { toInteraction } from '../src/index.js';

const context = { channel: 'email', account: 'support@acme.test', address: 'support@acme.test' };

function raw(headers: string[], body: string): Buffer {
  return Buffer.from([...headers, '', body, ''].join('\r\n'));
}

describe('toInteraction', () => {
  it('keeps subject, ids, recipients and the auto-reply marker in metadata', async () => {
    const item = await toInteraction(
      raw(
        [
          'From: "Doe, Jane" <JANE@Example.com>',
          'To: Support <support@acme.test>, other@acme.test',
          'Cc: boss@example.com',
          'Reply-To: jane.private@example.com',
          'Subject: =?UTF-8?Q?Caf=C3=A9_order?=',
          'Message-ID: <m2@example.com>',
          'In-Reply-To: <m1@acme.test>',
          'References: <m0@example.com>\r\n <m1@acme.test>',
          'Auto-Submitted: auto-replied',
          'Date: Tue, 05 Mar 2024 10:00:00 +0100',
        ],
        'I am out of office.',
      ),
      { ...context, internalDate: new Date('2024-03-05T09:00:05Z') },
    );
    expect(interactionInputSchema.parse(item)).toBeTruthy();
    expect(item).toMatchObject({
      externalId: '<m2@example.com>',
      direction: 'inbound',
      actor: { externalId: 'jane@example.com', handle: 'Doe, Jane', email: 'jane@example.com' },
      thread: '<m0@example.com>',
      parent: '<m1@acme.test>',
      occurredAt: new Date('2024-03-05T09:00:00Z'),
      receivedAt: new Date('2024-03-05T09:00:05Z'),
      metadata: {
        subject: 'Café order',
        messageId: '<m2@example.com>',
        references: ['<m0@example.com>', '<m1@acme.test>'],
        inReplyTo: '<m1@acme.test>',
        from: 'jane@example.com',
        to: ['support@acme.test', 'other@acme.test'],
        cc: ['boss@example.com'],
        replyTo: ['jane.private@example.com'],
        autoSubmitted: 'auto-replied',
      },
    });
  });

  it('gives a message without Message-ID a stable id of its own', async () => {
    const message = raw(
      ['From: a@example.com', 'Subject: no id', 'Date: Tue, 05 Mar 2024 10:00:00 +0000'],
      'x',
    );
    const first = await toInteraction(message, context);
    const second = await toInteraction(Buffer.from(message), context);
    expect(first.externalId).toMatch(/^<[0-9a-f]{40}@message-id\.invalid>$/);
    expect(second.externalId).toBe(first.externalId);
    expect(first.thread).toBe(first.externalId);
    expect(interactionInputSchema.parse(first)).toBeTruthy();
  });

  it('falls back to the arrival time when the Date header is missing or broken', async () => {
    const arrived = new Date('2024-01-02T03:04:05Z');
    const item = await toInteraction(
      raw(['From: a@example.com', 'Date: not a date', 'Message-ID: <d@x>'], 'x'),
      {
        ...context,
        internalDate: arrived,
      },
    );
    expect(item.occurredAt).toEqual(arrived);
  });

  it('uses the last reference as the parent when In-Reply-To is missing', async () => {
    const item = await toInteraction(
      raw(['From: a@example.com', 'Message-ID: <c@x>', 'References: <a@x> <b@x>'], 'x'),
      context,
    );
    expect(item).toMatchObject({ thread: '<a@x>', parent: '<b@x>' });
  });

  it('names an unreadable sender without inventing an email address', async () => {
    const item = await toInteraction(
      raw(['From: undisclosed-recipients:;', 'Message-ID: <u@x>'], 'x'),
      context,
    );
    expect(item.actor.externalId).toBe('(unknown sender)');
    expect(item.actor.email).toBeUndefined();
    expect(interactionInputSchema.parse(item)).toBeTruthy();
  });

  it('treats the support address in any letter case as the organization', async () => {
    const item = await toInteraction(
      raw(['From: Support <SUPPORT@ACME.TEST>', 'To: Casey <casey@example.com>', 'Message-ID: <o@x>'], 'Hi'),
      context,
    );
    expect(item.direction).toBe('outbound');
    expect(item.recipient).toEqual({
      externalId: 'casey@example.com',
      handle: 'Casey',
      displayName: 'Casey',
      email: 'casey@example.com',
    });
  });

  it('omits empty text rather than storing an empty string', async () => {
    const item = await toInteraction(raw(['From: a@example.com', 'Message-ID: <e@x>'], '   '), context);
    expect(item.text).toBeUndefined();
  });
});
