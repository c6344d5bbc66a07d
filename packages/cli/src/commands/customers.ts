import type { Customer, CustomerProfile, Identity, Interaction, Rapport, Score } from '@rapport/core';
import { LEVEL_MODEL_ID, levelOfScore } from '@rapport/core';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { count, json, oneLine, table, utc } from '../format.js';
import type { CliIO } from '../io.js';
import { parseCommandInput, storeLocationOptions, storeOptionsShape, wholeNumberOption } from '../options.js';
import { withStore } from '../store.js';

/** How a `customers show` argument was matched to a customer. */
export type MatchedBy = 'id' | 'merged-into' | 'identity' | 'search' | 'external-id';

/** A customer found for a `customers show` argument. */
export interface CustomerMatch {
  customerId: string;
  matchedBy: MatchedBy;
}

/** `customers show` output (also its `--json` form). */
export interface CustomerShowReport extends CustomerProfile {
  query: string;
  matchedBy: MatchedBy;
}

/** A search hit with its identities, so the handles that matched can be seen. */
export interface CustomerSearchHit extends Customer {
  identities: Identity[];
}

/** `customers search` output (also its `--json` form). */
export interface CustomerSearchReport {
  prefix: string;
  limit: number;
  customers: CustomerSearchHit[];
}

const IDENTITY_REF = /^([a-z][a-z0-9_.-]*):(.+)$/;

const sameText = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

function notFound(query: string): CliError {
  return new CliError('CLI_CUSTOMER_NOT_FOUND', `No customer matches "${query}"`, {
    hint: 'give a customer id, <channel>:<external id> (twitter:115712), or a handle; find customers with `rapport customers search <prefix>`',
  });
}

/**
 * Finds the customer a user means by `query`, trying in turn: a customer id (following a merge
 * to the survivor); `<channel>:<external id>`; a name, email or handle (exactly, or the only
 * prefix match); a channel's own id on any channel the store has data for. More than one
 * candidate is an error that lists them, never a guess.
 */
export async function findCustomer(rapport: Rapport, query: string): Promise<CustomerMatch> {
  const byId = await rapport.customers.get(query);
  if (byId) {
    if (byId.status === 'merged' && byId.mergedInto)
      return { customerId: byId.mergedInto, matchedBy: 'merged-into' };
    return { customerId: byId.id, matchedBy: 'id' };
  }

  const ref = IDENTITY_REF.exec(query);
  if (ref) {
    const identity = await rapport.customers.findIdentity({ channel: ref[1]!, externalId: ref[2]! });
    if (identity) return { customerId: identity.customerId, matchedBy: 'identity' };
  }

  const term = query.replace(/^@/, '');
  if (term.length > 0) {
    const found = await rapport.customers.search(term, { limit: 20 });
    const exact: Customer[] = [];
    for (const customer of found) {
      if (sameText(customer.displayName, term) || sameText(customer.primaryEmail, term)) {
        exact.push(customer);
        continue;
      }
      const identities = await rapport.customers.identities(customer.id);
      if (identities.some((i) => sameText(i.handle, term) || sameText(i.email, term))) exact.push(customer);
    }
    const candidates = exact.length > 0 ? exact : found;
    if (candidates.length === 1) return { customerId: candidates[0]!.id, matchedBy: 'search' };
    if (candidates.length > 1) {
      const list = candidates.map((c) => `${c.id}${c.displayName ? ` (${c.displayName})` : ''}`).join(', ');
      throw new CliError(
        'CLI_CUSTOMER_AMBIGUOUS',
        `"${query}" matches ${candidates.length} customers: ${list}`,
        {
          hint: 'give one of the customer ids',
        },
      );
    }
  }

  // Data without handles (twcs customers are bare user ids) is still reachable by its own ids.
  const stats = await rapport.stats();
  const matches = new Map<string, Identity>();
  for (const { channel } of stats.byChannel) {
    const identity = await rapport.customers.findIdentity({ channel, externalId: query });
    if (identity) matches.set(identity.customerId, identity);
  }
  if (matches.size === 1) return { customerId: [...matches.keys()][0]!, matchedBy: 'external-id' };
  if (matches.size > 1) {
    const list = [...matches.values()].map((i) => `${i.channel}:${i.externalId}`).join(', ');
    throw new CliError('CLI_CUSTOMER_AMBIGUOUS', `"${query}" is an id on several channels: ${list}`, {
      hint: 'give <channel>:<external id>',
    });
  }
  throw notFound(query);
}

/** A score's value as shown: a level by its name (and index), anything else as the number. */
function scoreValue(score: Score): string {
  if (score.model.id !== LEVEL_MODEL_ID) return String(score.value);
  const { name, index } = levelOfScore(score);
  return `${name} (${index})`;
}

/** Looks a customer up and returns their profile: identities, recent interactions, scores, consents. */
export async function showCustomer(
  rapport: Rapport,
  query: string,
  recent: number,
): Promise<CustomerShowReport> {
  const match = await findCustomer(rapport, query);
  const profile = await rapport.customers.profile(match.customerId, { recent });
  if (!profile) throw notFound(query);
  return { query, matchedBy: match.matchedBy, ...profile };
}

/** Active customers whose name, email or handle starts with `prefix`, with their identities. */
export async function searchCustomers(
  rapport: Rapport,
  prefix: string,
  limit: number,
): Promise<CustomerSearchReport> {
  const found = await rapport.customers.search(prefix, { limit });
  const customers: CustomerSearchHit[] = [];
  for (const customer of found)
    customers.push({ ...customer, identities: await rapport.customers.identities(customer.id) });
  return { prefix, limit, customers };
}

const dash = (value: string | null | undefined) =>
  value === null || value === undefined || value === '' ? '—' : value;

function identityLabel(identity: Identity): string {
  return `${identity.channel}:${identity.handle ?? identity.externalId}`;
}

/** One line per interaction: time, direction, kind, where, text. */
export function interactionRows(interactions: Interaction[], textWidth = 80): string[][] {
  return interactions.map((i) => [
    utc(i.occurredAt),
    i.direction === 'inbound' ? 'in' : 'out',
    i.kind,
    `${i.channel}/${i.account}`,
    oneLine(i.text, textWidth),
  ]);
}

/** The human-readable customer-360 view. */
export function renderCustomer(report: CustomerShowReport): string {
  const { customer, identities, recent, scores, consents } = report;
  const via =
    report.matchedBy === 'merged-into'
      ? ` (${report.query} was merged into this customer)`
      : report.matchedBy === 'id'
        ? ''
        : ` (found by ${report.query})`;
  let out = `Customer ${customer.id}  ${customer.status}${via}\n`;
  out += `${table([
    ['name', dash(customer.displayName)],
    ['email', dash(customer.primaryEmail)],
    ['tags', customer.tags.length > 0 ? customer.tags.join(', ') : '—'],
    ['created', utc(customer.createdAt)],
    ['updated', utc(customer.updatedAt)],
  ])}\n`;
  const attributes = Object.entries(customer.attributes);
  if (attributes.length > 0) {
    out += `${table(attributes.map(([k, v]) => [k, oneLine(JSON.stringify(v), 80)]))}\n`;
  }

  out += `\nIdentities (${identities.length})\n`;
  out += identities.length
    ? `${table(
        identities.map((i) => [
          i.channel,
          i.externalId,
          i.handle ? `@${i.handle.replace(/^@/, '')}` : '',
          i.email ?? '',
          i.verified ? 'verified' : 'unverified',
          i.source,
        ]),
      )}\n`
    : '  none\n';

  out += `\nRecent interactions (${recent.length}, newest first)\n`;
  out += recent.length ? `${table(interactionRows(recent))}\n` : '  none\n';

  out += `\nScores (${scores.length})\n`;
  out += scores.length
    ? `${table(scores.map((s) => [s.name, scoreValue(s), `${s.model.id}@${s.model.version}`, utc(s.computedAt)]))}\n`
    : '  none\n';

  out += `\nConsents (${consents.length})\n`;
  out += consents.length
    ? `${table(consents.map((c) => [utc(c.at), c.purpose, c.channel, c.status, c.source ?? '']))}\n`
    : '  none\n';
  return out;
}

/** The human-readable search result. */
export function renderSearch(report: CustomerSearchReport): string {
  const { customers, prefix } = report;
  if (customers.length === 0) {
    return (
      `No active customer's name, email or handle starts with "${prefix}".\n` +
      '  hint: a channel’s own user id is not searched; look it up with `rapport customers show <channel>:<id>`\n'
    );
  }
  const more =
    customers.length === report.limit ? ` (the first ${report.limit}; raise --limit for more)` : '';
  let out = `${count(customers.length)} customer${customers.length === 1 ? '' : 's'} starting with "${prefix}"${more}\n`;
  out += `${table(
    customers.map((c) => [
      c.id,
      dash(c.displayName),
      c.primaryEmail ?? '',
      c.identities.map(identityLabel).join(', '),
    ]),
  )}\n`;
  return out;
}

const showInputSchema = z.object({
  query: z.string().trim().min(1, 'needs a customer id or handle'),
  recent: wholeNumberOption(1, 1000),
  ...storeOptionsShape,
});

const searchInputSchema = z.object({
  prefix: z.string().min(1, 'needs at least one character'),
  limit: wholeNumberOption(1, 1000),
  ...storeOptionsShape,
});

function storeOptions(command: Command): Command {
  return storeLocationOptions(command)
    .option('--tenant <id>', 'tenant to read', 'default')
    .option('--json', 'print JSON');
}

/** Adds `rapport customers show` and `rapport customers search` to the program. */
export function registerCustomers(program: Command, io: CliIO): void {
  const customers = program.command('customers').description('look customers up');

  storeOptions(
    customers
      .command('show')
      .description('a customer-360 profile: identities, recent interactions, scores, consents')
      .argument('<id-or-handle>', 'customer id, <channel>:<external id>, name, email or handle'),
  )
    .option('--recent <n>', 'how many recent interactions to show', '10')
    .action(async (query: string, raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, showInputSchema, { ...raw, query });
      const report = await withStore({ ...input, cwd: io.cwd, mustExist: true }, (rapport) =>
        showCustomer(rapport, input.query, input.recent),
      );
      io.stdout(input.json ? json(report) : renderCustomer(report));
    });

  storeOptions(
    customers
      .command('search')
      .description('active customers whose name, email or handle starts with a prefix')
      .argument('<prefix>', 'start of a name, email or handle (case-insensitive)'),
  )
    .option('--limit <n>', 'at most this many customers', '20')
    .action(async (prefix: string, raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, searchInputSchema, { ...raw, prefix });
      const report = await withStore({ ...input, cwd: io.cwd, mustExist: true }, (rapport) =>
        searchCustomers(rapport, input.prefix, input.limit),
      );
      io.stdout(input.json ? json(report) : renderSearch(report));
    });
}
