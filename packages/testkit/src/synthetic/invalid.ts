import { toJsonPath } from '@rapport/core';
import { SeededRandom } from './random.js';
import { EMAIL_DOMAINS, FIRST_NAMES, FIRST_NAMES_DISPLAY, LAST_NAMES, LAST_NAMES_DISPLAY } from './words.js';

/** A deliberately broken item and where validation must point. */
export interface InvalidItem {
  /** Which mistake this is (see {@link INVALID_ITEM_CASES}). */
  case: InvalidItemCase;
  /** What is wrong, in words. */
  description: string;
  /** The broken item: a valid item with exactly one mistake. */
  item: Record<string, unknown>;
  /** Path of the offending value, as zod and `RapportError.path` report it (`[]`: the item itself). */
  path: Array<string | number>;
  /** The same path as a JSON path (`$.actor.email`), as `RapportError.jsonPath` reports it. */
  jsonPath: string;
}

type Item = Record<string, unknown>;

interface CaseDefinition {
  description: string;
  path: Array<string | number>;
  /** Breaks a fresh valid item in place. */
  breakIt: (item: Item) => void;
}

const actorOf = (item: Item): Item => item.actor as Item;

/**
 * The mistakes, each breaking exactly one thing so that validation reports exactly one issue.
 * Cross-field rules (purchase amount, currency, referral) only run once the rest is valid, so
 * those cases keep everything else correct.
 */
const CASES = {
  'missing-actor': {
    description: 'no actor',
    path: ['actor'],
    breakIt: (item) => {
      delete item.actor;
    },
  },
  'missing-actor-external-id': {
    description: 'the actor has no externalId',
    path: ['actor', 'externalId'],
    breakIt: (item) => {
      delete actorOf(item).externalId;
    },
  },
  'bad-actor-email': {
    description: 'the actor email is not an address',
    path: ['actor', 'email'],
    breakIt: (item) => {
      actorOf(item).email = 'not-an-address';
    },
  },
  'bad-link-channel': {
    description: 'an actor link names an invalid channel id',
    path: ['actor', 'links', 1, 'channel'],
    breakIt: (item) => {
      actorOf(item).links = [
        { channel: 'forum', externalId: '10042' },
        { channel: 'Not A Channel', externalId: 'x1' },
      ];
    },
  },
  'missing-external-id': {
    description: 'no externalId',
    path: ['externalId'],
    breakIt: (item) => {
      delete item.externalId;
    },
  },
  'numeric-external-id': {
    description: 'externalId given as a number',
    path: ['externalId'],
    breakIt: (item) => {
      item.externalId = 1_712_000_000_000;
    },
  },
  'bad-occurred-at': {
    description: 'occurredAt is not a date',
    path: ['occurredAt'],
    breakIt: (item) => {
      item.occurredAt = 'yesterday at noon';
    },
  },
  'missing-occurred-at': {
    description: 'no occurredAt',
    path: ['occurredAt'],
    breakIt: (item) => {
      delete item.occurredAt;
    },
  },
  'bad-received-at': {
    description: 'receivedAt is an impossible date',
    path: ['receivedAt'],
    breakIt: (item) => {
      item.receivedAt = '2024-13-45T99:00:00Z';
    },
  },
  'bad-kind-format': {
    description: 'kind is not a lower-case kind',
    path: ['kind'],
    breakIt: (item) => {
      item.kind = 'Direct Message!';
    },
  },
  'bad-direction': {
    description: 'direction is neither inbound nor outbound',
    path: ['direction'],
    breakIt: (item) => {
      item.direction = 'incoming';
    },
  },
  'bad-channel': {
    description: 'channel is not a channel id',
    path: ['channel'],
    breakIt: (item) => {
      item.channel = 'E-Mail';
    },
  },
  'empty-account': {
    description: 'account is empty',
    path: ['account'],
    breakIt: (item) => {
      item.account = '';
    },
  },
  'negative-version': {
    description: 'version is negative',
    path: ['version'],
    breakIt: (item) => {
      item.version = -1;
    },
  },
  'text-not-string': {
    description: 'text is a number',
    path: ['text'],
    breakIt: (item) => {
      item.text = 42;
    },
  },
  'unknown-key': {
    description: 'an unknown top-level key (a typo of a field, or data that belongs in metadata)',
    path: [],
    breakIt: (item) => {
      item.customerEmail = 'someone@mail.example';
    },
  },
  'purchase-without-amount': {
    description: 'a purchase without an amount',
    path: ['amount'],
    breakIt: (item) => {
      item.kind = 'purchase';
      delete item.text;
      item.currency = 'USD';
    },
  },
  'amount-without-currency': {
    description: 'an amount without a currency',
    path: ['currency'],
    breakIt: (item) => {
      item.kind = 'purchase';
      delete item.text;
      item.amount = 49.5;
    },
  },
  'bad-currency': {
    description: 'a currency that is not an ISO 4217 code',
    path: ['currency'],
    breakIt: (item) => {
      item.kind = 'purchase';
      delete item.text;
      item.amount = 19;
      item.currency = 'usd';
    },
  },
  'non-finite-amount': {
    description: 'an infinite amount',
    path: ['amount'],
    breakIt: (item) => {
      item.kind = 'purchase';
      delete item.text;
      item.amount = Number.POSITIVE_INFINITY;
      item.currency = 'EUR';
    },
  },
  'referral-without-referred': {
    description: 'a referral that does not say who was referred',
    path: ['referred'],
    breakIt: (item) => {
      item.kind = 'referral';
    },
  },
  'bad-recipient-email': {
    description: 'an outbound item whose recipient email is not an address',
    path: ['recipient', 'email'],
    breakIt: (item) => {
      item.recipient = { ...actorOf(item), email: 'ada@' };
      item.direction = 'outbound';
      item.actor = { externalId: 'acme', handle: 'acme' };
    },
  },
  'bad-tenant': {
    description: 'a tenant id with forbidden characters',
    path: ['tenant'],
    breakIt: (item) => {
      item.tenant = '../other-tenant';
    },
  },
} satisfies Record<string, CaseDefinition>;

/** The name of a kind of mistake produced by {@link invalidItems}. */
export type InvalidItemCase = keyof typeof CASES;

/** Every kind of mistake {@link invalidItems} produces, in the order it cycles through them. */
export const INVALID_ITEM_CASES = Object.keys(CASES) as InvalidItemCase[];

/**
 * `n` deliberately broken items, deterministic for `seed`, each a valid item with exactly one
 * mistake and the path validation must report for it. They cycle through
 * {@link INVALID_ITEM_CASES} (from a seed-dependent starting point), so `n` ≥ the number of cases
 * covers every case. Useful to test that rejections carry the right path and hint.
 */
export function invalidItems(seed = 42, n: number = INVALID_ITEM_CASES.length): InvalidItem[] {
  const random = new SeededRandom(seed);
  const offset = random.int(INVALID_ITEM_CASES.length);
  const out: InvalidItem[] = [];
  for (let i = 0; i < n; i++) {
    const name = INVALID_ITEM_CASES[(offset + i) % INVALID_ITEM_CASES.length] as InvalidItemCase;
    const definition: CaseDefinition = CASES[name];
    const item = validItem(random, i);
    definition.breakIt(item);
    out.push({
      case: name,
      description: definition.description,
      item,
      path: [...definition.path],
      jsonPath: toJsonPath(definition.path),
    });
  }
  return out;
}

/** A valid inbound email message, the starting point of every broken item. */
function validItem(random: SeededRandom, i: number): Item {
  const first = random.int(FIRST_NAMES.length);
  const last = random.int(LAST_NAMES.length);
  const email = `${FIRST_NAMES[first]}.${LAST_NAMES[last]}${i}@${random.pick(EMAIL_DOMAINS)}`;
  return {
    channel: 'email',
    account: 'support@acme.example',
    externalId: `m${i}.${random.int(1_000_000)}@mail.example`,
    direction: 'inbound',
    kind: 'message',
    text: 'Hello, my order has not arrived yet.',
    occurredAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
    actor: {
      externalId: email,
      email,
      verified: true,
      displayName: `${FIRST_NAMES_DISPLAY[first]} ${LAST_NAMES_DISPLAY[last]}`,
    },
  };
}
