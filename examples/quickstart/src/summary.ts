import type { Conversation, Customer, Identity, Interaction, Rapport } from '@rapport/core';

/** Counts across the store. */
export interface Totals {
  customers: number;
  identities: number;
  interactions: number;
  conversations: number;
  /** Distinct brand accounts (channel + account) that have conversations. */
  brandAccounts: number;
}

/** One customer's relationship, told through their timeline. */
export interface CustomerStory {
  /** The conversation with the most interactions; its customer is the one shown. */
  conversation: Conversation;
  customer: Customer;
  identities: Identity[];
  /** Everything the customer said and was told, on every account, oldest first. */
  timeline: Interaction[];
}

/** What the quickstart prints, as data (so a test can check it without parsing text). */
export interface QuickstartSummary {
  totals: Totals;
  /** Accounts with the most interactions, most first. */
  busiestAccounts: Array<{ channel: string; account: string; interactions: number }>;
  /** What each rule did during the import, in evaluation order. */
  rules: RuleActivity[];
  /** Open cases per queue, the busiest first (then by name). */
  queues: Array<{ queue: string; cases: number; urgent: number }>;
  /** Null only for a store without any conversation that has a customer. */
  story: CustomerStory | null;
}

/** How often one rule fired. */
export interface RuleActivity {
  id: string;
  name: string;
  fired: number;
}

/** Options of {@link buildSummary}. */
export interface SummaryOptions {
  /** How many of the busiest accounts to list (default 5; the store reports at most 10). */
  busiest?: number;
}

/** Every page of a paged listing; each page is at most 1,000 items, the largest the API allows. */
async function allPages<T>(
  fetch: (page: {
    limit: number;
    cursor: string | null;
  }) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await fetch({ limit: 1000, cursor });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return all;
}

/**
 * The longest conversation with a known customer. Ties go to the earliest started, then the
 * lowest id, so the same data always tells the same story.
 */
function longestConversation(conversations: Conversation[]): Conversation | null {
  let best: Conversation | null = null;
  for (const c of conversations) {
    if (c.customerId === null) continue;
    if (
      best === null ||
      c.interactionCount > best.interactionCount ||
      (c.interactionCount === best.interactionCount &&
        (c.startedAt.getTime() < best.startedAt.getTime() ||
          (c.startedAt.getTime() === best.startedAt.getTime() && c.id < best.id)))
    ) {
      best = c;
    }
  }
  return best;
}

/**
 * Builds the customer-360 summary of the default tenant: totals, the busiest brand accounts and
 * the story of the customer in the longest conversation.
 */
export async function buildSummary(
  rapport: Rapport,
  options: SummaryOptions = {},
): Promise<QuickstartSummary> {
  const stats = await rapport.stats();
  // The store has no "largest conversation" query, so the quickstart walks all of them: a
  // thousand or so here. An app with millions would keep this as a score instead.
  const conversations = await allPages((page) => rapport.conversations.list({}, page));
  const accounts = new Set(conversations.map((c) => `${c.channel}\u0000${c.account}`));

  const totals: Totals = {
    customers: stats.customers,
    identities: stats.identities,
    interactions: stats.interactions,
    conversations: stats.conversations,
    brandAccounts: accounts.size,
  };
  const busiestAccounts = stats.busiestAccounts.slice(0, options.busiest ?? 5);
  const firings = await allPages((page) => rapport.rules.firings({}, page));
  const rules = rapport.rules.ruleSet.rules.map((r) => ({
    id: r.id,
    name: r.name,
    fired: firings.filter((f) => f.ruleId === r.id).length,
  }));
  const byQueue = new Map<string, { queue: string; cases: number; urgent: number }>();
  for (const c of conversations) {
    if (!c.case) continue;
    const queue = c.case.queue ?? '(none)';
    const entry = byQueue.get(queue) ?? { queue, cases: 0, urgent: 0 };
    entry.cases++;
    if (c.case.priority === 'urgent') entry.urgent++;
    byQueue.set(queue, entry);
  }
  const queues = [...byQueue.values()].sort((a, b) => b.cases - a.cases || a.queue.localeCompare(b.queue));
  const base = { totals, busiestAccounts, rules, queues };

  const longest = longestConversation(conversations);
  if (longest === null || longest.customerId === null) return { ...base, story: null };
  const customerId = longest.customerId;
  const customer = await rapport.customers.get(customerId);
  if (customer === null) return { ...base, story: null };
  const identities = await rapport.customers.identities(customerId);
  // The timeline API pages newest first; a story reads oldest first.
  const timeline = (await allPages((page) => rapport.customers.timeline(customerId, page))).reverse();
  return { ...base, story: { conversation: longest, customer, identities, timeline } };
}

const count = (n: number) => n.toLocaleString('en-US');

/** `2017-10-31 22:10 UTC`, whatever the machine's time zone. */
const minute = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The text on one line, cut to `max` characters. Tweets in a thread open with a run of
 * `@handles` (everyone in the thread); dropping it leaves room for what was actually said.
 */
function trimText(text: string | null, max: number): string {
  const flat = (text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:@\w+[\s,:]*)+(?=\S)/, '');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** Rows as aligned columns, indented by two spaces. */
function columns(rows: string[][], rightAligned: number[] = []): string[] {
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, i) =>
          rightAligned.includes(i)
            ? cell.padStart(widths[i]!)
            : i === row.length - 1
              ? cell
              : cell.padEnd(widths[i]!),
        )
        .join('  ')}`,
  );
}

/** Who a customer is, for a heading: a name or handle when known, else their first identity. */
function customerLabel(story: CustomerStory): string {
  const { customer, identities } = story;
  if (customer.displayName) return customer.displayName;
  const first = identities[0];
  if (!first) return customer.id;
  return first.handle ? `@${first.handle}` : `${first.channel} user ${first.externalId}`;
}

/** Options of {@link renderSummary}. */
export interface RenderOptions {
  /** Characters of interaction text per timeline line (default 72). */
  textWidth?: number;
}

/** Renders the summary as the text the quickstart prints. */
export function renderSummary(summary: QuickstartSummary, options: RenderOptions = {}): string {
  const textWidth = options.textWidth ?? 72;
  const { totals } = summary;
  const lines: string[] = [];

  lines.push('Totals');
  lines.push(
    ...columns(
      [
        ['customers', count(totals.customers)],
        ['identities', count(totals.identities)],
        ['interactions', count(totals.interactions)],
        ['conversations', count(totals.conversations)],
        ['brand accounts', count(totals.brandAccounts)],
      ],
      [1],
    ),
  );

  lines.push('', 'Busiest brand accounts');
  lines.push(
    ...columns(
      summary.busiestAccounts.map((a) => [a.account, a.channel, `${count(a.interactions)} interactions`]),
      [2],
    ),
  );

  if (summary.rules.length > 0) {
    lines.push('', 'Rules (rules.json) fired');
    lines.push(
      ...columns(
        summary.rules.map((r) => [r.id, `${count(r.fired)}×`, r.name]),
        [1],
      ),
    );
    lines.push('', 'Cases by queue');
    lines.push(
      ...columns(
        summary.queues.map((q) => [q.queue, `${count(q.cases)} cases`, `${count(q.urgent)} urgent`]),
        [1, 2],
      ),
    );
  }

  lines.push('', "One customer's story");
  const story = summary.story;
  if (story === null) {
    lines.push('  no conversation with a known customer');
  } else {
    const c = story.conversation;
    lines.push(
      `  ${customerLabel(story)} (customer ${story.customer.id})`,
      `  from the longest conversation: ${count(c.interactionCount)} interactions with ${c.channel}/${c.account}`,
      '',
      `  Identities (${story.identities.length})`,
      ...columns(
        story.identities.map((i) => [
          i.channel,
          i.externalId,
          i.handle ? `@${i.handle}` : '',
          i.verified ? 'verified' : 'unverified',
        ]),
      ).map((line) => `  ${line}`),
      '',
      `  Timeline, oldest first (${count(story.timeline.length)} interactions)`,
      ...columns(
        story.timeline.map((i) => [
          minute(i.occurredAt),
          i.direction === 'inbound' ? 'in' : 'out',
          i.kind,
          i.account,
          trimText(i.text, textWidth),
        ]),
      ).map((line) => `  ${line}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
