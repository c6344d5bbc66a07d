import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createTestRapport,
  memoryStorage,
  type Rapport,
  type RapportEvents,
  RULES_SPEC_VERSION,
  type RuleExtension,
  type RuleFiring,
  type RuleInput,
  type StoragePlugin,
} from '../src/index.js';
import { item, manualClock, T0 } from './helpers.js';

const MINUTE = 60_000;
const running: Rapport[] = [];

async function start(rules: RuleInput[], options: Parameters<typeof createTestRapport>[0] = {}) {
  const clock = manualClock(T0 + 10 * MINUTE);
  const rapport = await createTestRapport({
    clock,
    ...options,
    rules: { rules, timerPollMs: 0, ...(options.rules as object) },
  });
  running.push(rapport);
  return { rapport, clock };
}

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

function rule(id: string, actions: RuleInput['actions'], extra: Partial<RuleInput> = {}): RuleInput {
  return { id, name: id, trigger: { event: 'interaction.received' }, actions, ...extra };
}

async function customerOf(rapport: Rapport, n: number) {
  const identity = await rapport.customers.findIdentity({ channel: 'mastodon', externalId: `user-${n}` });
  return (await rapport.customers.get(identity!.customerId))!;
}

describe('rules on ingest', () => {
  it('applies store actions and records the firing with rule id and version', async () => {
    const { rapport } = await start([
      rule(
        'vip',
        [
          { type: 'tag', tag: 'vip' },
          { type: 'setAttribute', name: 'lastChannel', value: { ref: 'interaction.channel' } },
          { type: 'addToSegment', segment: 'complainers' },
          { type: 'awardPoints', points: 5 },
        ],
        { version: 3, conditions: { path: 'interaction.text', operator: 'contains', value: 'angry' } },
      ),
    ]);
    await rapport.ingest([item(1, { text: 'angry!' }), item(2, { text: 'happy' })]);
    await rapport.settle();
    const angry = await customerOf(rapport, 1);
    expect(angry.tags).toEqual(['vip']);
    expect(angry.attributes.lastChannel).toBe('mastodon');
    expect(await rapport.segments.of(angry.id)).toEqual(['complainers']);
    expect((await rapport.customers.profile(angry.id))?.segments).toEqual(['complainers']);
    expect((await rapport.segments.members('complainers')).items.map((m) => m.customerId)).toEqual([
      angry.id,
    ]);
    expect((await rapport.scores.latest(angry.id)).find((s) => s.name === 'points')?.value).toBe(5);
    expect((await customerOf(rapport, 2)).tags).toEqual([]);
    const firings = await rapport.rules.firings();
    expect(firings.items).toHaveLength(1);
    expect(firings.items[0]).toMatchObject({
      ruleId: 'vip',
      ruleVersion: 3,
      trigger: 'interaction.received',
      customerId: angry.id,
      actions: [
        { type: 'tag', status: 'applied' },
        { type: 'setAttribute', status: 'applied' },
        { type: 'addToSegment', status: 'applied' },
        { type: 'awardPoints', status: 'applied', detail: '+5 points' },
      ],
    });
  });

  it('resolves conflicting actions by priority, deterministically, and records the loser as overridden', async () => {
    const { rapport } = await start([
      rule(
        'low',
        [
          { type: 'setAttribute', name: 'route', value: 'general' },
          { type: 'tag', tag: 'seen' },
        ],
        { priority: 1 },
      ),
      rule(
        'high',
        [
          { type: 'setAttribute', name: 'route', value: 'billing' },
          { type: 'tag', tag: 'seen' },
        ],
        { priority: 9 },
      ),
    ]);
    await rapport.ingest([item(1)]);
    await rapport.settle();
    expect((await customerOf(rapport, 1)).attributes.route).toBe('billing');
    const firings = (await rapport.rules.firings()).items;
    const low = firings.find((f) => f.ruleId === 'low')!;
    // The same tag from both is no conflict: the lower rule finds it already there.
    expect(low.actions.map((a) => a.status)).toEqual(['overridden', 'skipped']);
    expect(firings.find((f) => f.ruleId === 'high')!.actions.map((a) => a.status)).toEqual([
      'applied',
      'applied',
    ]);
  });

  it('keeps going when an action fails, and records the failure', async () => {
    const errors: unknown[] = [];
    const { rapport } = await start([
      rule('r', [
        { type: 'webhook', url: 'http://127.0.0.1:9/unreachable', timeoutMs: 1000 },
        { type: 'tag', tag: 'still-tagged' },
      ]),
    ]);
    rapport.events.on('error', ({ error }) => errors.push(error.code));
    await rapport.ingest([item(1)]);
    await rapport.settle();
    expect((await customerOf(rapport, 1)).tags).toEqual(['still-tagged']);
    const [firing] = (await rapport.rules.firings()).items;
    expect(firing!.actions[0]).toMatchObject({
      type: 'webhook',
      status: 'failed',
      error: { code: 'RAPPORT_RULE_ACTION_FAILED' },
    });
    expect(firing!.actions[1]).toMatchObject({ status: 'applied' });
    expect(errors).toContain('RAPPORT_RULE_ACTION_FAILED');
  });

  it('isolates an interaction whose writes fail: the rest of its batch still gets its actions', async () => {
    const inner = memoryStorage();
    // A store that refuses firings about one poisoned item, as a constraint violation would.
    const storage: StoragePlugin = {
      ...inner,
      unitOfWork: (tenantId, work) =>
        inner.unitOfWork(tenantId, (uow) =>
          work(
            Object.assign(Object.create(uow), {
              insertRuleFirings: async (firings: RuleFiring[]) => {
                for (const f of firings) {
                  const interaction = f.interactionId ? await uow.getInteraction(f.interactionId) : null;
                  if (interaction?.text === 'poison') throw new Error('constraint violated');
                }
                return uow.insertRuleFirings(firings);
              },
            }),
          ),
        ),
    };
    const errors: string[] = [];
    const { rapport } = await start([rule('seen', [{ type: 'awardPoints', points: 1 }])], { storage });
    rapport.events.on('error', ({ error }) => errors.push(error.message));
    const ann = { actor: { externalId: 'user-1' } };
    await rapport.ingest([item(1, ann), item(2, { ...ann, text: 'poison' }), item(3, ann)]);
    await rapport.settle();
    const points = (await rapport.scores.latest((await customerOf(rapport, 1)).id)).find(
      (s) => s.name === 'points',
    );
    expect(points?.value).toBe(2);
    expect((await rapport.rules.firings()).items).toHaveLength(2);
    expect(errors.some((m) => m.includes('constraint violated') || m.includes('unitOfWork'))).toBe(true);
  });

  it('evaluates aggregates over the customer’s stored history', async () => {
    const { rapport } = await start([
      rule('third-in-an-hour', [{ type: 'tag', tag: 'chatty' }], {
        conditions: { aggregate: { fn: 'count', within: '1h' }, operator: 'greaterThanInclusive', value: 3 },
      }),
    ]);
    const ann = { actor: { externalId: 'user-1' } };
    await rapport.ingest([item(1, ann), item(2, ann)]);
    await rapport.settle();
    expect((await customerOf(rapport, 1)).tags).toEqual([]);
    await rapport.ingest([item(3, ann)]);
    await rapport.settle();
    expect((await customerOf(rapport, 1)).tags).toEqual(['chatty']);
  });

  it('lets a segment entered by one rule trigger another, and stops rule loops', async () => {
    const errors: string[] = [];
    const { rapport } = await start([
      rule('enter', [{ type: 'addToSegment', segment: 'watch' }]),
      rule('on-enter', [{ type: 'emit', event: 'ping' }], { trigger: { event: 'segment.entered' } }),
      rule(
        'ping-pong',
        [
          { type: 'emit', event: 'ping' },
          { type: 'awardPoints', points: 1 },
        ],
        { trigger: { event: 'custom', name: 'ping' } },
      ),
    ]);
    rapport.events.on('error', ({ error }) => errors.push(error.code));
    const custom: string[] = [];
    rapport.events.on('rule.event', (e) => custom.push(e.name));
    await rapport.ingest([item(1)]);
    await rapport.settle();
    expect(errors).toContain('RAPPORT_RULE_LOOP');
    const points = (await rapport.scores.latest((await customerOf(rapport, 1)).id)).find(
      (s) => s.name === 'points',
    );
    // segment.entered is depth 1, each ping one deeper, until the limit (8).
    expect(points?.value).toBe(7);
    expect(custom.length).toBe(8);
  });

  it('opens and routes a case, and triggers case.opened rules', async () => {
    const opened: Array<RapportEvents['case.opened']> = [];
    const { rapport } = await start([
      rule('open', [{ type: 'openCase', queue: 'support' }], { priority: 10 }),
      rule(
        'vip-queue',
        [
          { type: 'routeToQueue', queue: 'vip' },
          { type: 'setPriority', priority: 'high' },
        ],
        {
          trigger: { event: 'case.opened' },
          conditions: { path: 'customer.tags', operator: 'contains', value: 'vip' },
        },
      ),
      rule('tag-vip', [{ type: 'tag', tag: 'vip' }], { priority: 20 }),
    ]);
    rapport.events.on('case.opened', (e) => opened.push(e));
    await rapport.ingest([item(1)]);
    await rapport.settle();
    const [conversation] = (await rapport.conversations.list()).items;
    expect(conversation!.case).toMatchObject({
      status: 'new',
      queue: 'vip',
      priority: 'high',
      assignee: null,
    });
    expect(conversation!.case!.openedAt).toBeInstanceOf(Date);
    expect(opened).toHaveLength(1);
    await rapport.ingest([item(2, { thread: 's-1', actor: { externalId: 'user-1' } })]);
    await rapport.settle();
    const open = (await rapport.rules.firings({ ruleId: 'open' })).items;
    expect(open[0]!.actions[0]).toMatchObject({ status: 'skipped', detail: 'a case is already open' });
  });

  it('requests replies on the originating channel, subject to consent', async () => {
    const replies: Array<RapportEvents['reply.requested']> = [];
    const { rapport } = await start([
      rule('ack', [
        { type: 'reply', template: 'Hi {{interaction.actorHandle}}, we got "{{interaction.text}}".' },
      ]),
    ]);
    rapport.events.on('reply.requested', (r) => replies.push(r));
    await rapport.ingest([item(1, { actor: { externalId: 'user-1', handle: '@ann' } })]);
    await rapport.settle();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({
      channel: 'mastodon',
      message: {
        account: '@acme',
        to: { externalId: 'user-1', handle: '@ann' },
        inReplyTo: 's-1',
        text: 'Hi @ann, we got "status 1".',
      },
    });
    expect(replies[0]!.message.idempotencyKey).toMatch(/^rule:ack:1:/);
    const ann = await customerOf(rapport, 1);
    await rapport.consents.record({
      customerId: ann.id,
      purpose: 'support',
      channel: 'mastodon',
      status: 'revoked',
      source: 'test',
    });
    await rapport.ingest([item(2, { actor: { externalId: 'user-1' } })]);
    await rapport.settle();
    expect(replies).toHaveLength(1);
    const [latest] = (await rapport.rules.firings()).items;
    expect(latest!.actions[0]).toMatchObject({
      status: 'suppressed',
      detail: expect.stringContaining('revoked'),
    });
    // A customer who paused contact gets no reply either, whatever the consent.
    rapport.rules.load([
      rule('pause', [{ type: 'setAttribute', name: 'contactPaused', value: true }], {
        priority: 10,
        conditions: { path: 'interaction.text', operator: 'equal', value: 'pause please' },
      }),
      ...rapport.rules.ruleSet.rules.map((r) => r.definition),
    ]);
    await rapport.ingest([item(3, { actor: { externalId: 'user-3' }, text: 'pause please' })]);
    await rapport.settle();
    await rapport.ingest([item(4, { actor: { externalId: 'user-3' } })]);
    await rapport.settle();
    expect(replies).toHaveLength(2);
    const [lastAck] = (await rapport.rules.firings({ ruleId: 'ack' })).items;
    expect(lastAck!.actions[0]).toMatchObject({
      status: 'suppressed',
      detail: expect.stringContaining('paused'),
    });
  });

  it('posts signed webhooks', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const secret = 'whsec-0123456789abcdef';
      const { rapport } = await start([rule('hook', [{ type: 'webhook', url, secret }])]);
      await rapport.ingest([item(1)]);
      await rapport.settle();
      expect(received).toHaveLength(1);
      const { headers, body } = received[0]!;
      const expected = createHmac('sha256', secret)
        .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`)
        .digest('base64');
      expect(headers['webhook-signature']).toBe(`v1,${expected}`);
      expect(JSON.parse(body)).toMatchObject({ type: 'rule.fired', rule: { id: 'hook', version: 1 } });
      const [firing] = (await rapport.rules.firings()).items;
      expect(firing!.actions[0]).toMatchObject({ status: 'applied', detail: 'HTTP 204' });
    } finally {
      server.close();
    }
  });

  it('runs plugin actions after commit', async () => {
    const calls: unknown[] = [];
    const extension: RuleExtension = {
      id: 'slack',
      version: '1.0.0',
      specVersion: RULES_SPEC_VERSION,
      capabilities: { operators: [], actions: ['notifySlack'] },
      actions: [
        {
          type: 'notifySlack',
          options: z.object({ channel: z.string() }).strict(),
          run: (options, context) => {
            calls.push([options, context.rule, context.facts.customer?.id]);
            return 'posted';
          },
        },
      ],
    };
    const { rapport } = await start([rule('s', [{ type: 'notifySlack', channel: '#vip' }], { version: 2 })], {
      rules: { extensions: [extension] },
    });
    await rapport.ingest([item(1)]);
    await rapport.settle();
    expect(calls).toEqual([
      [{ channel: '#vip' }, { id: 's', version: 2 }, (await customerOf(rapport, 1)).id],
    ]);
    expect((await rapport.rules.firings()).items[0]!.actions[0]).toMatchObject({
      status: 'applied',
      detail: 'posted',
    });
  });

  it('rejects bad rules at creation and keeps the old ones on a bad reload', async () => {
    await expect(createTestRapport({ rules: [{ id: 'x' }] })).rejects.toMatchObject({
      code: 'RAPPORT_INVALID_RULE',
    });
    const { rapport } = await start([rule('a', [{ type: 'tag', tag: 'a' }])]);
    expect(() => rapport.rules.load([{ id: 'b' }])).toThrow(/Invalid rule/);
    expect(rapport.rules.ruleSet.rules.map((r) => r.id)).toEqual(['a']);
    rapport.rules.load([rule('b', [{ type: 'tag', tag: 'b' }])]);
    await rapport.ingest([item(1)]);
    await rapport.settle();
    expect((await customerOf(rapport, 1)).tags).toEqual(['b']);
  });

  it('starts handling stored interactions when rules for them are loaded, and stops when removed', async () => {
    const { rapport } = await start([]);
    await rapport.ingest([item(1)]);
    await rapport.settle();
    rapport.rules.load([rule('late', [{ type: 'tag', tag: 'late' }])]);
    await rapport.ingest([item(2)]);
    await rapport.settle();
    // Core events cost ingest nothing while no rule listens to them (nobody asks for their payloads).
    expect(rapport.events.wants('customer.created')).toBe(false);
    rapport.rules.load([
      rule('created', [{ type: 'tag', tag: 'new' }], { trigger: { event: 'customer.created' } }),
    ]);
    expect(rapport.events.wants('customer.created')).toBe(true);
    rapport.rules.load([]);
    expect(rapport.events.wants('customer.created')).toBe(false);
    await rapport.ingest([item(3)]);
    await rapport.settle();
    expect((await customerOf(rapport, 1)).tags).toEqual([]);
    expect((await customerOf(rapport, 2)).tags).toEqual(['late']);
    expect((await customerOf(rapport, 3)).tags).toEqual([]);
  });

  it('runs rules on every core event that can trigger them', async () => {
    const on = (event: string, tag: string, extra: Partial<RuleInput> = {}) =>
      rule(`on-${tag}`, [{ type: 'tag', tag }], { trigger: { event } as RuleInput['trigger'], ...extra });
    const { rapport } = await start([
      on('customer.created', 'created'),
      on('conversation.started', 'started'),
      on('interaction.updated', 'edited', {
        conditions: { path: 'event.previousVersion', operator: 'equal', value: 0 },
      }),
      on('consent.recorded', 'consented', {
        conditions: { path: 'event.purpose', operator: 'equal', value: 'marketing' },
      }),
      on('identity.linked', 'linked'),
      on('customer.merged', 'merged'),
      on('score.changed', 'scored', {
        conditions: { path: 'event.score.value', operator: 'greaterThanInclusive', value: 3 },
      }),
      rule('points', [{ type: 'awardPoints', points: 3 }], {
        conditions: { path: 'interaction.text', operator: 'equal', value: 'points please' },
      }),
    ]);
    await rapport.ingest([item(1)]);
    await rapport.settle();
    const ann = await customerOf(rapport, 1);
    await rapport.ingest([item(1, { version: 1, text: 'edited' })]);
    await rapport.consents.record({
      customerId: ann.id,
      purpose: 'marketing',
      status: 'granted',
      source: 'form',
    });
    await rapport.ingest([item(2, { actor: { externalId: 'user-1' }, text: 'points please' })]);
    await rapport.settle();
    await rapport.ingest([item(3)]);
    await rapport.settle();
    const bob = await customerOf(rapport, 3);
    await rapport.customers.merge(ann.id, bob.id, { actor: 'user:agent', reason: 'same person' });
    await rapport.settle();
    const tags = (await rapport.customers.get(ann.id))!.tags;
    expect(tags.sort()).toEqual(['consented', 'created', 'edited', 'linked', 'merged', 'scored', 'started']);
  });

  it('explains a rule against the stored facts of an interaction', async () => {
    const { rapport } = await start([
      rule('angry', [{ type: 'tag', tag: 'x' }], {
        conditions: { path: 'interaction.text', operator: 'contains', value: 'angry' },
      }),
    ]);
    await rapport.ingest([item(1)]);
    await rapport.settle();
    const [interaction] = (await rapport.customers.timeline((await customerOf(rapport, 1)).id)).items;
    const explanation = await rapport.rules.explain('angry', { interactionId: interaction!.id });
    expect(explanation).toMatchObject({
      passed: false,
      conditions: { actual: 'status 1', expected: 'angry' },
    });
    expect(rapport.rules.explainFacts('angry', { interaction: { text: 'so angry' } }).passed).toBe(true);
  });
});

describe('time triggers', () => {
  it('fires "no agent reply 30 minutes after a case opened" when the timer falls due, checking facts then', async () => {
    const { rapport, clock } = await start([
      rule('open', [{ type: 'openCase' }], {
        conditions: { path: 'interaction.direction', operator: 'equal', value: 'inbound' },
      }),
      // An agent's reply takes the case.
      rule('take', [{ type: 'assignCase', assignee: 'agent-7' }], {
        conditions: { path: 'interaction.direction', operator: 'equal', value: 'outbound' },
      }),
      rule('escalate', [{ type: 'setPriority', priority: 'urgent' }], {
        trigger: { event: 'case.opened', after: '30m' },
        conditions: { not: { path: 'conversation.case.assignee', operator: 'exists' } },
      }),
    ]);
    await rapport.ingest([item(1), item(2)]);
    await rapport.settle();
    expect(await rapport.rules.runTimers()).toBe(0);
    clock.advance(10 * MINUTE);
    await rapport.ingest([
      item(3, {
        direction: 'outbound',
        thread: 's-2',
        actor: { externalId: 'acme' },
        recipient: { externalId: 'user-2' },
      }),
    ]);
    await rapport.settle();
    clock.advance(21 * MINUTE);
    expect(await rapport.rules.runTimers()).toBe(1);
    await rapport.settle();
    const after = (await rapport.conversations.list()).items;
    expect(after.find((c) => c.externalId === 's-1')!.case).toMatchObject({
      priority: 'urgent',
      assignee: null,
    });
    expect(after.find((c) => c.externalId === 's-2')!.case).toMatchObject({
      priority: 'normal',
      assignee: 'agent-7',
    });
    // Both timers are gone: one fired, the other found its conditions false.
    expect(await rapport.rules.runTimers()).toBe(0);
    const escalations = (await rapport.rules.firings({ ruleId: 'escalate' })).items;
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.trigger).toBe('timer:case.opened');
  });

  it('fires a timer once when two processes poll one store at the same time', async () => {
    const shared = memoryStorage();
    // Both processes read the due timers before either fires one: the race the claim is for.
    let arrived = 0;
    let bothRead: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      bothRead = resolve;
    });
    const racing: StoragePlugin = {
      ...shared,
      read: (tenantId) => {
        const reader = shared.read(tenantId);
        return Object.assign(Object.create(reader), {
          dueTimers: async (until: Date, limit: number) => {
            const due = await reader.dueTimers(until, limit);
            if (due.length > 0 && ++arrived <= 2) {
              if (arrived === 2) bothRead();
              await barrier;
            }
            return due;
          },
        });
      },
    };
    const escalate = rule('escalate', [{ type: 'awardPoints', points: 1 }], {
      trigger: { event: 'interaction.received', after: '30m' },
    });
    const { rapport: a, clock } = await start([escalate], { storage: racing });
    const { rapport: b } = await start([escalate], { storage: racing, clock });
    await a.ingest([item(1)]);
    await a.settle();
    clock.advance(31 * MINUTE);
    const [byA, byB] = await Promise.all([a.rules.runTimers(), b.rules.runTimers()]);
    expect(arrived).toBe(2);
    expect(byA + byB).toBe(1);
    expect((await a.rules.firings()).items).toHaveLength(1);
    const points = (await a.scores.latest((await customerOf(a, 1)).id)).find((s) => s.name === 'points');
    expect(points?.value).toBe(1);
  });

  it('fires inactiveFor once the customer has been quiet that long, restarted by each inbound message', async () => {
    const { rapport, clock } = await start([
      rule('dormant', [{ type: 'addToSegment', segment: 'dormant' }], { trigger: { inactiveFor: '90d' } }),
    ]);
    const ann = { actor: { externalId: 'user-1' } };
    clock.advance(0);
    await rapport.ingest([item(1, { ...ann, occurredAt: new Date(T0) })]);
    await rapport.settle();
    clock.advance(60 * 24 * 60 * MINUTE);
    await rapport.ingest([item(2, { ...ann, occurredAt: new Date(T0 + 60 * 24 * 60 * MINUTE) })]);
    await rapport.settle();
    clock.advance(40 * 24 * 60 * MINUTE);
    expect(await rapport.rules.runTimers()).toBe(0);
    clock.advance(51 * 24 * 60 * MINUTE);
    expect(await rapport.rules.runTimers()).toBe(1);
    expect(await rapport.segments.of((await customerOf(rapport, 1)).id)).toEqual(['dormant']);
  });
});
