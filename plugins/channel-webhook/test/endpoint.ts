import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ChannelConnection,
  type InteractionInput,
  isRapportError,
  type WebhookSecret,
  webhookHeaders,
} from '@rapport/core';

/**
 * A real HTTP endpoint on loopback doing what the host does with a webhook channel: hand the raw
 * request to `verify` (401 when it says no), then to `parse` (400 with the error when it throws),
 * and keep the items (202).
 */
export interface Endpoint {
  url: string;
  /** Every item taken in, in order. */
  items: InteractionInput[];
  close(): Promise<void>;
}

export async function startEndpoint(connection: ChannelConnection): Promise<Endpoint> {
  const webhook = connection.webhook!;
  const items: InteractionInput[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        headers[name] = Array.isArray(value) ? value.join(' ') : value;
      }
      const request = { headers, body: new Uint8Array(Buffer.concat(chunks)) };
      try {
        if (!(await webhook.verify(request))) {
          res.writeHead(401).end();
          return;
        }
        const parsed = await webhook.parse(request);
        items.push(...parsed);
        res
          .writeHead(202, { 'content-type': 'application/json' })
          .end(JSON.stringify({ accepted: parsed.length }));
      } catch (error) {
        const status = isRapportError(error) ? 400 : 500;
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(isRapportError(error) ? error.toJSON() : { message: String(error) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/in`,
    items,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a sending system does: sign a body and POST it. */
export interface Delivery {
  id: string;
  timestamp: Date;
  body: string;
  secret: WebhookSecret | WebhookSecret[];
}

/** The headers of a signed delivery, as a sender sends them. */
export function signedHeaders(delivery: Delivery): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...webhookHeaders(
      { id: delivery.id, timestamp: delivery.timestamp, body: delivery.body },
      delivery.secret,
    ),
  };
}

/** POSTs a delivery with the given headers and returns the status and JSON answer. */
export async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}
