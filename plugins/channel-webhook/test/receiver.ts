import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRapportError, verifyWebhook, type WebhookSecret } from '@rapport/core';

/** One request the receiver got, whatever it answered. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status it answered. */
  status: number;
}

/** A canned answer for the next request, given before any verification. */
export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Hold the answer this long (to make the sender time out). */
  delayMs?: number;
}

/**
 * A real HTTP server on loopback playing a system that receives the channel's sends the way a
 * careful receiver would: it verifies the Standard Webhooks signature with the core verifier
 * (401 when it fails), takes each `webhook-id` once (a repeat gets the first answer again), and
 * answers `{ "externalId": ... }` naming the item it created.
 */
export class LoopbackReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly canned: CannedAnswer[] = [];
  private readonly processed = new Map<string, { externalId: string; count: number; body: unknown }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private created = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly secrets: WebhookSecret[],
  ) {}

  /** Starts a receiver on 127.0.0.1 (an ephemeral port) checking signatures against `secrets`. */
  static async start(secrets: WebhookSecret | WebhookSecret[]): Promise<LoopbackReceiver> {
    let receiver: LoopbackReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const answer = receiver!.answer(req.headers, body);
        const send = () => {
          if (res.destroyed) return;
          res
            .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
            .end(answer.body ?? '');
        };
        if (answer.delayMs) {
          const timer = setTimeout(() => {
            receiver!.timers.delete(timer);
            send();
          }, answer.delayMs);
          receiver!.timers.add(timer);
        } else {
          send();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new LoopbackReceiver(server, `http://127.0.0.1:${port}/rapport/messages`, [secrets].flat());
    return receiver;
  }

  /** The next requests get these answers, in order, before any check. */
  answerNext(...answers: CannedAnswer[]): void {
    this.canned.push(...answers);
  }

  /** The next request gets a 429 asking to wait `ms` (in `retry-after-ms`, and rounded up in `retry-after`). */
  rateLimitNext(ms: number): void {
    this.answerNext({
      status: 429,
      headers: { 'retry-after': String(Math.ceil(ms / 1000)), 'retry-after-ms': String(ms) },
      body: JSON.stringify({ error: 'slow down' }),
    });
  }

  /** How many messages were taken in for this `webhook-id` (0 or 1: repeats are deduplicated). */
  deliveredCount(webhookId: string): number {
    return this.processed.get(webhookId)?.count ?? 0;
  }

  /** How many requests carried this `webhook-id`, answered or refused. */
  attempts(webhookId: string): number {
    return this.requests.filter((r) => r.headers['webhook-id'] === webhookId).length;
  }

  /** The parsed body of the message taken in for this `webhook-id`. */
  message(webhookId: string): unknown {
    return this.processed.get(webhookId)?.body;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(headers: IncomingHttpHeaders, body: Buffer): CannedAnswer {
    const record = (status: number) => this.requests.push({ headers, body: body.toString('utf8'), status });
    const canned = this.canned.shift();
    if (canned) {
      record(canned.status);
      return canned;
    }
    let id: string;
    try {
      ({ id } = verifyWebhook({ headers, body }, { secrets: this.secrets }));
    } catch (error) {
      record(401);
      return {
        status: 401,
        body: JSON.stringify({ error: isRapportError(error) ? error.code : String(error) }),
      };
    }
    let seen = this.processed.get(id);
    if (!seen) {
      this.created += 1;
      seen = { externalId: `recv-${this.created}`, count: 1, body: JSON.parse(body.toString('utf8')) };
      this.processed.set(id, seen);
    }
    record(200);
    return { status: 200, body: JSON.stringify({ externalId: seen.externalId }) };
  }
}
