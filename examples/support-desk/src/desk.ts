import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmailChannelOptions, emailChannel } from '@rapport/channel-email';
import { type MastodonChannelOptions, mastodonChannel } from '@rapport/channel-mastodon';
import { type WebhookChannelOptions, webhookChannel } from '@rapport/channel-webhook';
import {
  type ChannelPlugin,
  type Clock,
  createRapport,
  type Rapport,
  type RapportOptions,
  type StoragePlugin,
} from '@rapport/core';

/** Routing: which rule opens a case in which queue, at which priority (see rules.json). */
export const routingRules: unknown = JSON.parse(
  readFileSync(new URL('../rules.json', import.meta.url), 'utf8'),
);

/**
 * Service levels, in business hours for the normal queues and round the clock for urgent cases.
 * A day of the support calendar is 8 hours, Monday to Friday, Europe/Berlin, closed on holidays.
 */
export const slaPolicies = [
  {
    id: 'urgent',
    name: 'Urgent: round the clock',
    match: { priority: ['urgent'] },
    targets: { firstResponse: '30m', nextResponse: '1h', resolution: '8h' },
  },
  {
    id: 'vip',
    name: 'VIP queue',
    match: { queue: ['vip'] },
    targets: { firstResponse: '1h', nextResponse: '4h', resolution: '16h' },
    calendar: supportCalendar(),
  },
  {
    id: 'standard',
    name: 'Everyone else',
    targets: { firstResponse: '4h', nextResponse: '8h', resolution: '40h' },
    calendar: supportCalendar(),
  },
];

function supportCalendar() {
  const day: Array<[string, string]> = [['09:00', '17:00']];
  return {
    timeZone: 'Europe/Berlin',
    hours: { mon: day, tue: day, wed: day, thu: day, fri: day },
    holidays: ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01'],
  };
}

/** Who takes new cases: the VIP queue by capacity, the rest round robin. */
export const assignment = {
  vip: { strategy: 'capacity', agents: ['vera', 'victor'], maxOpen: 5 },
  '*': { strategy: 'roundRobin', agents: ['ann', 'bob', 'cem'] },
};

/** What a desk is made of. */
export interface DeskOptions {
  storage: StoragePlugin;
  email?: EmailChannelOptions;
  mastodon?: MastodonChannelOptions;
  webhook?: WebhookChannelOptions;
  clock?: Clock;
  channelHost?: RapportOptions['channelHost'];
  outbox?: RapportOptions['outbox'];
}

/** A Rapport instance set up as a support desk: channels, case routing, SLAs and assignment. */
export function createDesk(options: DeskOptions): Rapport {
  const channels: ChannelPlugin[] = [];
  if (options.email) channels.push(emailChannel(options.email));
  if (options.mastodon) channels.push(mastodonChannel(options.mastodon));
  if (options.webhook) channels.push(webhookChannel(options.webhook));
  return createRapport({
    storage: options.storage,
    channels,
    cases: { open: routingRules as { rules: unknown[] }, sla: slaPolicies, assignment },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.channelHost ? { channelHost: options.channelHost } : {}),
    ...(options.outbox ? { outbox: options.outbox } : {}),
  });
}

/**
 * Serves `POST /webhooks/<channel id>` on loopback, handing the raw request to Rapport, which
 * verifies it, acknowledges at once and stores it after.
 */
export async function serveWebhooks(
  rapport: Rapport,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const match = /^\/webhooks\/([A-Za-z0-9._:-]+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      rapport.channels.handleWebhook(match[1]!, { headers, body: Buffer.concat(chunks) }).then(
        (answer) => res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
