import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type Consent,
  type Conversation,
  type Customer,
  type Identity,
  type Interaction,
  type MergeRecord,
  newId,
  type Score,
  type StorageContext,
  silentLogger,
  systemClock,
} from '@rapport/core';
import { storedInteraction } from '@rapport/testkit';
import { afterEach } from 'vitest';
import { type SqliteStorageOptions, type SqliteStoragePlugin, sqliteStorage } from '../src/index.js';

/** The context the runtime would hand to `init`, without log noise. */
export const context: StorageContext = { logger: silentLogger, clock: systemClock };

export const TENANT = 'acme';

const dirs: string[] = [];

/** A fresh temporary directory, removed after the current test. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-sqlite-'));
  dirs.push(dir);
  return dir;
}

/** A database path in a fresh temporary directory. */
export function tempDb(name = 'rapport.db'): string {
  return path.join(tempDir(), name);
}

const at = (ms: number) => new Date(Date.UTC(2024, 0, 1) + ms);

export function customer(overrides: Partial<Customer> = {}): Customer {
  return {
    id: newId(),
    tenantId: TENANT,
    displayName: 'Ada Lovelace',
    primaryEmail: 'ada@example.com',
    attributes: {},
    tags: [],
    status: 'active',
    mergedInto: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function identity(customerId: string, overrides: Partial<Identity> = {}): Identity {
  return {
    id: newId(),
    tenantId: TENANT,
    customerId,
    channel: 'mastodon',
    externalId: newId(),
    handle: null,
    displayName: null,
    email: null,
    verified: false,
    source: 'ingest:mastodon',
    createdAt: at(0),
    ...overrides,
  };
}

export function interaction(overrides: Partial<Interaction> = {}): Interaction {
  return storedInteraction({
    id: newId(),
    tenantId: TENANT,
    account: '@brand',
    externalId: newId(),
    text: 'hello',
    occurredAt: at(1000),
    receivedAt: at(2000),
    actorExternalId: 'someone',
    ...overrides,
  });
}

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: newId(),
    tenantId: TENANT,
    channel: 'mastodon',
    account: '@brand',
    externalId: newId(),
    customerId: null,
    startedAt: at(0),
    lastInteractionAt: at(0),
    interactionCount: 0,
    case: null,
    ...overrides,
  };
}

export function consent(customerId: string, overrides: Partial<Consent> = {}): Consent {
  return {
    id: newId(),
    tenantId: TENANT,
    customerId,
    purpose: 'marketing',
    channel: '*',
    status: 'granted',
    at: at(0),
    source: 'form',
    ...overrides,
  };
}

export function score(customerId: string, overrides: Partial<Score> = {}): Score {
  return {
    tenantId: TENANT,
    customerId,
    name: 'engagement',
    value: 1,
    model: { id: 'engagement-v1', version: '1.0.0' },
    computedAt: at(0),
    ...overrides,
  };
}

export function merge(
  survivor: Customer,
  absorbed: Customer,
  overrides: Partial<MergeRecord> = {},
): MergeRecord {
  return {
    id: newId(),
    tenantId: TENANT,
    survivorId: survivor.id,
    absorbedId: absorbed.id,
    reason: 'manual',
    actor: 'user:1',
    at: at(5000),
    identityIds: [],
    conversationIds: [],
    consentIds: [],
    addedTags: [],
    addedAttributes: [],
    filledFields: [],
    absorbedSnapshot: absorbed,
    unmergedAt: null,
    unmergedBy: null,
    ...overrides,
  };
}

export { at };

const opened: Array<{ close(): unknown }> = [];

/** An initialised store (a temp file unless `filename` says otherwise), closed after the test. */
export async function openStore(options: SqliteStorageOptions = {}): Promise<SqliteStoragePlugin> {
  const storage = sqliteStorage({ filename: tempDb(), ...options });
  await storage.init(context);
  opened.push(storage);
  return storage;
}

/** A promise with its resolve function, to hold a unit of work open at a chosen point. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

// One hook, so stores are closed before their directories go.
afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
