import { type CaseState, newCase, newId, type OutboxMessage } from '@rapport/core';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { at, conversation, openStore, TENANT, tempDb } from './fixtures.js';

function outbox(key: string, overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: newId(),
    tenantId: TENANT,
    idempotencyKey: key,
    channel: 'email',
    account: 'support@acme.test',
    conversationId: 'conv-1',
    customerId: 'c-1',
    author: 'user:agent',
    payload: { to: { externalId: 'p@example.test' }, text: `Reply ${key}` },
    state: 'pending',
    attempts: 0,
    nextAttemptAt: at(0),
    leaseUntil: null,
    errors: [],
    externalId: null,
    sentAt: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

const openCase = (fields: Partial<CaseState> = {}): CaseState => ({
  ...newCase(at(1)),
  status: 'open',
  ...fields,
});

describe('outbox', () => {
  it('erasing a customer deletes their outbox messages', async () => {
    const storage = await openStore();
    await storage.unitOfWork(TENANT, async (u) =>
      u.insertOutbox([outbox('a', { customerId: 'c-1' }), outbox('b', { customerId: 'c-2' })]),
    );
    await storage.unitOfWork(TENANT, async (u) => u.eraseCustomer('c-1', [], at(5)));
    const left = await storage.read(TENANT).listOutbox({}, { limit: 10 });
    expect(left.items.map((m) => m.idempotencyKey)).toEqual(['b']);
  });

  it('refuses a message of another tenant, and skips one given twice in a batch', async () => {
    const storage = await openStore();
    await expect(
      storage.unitOfWork(TENANT, async (u) => u.insertOutbox([outbox('a', { tenantId: 'other' })])),
    ).rejects.toMatchObject({ code: 'RAPPORT_INVALID_INPUT' });
    const [first, again] = [outbox('k'), outbox('k')];
    expect(await storage.unitOfWork(TENANT, async (u) => u.insertOutbox([first, again]))).toEqual({
      skipped: [again.id],
    });
  });
});

describe('conversation listing by case', () => {
  it('pages through open cases newest first, with queue and assignee', async () => {
    const storage = await openStore();
    // 40 conversations: every fourth without a case, the others open, pending or closed.
    const all = Array.from({ length: 40 }, (_, n) =>
      conversation({
        lastInteractionAt: at(n % 10),
        case:
          n % 4 === 0
            ? null
            : openCase({
                status: n % 4 === 1 ? 'open' : n % 4 === 2 ? 'pending' : 'closed',
                queue: n % 3 === 0 ? 'billing' : 'tech',
                assignee: n % 5 === 0 ? 'ann' : null,
              }),
      }),
    );
    await storage.unitOfWork(TENANT, async (u) => u.insertConversations(all));
    const reader = storage.read(TENANT);
    const listAll = async (filter: Parameters<typeof reader.listConversations>[0]) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await reader.listConversations(filter, { limit: 3, cursor });
        ids.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      return ids;
    };
    const newestFirst = (items: typeof all) =>
      [...items]
        .sort(
          (a, b) => b.lastInteractionAt.getTime() - a.lastInteractionAt.getTime() || (a.id < b.id ? 1 : -1),
        )
        .map((c) => c.id);
    const open = all.filter((c) => c.case?.status === 'open' || c.case?.status === 'pending');
    expect(await listAll({ caseStatus: ['open', 'pending'] })).toEqual(newestFirst(open));
    expect(await listAll({ caseStatus: ['new', 'open', 'pending'], queue: 'billing' })).toEqual(
      newestFirst(open.filter((c) => c.case?.queue === 'billing')),
    );
    expect(await listAll({ caseStatus: ['pending', 'closed'], assignee: 'ann' })).toEqual(
      newestFirst(all.filter((c) => c.case?.assignee === 'ann' && c.case.status !== 'open')),
    );
    expect(await listAll({ hasCase: false })).toEqual(newestFirst(all.filter((c) => c.case === null)));
    expect(await listAll({ caseStatus: [] })).toEqual([]);
  });

  it('reads a case stored by an older release (ISO dates, fields missing)', async () => {
    const filename = tempDb();
    const storage = await openStore({ filename });
    const stored = conversation();
    await storage.unitOfWork(TENANT, async (u) => u.insertConversations([stored]));
    const db = new Database(filename);
    db.prepare('UPDATE conversations SET case_data = ? WHERE id = ?').run(
      JSON.stringify({
        status: 'open',
        priority: 'high',
        queue: 'billing',
        assignee: null,
        openedAt: at(1000).toISOString(),
        updatedAt: at(2000).toISOString(),
      }),
      stored.id,
    );
    db.close();
    const found = await storage.read(TENANT).getConversation(stored.id);
    expect(found?.case).toEqual({
      ...newCase(at(1000), { priority: 'high', queue: 'billing' }),
      status: 'open',
      updatedAt: at(2000),
    });
    const open = await storage.read(TENANT).listConversations({ caseStatus: ['open'] }, { limit: 5 });
    expect(open.items.map((c) => c.id)).toEqual([stored.id]);
  });
});
