import { describe, expect, it } from 'vitest';
import { storedInteraction, T0 } from '../src/index.js';

describe('storedInteraction', () => {
  it('is a complete inbound message with empty optional fields and fresh ids', () => {
    const first = storedInteraction();
    const second = storedInteraction();
    expect(first).toMatchObject({
      id: expect.stringMatching(/^int_\d+$/),
      tenantId: 'default',
      externalId: expect.stringMatching(/^ext_\d+$/),
      direction: 'inbound',
      kind: 'message',
      occurredAt: new Date(T0),
      receivedAt: new Date(T0),
      actorExternalId: 'someone',
      scores: [],
      metadata: {},
    });
    const empty = Object.entries(first).filter(([, value]) => value === null);
    expect(empty.map(([key]) => key).sort()).toEqual(
      'actorHandle amount conversationId currency customerId identityId language parent referredCustomerId referredIdentityId text thread'.split(
        ' ',
      ),
    );
    expect(Object.keys(first)).toHaveLength(26);
    expect(second.id).not.toBe(first.id);
    expect(second.externalId).not.toBe(first.externalId);
  });

  it('takes overrides, receives at the given time and acts as the given customer unless told', () => {
    const at = new Date('2025-05-01T00:00:00Z');
    expect(storedInteraction({ customerId: 'bob', occurredAt: at, kind: 'reply' })).toMatchObject({
      customerId: 'bob',
      actorExternalId: 'bob',
      kind: 'reply',
      occurredAt: at,
      receivedAt: at,
    });
    const later = new Date('2025-05-02T00:00:00Z');
    expect(
      storedInteraction({
        customerId: 'bob',
        actorExternalId: 'bob@forum',
        occurredAt: at,
        receivedAt: later,
      }),
    ).toMatchObject({ actorExternalId: 'bob@forum', occurredAt: at, receivedAt: later });
  });
});
