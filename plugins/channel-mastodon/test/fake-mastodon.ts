import type { AddressInfo } from 'node:net';
import { HttpResponse, http } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { type WebSocket, WebSocketServer } from 'ws';
import customerTemplate from './fixtures/account-customer.json';
import conversationTemplate from './fixtures/conversation.json';
import selfTemplate from './fixtures/credential-account.json';
import error401 from './fixtures/error-401.json';
import error404Reply from './fixtures/error-404-reply.json';
import error422 from './fixtures/error-422.json';
import error429 from './fixtures/error-429.json';
import instanceTemplate from './fixtures/instance-v2.json';
import notificationTemplate from './fixtures/notification-mention.json';
import statusTemplate from './fixtures/status-mention.json';

// An in-memory Mastodon server behind msw, built from the recorded-shape fixtures: the REST
// endpoints the channel calls, with Mastodon's paging (max_id / since_id / min_id, Link headers),
// rate-limit headers, Idempotency-Key handling, and (optionally) a real loopback WebSocket server
// speaking the streaming protocol.

type Json = Record<string, unknown>;
type AccountJson = typeof customerTemplate & Json;
type StatusJson = Omit<
  typeof statusTemplate,
  'account' | 'edited_at' | 'in_reply_to_id' | 'in_reply_to_account_id' | 'application'
> & {
  account: AccountJson;
  edited_at: string | null;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  application: { name: string; website: string | null } | null;
} & Json;

const clone = <T>(value: T): T => structuredClone(value);

/** A request the fake received, for assertions. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: Json | null;
}

const RATE_LIMIT = 300;
const RATE_WINDOW_MS = 300_000;
const IDEMPOTENCY_TTL_MS = 3_600_000;

let hostCounter = 0;
let idSequence = 0;

/** Snowflake-like status ids, as Mastodon makes them: milliseconds shifted left 16 bits, plus a sequence. */
function statusIdAt(ms: number): string {
  idSequence = (idSequence + 1) % 65_536;
  return ((BigInt(ms) << 16n) | BigInt(idSequence)).toString();
}

const byIdDesc = (a: { id: string }, b: { id: string }) =>
  a.id.length !== b.id.length ? b.id.length - a.id.length : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One msw server for every fake of a test file; requests are routed by host. */
const fakes = new Map<string, FakeMastodon>();
let mswServer: SetupServer | null = null;

function register(fake: FakeMastodon): void {
  if (!mswServer) {
    const server = setupServer(
      http.all('*', ({ request }) => {
        const fake = fakes.get(new URL(request.url).host);
        return fake ? fake.handle(request) : undefined;
      }),
    );
    server.listen({ onUnhandledRequest: 'bypass' });
    mswServer = server;
  }
  fakes.set(fake.host, fake);
}

function unregister(fake: FakeMastodon): void {
  fakes.delete(fake.host);
  if (fakes.size === 0 && mswServer) {
    mswServer.close();
    mswServer = null;
  }
}

interface Conversation {
  id: string;
  lastStatusId: string;
  participants: AccountJson[];
}

export interface MentionOptions {
  /** Defaults to `public`. */
  visibility?: 'public' | 'unlisted' | 'private' | 'direct';
  inReplyTo?: string;
  /** Backdates the status and its notification. */
  at?: Date;
  language?: string | null;
  spoilerText?: string;
}

export class FakeMastodon {
  readonly host: string;
  readonly origin: string;
  readonly token: string;
  readonly self: AccountJson;
  readonly requests: RecordedRequest[] = [];
  streamingUrl: string | null = null;
  /** Streaming connections accepted so far. */
  streamConnections = 0;

  private readonly accounts = new Map<string, AccountJson>();
  private readonly statuses = new Map<string, StatusJson>();
  private notifications: Json[] = [];
  private readonly conversations = new Map<string, Conversation>();
  private readonly idempotency = new Map<string, { statusId: string; at: number }>();
  private readonly creationsByKey = new Map<string, number>();
  private notificationSeq = 34_975_000;
  private conversationSeq = 418_000;
  private accountSeq = 110_300;
  private readonly overrides: Array<(request: Request) => Response | undefined> = [];
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Map<WebSocket, Set<string>>();

  private constructor() {
    hostCounter += 1;
    this.host = `social-${hostCounter}-${process.pid}.acme.test`;
    this.origin = `https://${this.host}`;
    this.token = `token-${hostCounter}-${Math.random().toString(36).slice(2)}`;
    this.self = this.localize(clone(selfTemplate) as unknown as AccountJson);
    this.accounts.set(this.self.id, this.self);
  }

  /** Starts a fake (and, with `streaming`, its loopback WebSocket server). */
  static async start(options: { streaming?: boolean } = {}): Promise<FakeMastodon> {
    const fake = new FakeMastodon();
    if (options.streaming) await fake.startStreaming();
    register(fake);
    return fake;
  }

  async close(): Promise<void> {
    unregister(this);
    const wss = this.wss;
    this.wss = null;
    if (wss) {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  }

  /** The account name the plugin writes on interactions. */
  get accountName(): string {
    return `${this.self.acct}@${this.host}`;
  }

  /** A customer account (remote by default), made from the fixture. */
  customer(username: string, domain = 'fosstodon.example'): AccountJson {
    const account = clone(customerTemplate) as AccountJson;
    this.accountSeq += 1;
    account.id = String(this.accountSeq);
    account.username = username;
    account.acct = domain === this.host ? username : `${username}@${domain}`;
    account.display_name = username[0]!.toUpperCase() + username.slice(1);
    account.url = `https://${domain}/@${username}`;
    account.uri = `https://${domain}/users/${username}`;
    this.accounts.set(account.id, account);
    return account;
  }

  /** A customer mentions us: a status, its mention notification, and (if direct) a conversation. */
  mention(from: AccountJson, text: string, options: MentionOptions = {}): StatusJson {
    const at = options.at ?? new Date();
    const status = this.makeStatus(from, this.renderContent(text, [this.self]), at, {
      visibility: options.visibility ?? 'public',
      inReplyTo: options.inReplyTo,
      language: options.language === undefined ? 'en' : options.language,
      spoilerText: options.spoilerText ?? '',
      mentions: [this.self],
    });
    const notification = clone(notificationTemplate) as Json;
    this.notificationSeq += 1;
    notification.id = String(this.notificationSeq);
    notification.group_key = `ungrouped-${notification.id}`;
    notification.created_at = new Date(at.getTime() + 1).toISOString();
    notification.account = clone(from);
    notification.status = status;
    this.notifications.push(notification);
    this.broadcast('user', 'notification', notification);
    if (status.visibility === 'direct') this.touchConversation(status, [from]);
    return status;
  }

  /** A mention whose content is given as raw HTML, as another server might send it. */
  mentionHtml(from: AccountJson, html: string, options: MentionOptions = {}): StatusJson {
    const status = this.mention(from, 'placeholder', options);
    status.content = html;
    return status;
  }

  /** We post a status from another client (the web UI): no notification, an `update` on the user stream. */
  ownPost(
    text: string,
    options: {
      inReplyTo?: string;
      visibility?: MentionOptions['visibility'];
      to?: AccountJson;
      at?: Date;
    } = {},
  ): StatusJson {
    const mentioned = options.to ? [options.to] : [];
    const prefix = options.to ? `@${options.to.acct} ` : '';
    const status = this.makeStatus(
      this.self,
      this.renderContent(prefix + text, mentioned),
      options.at ?? new Date(),
      {
        visibility: options.visibility ?? 'public',
        inReplyTo: options.inReplyTo,
        language: 'en',
        spoilerText: '',
        mentions: mentioned,
      },
    );
    this.broadcast('user', 'update', status);
    if (status.visibility === 'direct' && options.to) this.touchConversation(status, [options.to]);
    return status;
  }

  /** The author edits a status: new content, `edited_at` set, a `status.update` on the user stream. */
  edit(statusId: string, text: string, at = new Date()): StatusJson {
    const status = this.statuses.get(statusId);
    if (!status) throw new Error(`no status ${statusId}`);
    const mentioned = (status.mentions as Array<{ id: string }>).map(
      (mention) => this.accounts.get(mention.id)!,
    );
    status.content = this.renderContent(text, mentioned);
    status.edited_at = at.toISOString();
    this.broadcast('user', 'status.update', status);
    return status;
  }

  /** The next request (any endpoint) is answered by `respond` instead. */
  failNext(respond: (request: Request) => Response): void {
    this.overrides.push(respond);
  }

  /** The next request gets a 429 whose `X-RateLimit-Reset` is `retryAfterMs` away, as Mastodon sends it. */
  rateLimitNext(retryAfterMs: number): void {
    this.failNext(() =>
      HttpResponse.json(error429, {
        status: 429,
        headers: {
          'X-RateLimit-Limit': String(RATE_LIMIT),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': new Date(Date.now() + retryAfterMs).toISOString(),
        },
      }),
    );
  }

  /** How many statuses were actually created for an Idempotency-Key. */
  createdFor(idempotencyKey: string): number {
    return this.creationsByKey.get(idempotencyKey) ?? 0;
  }

  status(id: string): StatusJson | undefined {
    return this.statuses.get(id);
  }

  /** Statuses we posted, newest first. */
  ownStatuses(): StatusJson[] {
    return [...this.statuses.values()].filter((status) => status.account.id === this.self.id).sort(byIdDesc);
  }

  /** Requests to a path (without the query), in order. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        request.method === method &&
        (typeof path === 'string' ? request.path === path : path.test(request.path)),
    );
  }

  /** How many streaming connections are subscribed to a stream. */
  subscribers(stream: string): number {
    let count = 0;
    for (const streams of this.sockets.values()) if (streams.has(stream)) count++;
    return count;
  }

  /** Drops every streaming connection, as a restarting server would. */
  dropStreams(): void {
    for (const socket of this.sockets.keys()) socket.terminate();
  }

  // ---------------------------------------------------------------- HTTP

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    let body: Json | null = null;
    if (request.method !== 'GET' && request.headers.get('content-type')?.includes('application/json')) {
      body = (await request.clone().json()) as Json;
    }
    this.requests.push({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
    });
    const override = this.overrides.shift();
    if (override) {
      const response = override(request);
      if (response) return response;
    }
    if (request.headers.get('authorization') !== `Bearer ${this.token}`) {
      return HttpResponse.json(error401, { status: 401 });
    }
    const limit = this.countRequest();
    if (limit.remaining < 0) {
      return HttpResponse.json(error429, {
        status: 429,
        headers: { ...limit.headers, 'X-RateLimit-Remaining': '0' },
      });
    }
    const response = this.route(request.method, url, body, request.headers);
    for (const [name, value] of Object.entries(limit.headers)) response.headers.set(name, value);
    return response;
  }

  private windowStart = 0;
  private windowCount = 0;

  /** Mastodon's account bucket: 300 requests per 5-minute period, aligned on the period. */
  private countRequest(): { remaining: number; headers: Record<string, string> } {
    const now = Date.now();
    const start = now - (now % RATE_WINDOW_MS);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    const remaining = RATE_LIMIT - this.windowCount;
    return {
      remaining,
      headers: {
        'X-RateLimit-Limit': String(RATE_LIMIT),
        'X-RateLimit-Remaining': String(Math.max(0, remaining)),
        'X-RateLimit-Reset': new Date(start + RATE_WINDOW_MS).toISOString(),
      },
    };
  }

  private route(method: string, url: URL, body: Json | null, headers: Headers): Response {
    const path = url.pathname;
    const query = url.searchParams;
    const segment = (pattern: RegExp) => (method === 'GET' ? pattern.exec(path)?.[1] : undefined);
    const accountOfStatuses = segment(/^\/api\/v1\/accounts\/([^/]+)\/statuses$/);
    const accountId = segment(/^\/api\/v1\/accounts\/([^/]+)$/);
    const contextOf = segment(/^\/api\/v1\/statuses\/([^/]+)\/context$/);
    const statusId = segment(/^\/api\/v1\/statuses\/([^/]+)$/);
    if (method === 'GET' && path === '/api/v1/accounts/verify_credentials')
      return HttpResponse.json(this.self);
    if (method === 'GET' && path === '/api/v2/instance') {
      const instance = clone(instanceTemplate) as Json & { configuration: { urls: Json } };
      instance.domain = this.host;
      instance.configuration.urls.streaming = this.streamingUrl ?? `wss://${this.host}`;
      return HttpResponse.json(instance);
    }
    if (method === 'GET' && path === '/api/v1/notifications') {
      const types = query.getAll('types[]');
      const items = this.notifications.filter((n) => types.length === 0 || types.includes(n.type as string));
      return this.page(url, items as Array<{ id: string }>, 40, 80);
    }
    if (method === 'GET' && path === '/api/v1/conversations') {
      const items = [...this.conversations.values()].map((conversation) => ({
        pageId: conversation.lastStatusId,
        json: {
          ...clone(conversationTemplate),
          id: conversation.id,
          accounts: conversation.participants,
          last_status: this.statuses.get(conversation.lastStatusId),
        },
      }));
      return this.page(
        url,
        items.map((item) => ({ id: item.pageId, json: item.json })),
        20,
        40,
        (item) => (item as { json: Json }).json,
      );
    }
    if (accountOfStatuses) {
      if (!this.accounts.has(accountOfStatuses))
        return HttpResponse.json({ error: 'Record not found' }, { status: 404 });
      const excludeReblogs = query.get('exclude_reblogs') === 'true';
      const items = [...this.statuses.values()].filter(
        (status) =>
          status.account.id === accountOfStatuses &&
          (accountOfStatuses === this.self.id ||
            status.visibility === 'public' ||
            status.visibility === 'unlisted') &&
          !(excludeReblogs && status.reblog),
      );
      return this.page(url, items, 20, 40);
    }
    if (accountId) {
      const account = this.accounts.get(accountId);
      return account
        ? HttpResponse.json(account)
        : HttpResponse.json({ error: 'Record not found' }, { status: 404 });
    }
    if (contextOf) {
      const status = this.statuses.get(contextOf);
      if (!status) return HttpResponse.json({ error: 'Record not found' }, { status: 404 });
      const ancestors: StatusJson[] = [];
      let parent = status.in_reply_to_id ? this.statuses.get(status.in_reply_to_id) : undefined;
      while (parent) {
        ancestors.unshift(parent);
        parent = parent.in_reply_to_id ? this.statuses.get(parent.in_reply_to_id) : undefined;
      }
      const descendants = [...this.statuses.values()].filter((s) => s.in_reply_to_id === status.id);
      return HttpResponse.json({ ancestors, descendants });
    }
    if (statusId) {
      const status = this.statuses.get(statusId);
      return status
        ? HttpResponse.json(status)
        : HttpResponse.json({ error: 'Record not found' }, { status: 404 });
    }
    if (method === 'POST' && path === '/api/v1/statuses') return this.createStatus(body ?? {}, headers);
    return HttpResponse.json({ error: 'Record not found' }, { status: 404 });
  }

  /**
   * One page, as Mastodon pages: newest first; `max_id` bounds from above, `since_id` from below
   * (newest page), `min_id` from below (the page just above it); Link headers to the next/prev page.
   */
  private page<T extends { id: string }>(
    url: URL,
    all: T[],
    defaultLimit: number,
    maxLimit: number,
    render: (item: T) => unknown = (item) => item,
  ): Response {
    const query = url.searchParams;
    const limit = Math.min(maxLimit, Number(query.get('limit') ?? defaultLimit) || defaultLimit);
    const maxId = query.get('max_id');
    const sinceId = query.get('since_id');
    const minId = query.get('min_id');
    const newer = (a: string, b: string) => byIdDesc({ id: a }, { id: b }) < 0;
    let items = [...all].sort(byIdDesc);
    if (maxId) items = items.filter((item) => newer(maxId, item.id));
    if (sinceId) items = items.filter((item) => newer(item.id, sinceId));
    if (minId) {
      items = items.filter((item) => newer(item.id, minId));
      items = items.slice(Math.max(0, items.length - limit));
    } else {
      items = items.slice(0, limit);
    }
    const headers: Record<string, string> = {};
    const first = items[0];
    const last = items.at(-1);
    if (first && last) {
      const base = `${this.origin}${url.pathname}`;
      headers.Link = `<${base}?max_id=${last.id}>; rel="next", <${base}?min_id=${first.id}>; rel="prev"`;
    }
    return HttpResponse.json(items.map(render), { headers });
  }

  private createStatus(body: Json, headers: Headers): Response {
    const key = headers.get('idempotency-key');
    const now = Date.now();
    if (key) {
      const earlier = this.idempotency.get(key);
      if (earlier && now - earlier.at < IDEMPOTENCY_TTL_MS) {
        return HttpResponse.json(this.statuses.get(earlier.statusId));
      }
    }
    const text = typeof body.status === 'string' ? body.status : '';
    if (text.trim() === '')
      return HttpResponse.json({ error: "Validation failed: Text can't be blank" }, { status: 422 });
    if ([...text].length > 500) return HttpResponse.json(error422, { status: 422 });
    const inReplyTo = typeof body.in_reply_to_id === 'string' ? body.in_reply_to_id : undefined;
    if (inReplyTo && !this.statuses.has(inReplyTo)) return HttpResponse.json(error404Reply, { status: 404 });
    const mentioned = [...text.matchAll(/(?:^|\s)@([\w.-]+(?:@[\w.-]+)?)/g)]
      .map((match) => [...this.accounts.values()].find((account) => account.acct === match[1]))
      .filter((account): account is AccountJson => account !== undefined);
    const visibility = (body.visibility as MentionOptions['visibility']) ?? 'public';
    const status = this.makeStatus(this.self, this.renderContent(text, mentioned), new Date(now), {
      visibility,
      inReplyTo,
      language: typeof body.language === 'string' ? body.language : 'en',
      spoilerText: typeof body.spoiler_text === 'string' ? body.spoiler_text : '',
      mentions: mentioned,
    });
    status.application = { name: 'Rapport', website: null };
    if (key) {
      this.idempotency.set(key, { statusId: status.id, at: now });
      this.creationsByKey.set(key, (this.creationsByKey.get(key) ?? 0) + 1);
    }
    this.broadcast('user', 'update', status);
    if (visibility === 'direct') this.touchConversation(status, mentioned);
    return HttpResponse.json(status);
  }

  // ---------------------------------------------------------------- content

  private localize(account: AccountJson): AccountJson {
    account.url = `${this.origin}/@${account.username}`;
    account.uri = `${this.origin}/users/${account.username}`;
    return account;
  }

  private makeStatus(
    author: AccountJson,
    content: string,
    at: Date,
    options: {
      visibility: string;
      inReplyTo: string | undefined;
      language: string | null;
      spoilerText: string;
      mentions: AccountJson[];
    },
  ): StatusJson {
    const status = clone(statusTemplate) as unknown as StatusJson;
    status.id = statusIdAt(at.getTime());
    status.created_at = at.toISOString();
    status.account = clone(author);
    status.content = content;
    status.visibility = options.visibility;
    status.language = options.language as string;
    status.spoiler_text = options.spoilerText;
    status.sensitive = options.spoilerText.length > 0;
    const parent = options.inReplyTo ? this.statuses.get(options.inReplyTo) : undefined;
    status.in_reply_to_id = options.inReplyTo ?? null;
    status.in_reply_to_account_id = parent?.account.id ?? null;
    const origin = author.id === this.self.id ? this.origin : new URL(author.url).origin;
    status.uri = `${origin}/users/${author.username}/statuses/${status.id}`;
    status.url = `${origin}/@${author.username}/${status.id}`;
    status.mentions = options.mentions.map((account) => ({
      id: account.id,
      username: account.username,
      url: account.url,
      acct: account.acct,
    }));
    status.tags = [];
    this.statuses.set(status.id, status);
    return status;
  }

  /** HTML the way Mastodon renders a status: paragraphs, `<br />`, h-card mentions, escaped text. */
  private renderContent(text: string, mentioned: AccountJson[]): string {
    const paragraphs = text.split(/\n{2,}/).map((paragraph) => {
      let html = escapeHtml(paragraph).replace(/\n/g, '<br />');
      for (const account of mentioned) {
        const card = `<span class="h-card" translate="no"><a href="${account.url}" class="u-url mention">@<span>${account.username}</span></a></span>`;
        html = html.replace(new RegExp(`@${account.acct.replace(/[.]/g, '\\.')}(?![\\w@.-])`), card);
      }
      return `<p>${html}</p>`;
    });
    const mentionsUs = mentioned.some((account) => account.id === this.self.id);
    const first = paragraphs[0] ?? '<p></p>';
    if (mentionsUs && !first.includes('class="u-url mention"')) {
      const card = `<span class="h-card" translate="no"><a href="${this.self.url}" class="u-url mention">@<span>${this.self.username}</span></a></span>`;
      paragraphs[0] = first.replace('<p>', `<p>${card} `);
    }
    return paragraphs.join('');
  }

  private touchConversation(status: StatusJson, others: AccountJson[]): void {
    const key = others
      .map((account) => account.id)
      .sort()
      .join(',');
    let conversation = this.conversations.get(key);
    if (!conversation) {
      this.conversationSeq += 1;
      conversation = { id: String(this.conversationSeq), lastStatusId: status.id, participants: others };
      this.conversations.set(key, conversation);
    }
    conversation.lastStatusId = status.id;
    this.broadcast('direct', 'conversation', {
      ...clone(conversationTemplate),
      id: conversation.id,
      accounts: others,
      last_status: status,
    });
  }

  // ---------------------------------------------------------------- streaming

  private async startStreaming(): Promise<void> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: '/api/v1/streaming',
      // Mastodon takes the token from Sec-WebSocket-Protocol (or ?access_token) and refuses
      // the upgrade without a valid one.
      verifyClient: ({ req }, done) => {
        const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('access_token');
        const ok = protocols.includes(this.token) || query === this.token;
        done(ok, ok ? undefined : 401);
      },
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const { port } = wss.address() as AddressInfo;
    this.streamingUrl = `ws://127.0.0.1:${port}`;
    wss.on('connection', (socket) => {
      this.streamConnections += 1;
      const streams = new Set<string>();
      this.sockets.set(socket, streams);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (raw) => {
        let message: { type?: string; stream?: string };
        try {
          message = JSON.parse(String(raw));
        } catch {
          socket.send(JSON.stringify({ error: 'Could not parse JSON', status: 400 }));
          return;
        }
        if (message.type === 'subscribe' && message.stream) streams.add(message.stream);
        if (message.type === 'unsubscribe' && message.stream) streams.delete(message.stream);
      });
    });
    this.wss = wss;
  }

  /** Sends an event as Mastodon does: the payload is itself a JSON string. */
  private broadcast(stream: string, event: string, payload: unknown): void {
    const frame = JSON.stringify({ stream: [stream], event, payload: JSON.stringify(payload) });
    for (const [socket, streams] of this.sockets) {
      if (streams.has(stream) && socket.readyState === socket.OPEN) socket.send(frame);
    }
  }
}
