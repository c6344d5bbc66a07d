import { cumulate, pickWeighted, SeededRandom } from '../synthetic/random.js';

/** Channels an interaction of the rules workload comes from. */
export const RULES_WORKLOAD_CHANNELS = ['twitter', 'email', 'forum', 'mastodon'] as const;
/** A channel of the rules workload. */
export type RulesWorkloadChannel = (typeof RULES_WORKLOAD_CHANNELS)[number];

/** Kinds of interaction in the rules workload. */
export const RULES_WORKLOAD_KINDS = ['mention', 'reply', 'dm', 'post', 'like', 'share'] as const;
/** A kind of interaction in the rules workload. */
export type RulesWorkloadKind = (typeof RULES_WORKLOAD_KINDS)[number];

/** Customer tiers in the rules workload. */
export const RULES_WORKLOAD_TIERS = ['free', 'pro', 'enterprise'] as const;
/** A customer tier in the rules workload. */
export type RulesWorkloadTier = (typeof RULES_WORKLOAD_TIERS)[number];

/** The interaction half of a fact. */
export interface RulesWorkloadInteraction {
  channel: RulesWorkloadChannel;
  kind: RulesWorkloadKind;
  /** Characters of text; 0 for likes and for most shares. */
  textLength: number;
  /** From -1 (angry) to 1 (delighted), in steps of 0.01. */
  sentiment: number;
  /** ISO 639-1 code, such as `en` or `ja`. */
  language: string;
  /** Epoch milliseconds, within 2024 (UTC). */
  occurredAt: number;
}

/** The customer half of a fact: the customer who sent the interaction. */
export interface RulesWorkloadCustomer {
  tier: RulesWorkloadTier;
  /** 0 to 100, a whole number. */
  engagementScore: number;
  /** In dollars, with cents; 0 for most free customers. */
  lifetimeValue: number;
  tags: string[];
  /** Exactly one region (`amer`, `emea`, `apac`) and possibly others. */
  segments: string[];
  followerCount: number;
  isAdvocate: boolean;
  openCases: number;
}

/**
 * What rules of the benchmark workload are evaluated against: one interaction joined with its
 * customer. Rule paths address it as `interaction.…` and `customer.…`.
 */
export interface RulesWorkloadFact {
  interaction: RulesWorkloadInteraction;
  customer: RulesWorkloadCustomer;
}

/** The first instant of the workload's year (2024-01-01T00:00:00Z). */
export const RULES_WORKLOAD_START_MS = Date.UTC(2024, 0, 1);
/** The end of the workload's year (2025-01-01T00:00:00Z, excluded). */
export const RULES_WORKLOAD_END_MS = Date.UTC(2025, 0, 1);

/** Odds that a fact comes from a customer not seen before (the first one always does). */
const NEW_CUSTOMER_ODDS = 0.12;

const TIER_WEIGHTS = cumulate([0.8, 0.16, 0.04]);
/** Channel odds (twitter, email, forum, mastodon) per tier: paying customers write email. */
const CHANNEL_WEIGHTS: Record<RulesWorkloadTier, Float64Array> = {
  free: cumulate([0.45, 0.15, 0.18, 0.22]),
  pro: cumulate([0.35, 0.35, 0.15, 0.15]),
  enterprise: cumulate([0.2, 0.6, 0.1, 0.1]),
};
/** Kind odds (mention, reply, dm, post, like, share) per channel. */
const KIND_WEIGHTS: Record<RulesWorkloadChannel, Float64Array> = {
  twitter: cumulate([0.3, 0.25, 0.05, 0.05, 0.25, 0.1]),
  email: cumulate([0, 0.4, 0.6, 0, 0, 0]),
  forum: cumulate([0, 0.45, 0, 0.45, 0.1, 0]),
  mastodon: cumulate([0.3, 0.25, 0.05, 0.05, 0.2, 0.15]),
};
/** Text length of written kinds per channel: median, spread (log-normal sigma) and cap. */
const TEXT_LENGTH: Record<RulesWorkloadChannel, { median: number; sigma: number; max: number }> = {
  twitter: { median: 90, sigma: 0.7, max: 280 },
  email: { median: 600, sigma: 0.9, max: 20_000 },
  forum: { median: 450, sigma: 1, max: 15_000 },
  mastodon: { median: 140, sigma: 0.8, max: 500 },
};
const OPEN_CASES_WEIGHTS = cumulate([0.78, 0.13, 0.05, 0.025, 0.01, 0.005]);
const REGIONS = ['amer', 'emea', 'apac'] as const;
const REGION_WEIGHTS = cumulate([0.45, 0.35, 0.2]);
/** Preferred languages per region. */
const LANGUAGES: Record<(typeof REGIONS)[number], { codes: readonly string[]; weights: Float64Array }> = {
  amer: { codes: ['en', 'es', 'pt'], weights: cumulate([0.85, 0.12, 0.03]) },
  emea: {
    codes: ['en', 'de', 'fr', 'es', 'it', 'nl'],
    weights: cumulate([0.5, 0.18, 0.15, 0.07, 0.05, 0.05]),
  },
  apac: { codes: ['en', 'ja', 'ko'], weights: cumulate([0.6, 0.3, 0.1]) },
};

/**
 * `count` facts for the rules benchmark, the same for the same `seed` on every machine. Each
 * fact is one interaction joined with the customer who sent it; a customer sends many
 * interactions (the fact then shares the customer object with earlier facts), a few customers
 * far more than most. The facts are a prefix of any longer run with the same seed.
 *
 * Distributions are skewed as in real data: 80% of customers are on the free tier, follower
 * counts are heavy-tailed (a median in the tens, a few accounts with hundreds of thousands),
 * most customers have no open case and lifetime values are log-normal per tier.
 */
export function rulesWorkloadFacts(count: number, seed: number): RulesWorkloadFact[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number ≥ 0, not ${count}`);
  }
  const root = new SeededRandom(seed);
  const customerRandom = root.fork();
  const random = root.fork();
  const customers: RulesWorkloadCustomer[] = [];
  const languages: string[] = [];
  const facts: RulesWorkloadFact[] = [];
  for (let i = 0; i < count; i++) {
    let index: number;
    if (customers.length === 0 || random.chance(NEW_CUSTOMER_ODDS)) {
      index = customers.length;
      const { customer, language } = drawCustomer(customerRandom);
      customers.push(customer);
      languages.push(language);
    } else {
      // Squaring a uniform draw favours early customers: the long-standing regulars write most.
      const u = random.next();
      index = Math.floor(u * u * customers.length);
    }
    const customer = customers[index]!;
    facts.push({ interaction: drawInteraction(random, customer, languages[index]!), customer });
  }
  return facts;
}

function drawCustomer(random: SeededRandom): { customer: RulesWorkloadCustomer; language: string } {
  const tier = RULES_WORKLOAD_TIERS[pickWeighted(random, TIER_WEIGHTS)]!;
  // A power of a uniform draw: free customers engage less than paying ones.
  const engagementScore = Math.round(100 * random.next() ** (tier === 'free' ? 1.6 : 0.85));
  const lifetimeValue =
    tier === 'free'
      ? random.chance(0.75)
        ? 0
        : cents(logNormal(random, 40, 1))
      : tier === 'pro'
        ? cents(logNormal(random, 1200, 0.9))
        : cents(logNormal(random, 40_000, 1));
  // Pareto (alpha 1.2) shifted to start at 0: median about 50, one in 30 above 1,000.
  const followerCount = random.chance(0.1)
    ? 0
    : Math.min(50_000_000, Math.floor(60 * (1 / (1 - random.next())) ** (1 / 1.2)) - 60);
  const isAdvocate = random.chance(engagementScore >= 70 ? 0.25 : 0.02);
  const openCases =
    pickWeighted(random, OPEN_CASES_WEIGHTS) + (tier === 'enterprise' && random.chance(0.3) ? 1 : 0);

  const tags: string[] = [];
  const tag = (name: string, odds: number) => {
    if (random.chance(odds)) tags.push(name);
  };
  tag('newsletter', 0.35);
  tag('at-risk', engagementScore < 20 ? 0.15 : 0.04);
  tag('vip', tier === 'enterprise' ? 0.35 : tier === 'pro' ? 0.08 : 0.01);
  tag('beta-tester', 0.05);
  tag('churned', 0.04);
  tag('influencer', followerCount >= 5000 ? 0.6 : 0.005);
  tag('developer', 0.12);
  tag('partner', 0.015);
  tag('promoter', isAdvocate ? 0.7 : 0.08);
  tag('trial', tier === 'free' ? 0.1 : 0);
  tag('student', tier === 'free' ? 0.06 : 0);
  tag('complainer', 0.04);

  const region = REGIONS[pickWeighted(random, REGION_WEIGHTS)]!;
  const segments: string[] = [region];
  const segment = (name: string, odds: number) => {
    if (random.chance(odds)) segments.push(name);
  };
  if (tier === 'enterprise') segments.push('enterprise-accounts');
  else if (tier === 'pro') segment(random.chance(0.35) ? 'mid-market' : 'smb', 0.9);
  else segment('smb', 0.2);
  segment('high-intent', tier === 'free' && engagementScore >= 60 ? 0.3 : 0.05);
  segment('dormant', engagementScore < 15 ? 0.3 : 0.03);
  segment('power-users', engagementScore >= 75 ? 0.5 : 0.02);
  segment('new-signups', 0.1);

  const languageTable = LANGUAGES[region];
  const language = languageTable.codes[pickWeighted(random, languageTable.weights)]!;
  return {
    customer: {
      tier,
      engagementScore,
      lifetimeValue,
      tags,
      segments,
      followerCount,
      isAdvocate,
      openCases,
    },
    language,
  };
}

function drawInteraction(
  random: SeededRandom,
  customer: RulesWorkloadCustomer,
  preferredLanguage: string,
): RulesWorkloadInteraction {
  const channel = RULES_WORKLOAD_CHANNELS[pickWeighted(random, CHANNEL_WEIGHTS[customer.tier])]!;
  const kind = RULES_WORKLOAD_KINDS[pickWeighted(random, KIND_WEIGHTS[channel])]!;
  const shape = TEXT_LENGTH[channel];
  const textLength =
    kind === 'like' || (kind === 'share' && random.chance(0.7))
      ? 0
      : Math.max(1, Math.min(shape.max, Math.round(logNormal(random, shape.median, shape.sigma))));
  let sentiment: number;
  if (kind === 'like') sentiment = 0.3 + 0.6 * random.next();
  else if (kind === 'share') sentiment = gaussian(random, 0.3, 0.3);
  else {
    // Open cases and a bad history sour the tone; advocates are kinder.
    const mean =
      0.15 -
      (customer.openCases > 0 ? 0.25 : 0) -
      (customer.tags.includes('at-risk') ? 0.3 : 0) +
      (customer.isAdvocate ? 0.2 : 0);
    sentiment = gaussian(random, mean, 0.45);
  }
  // Two decimals, as a sentiment model would report, so thresholds are hit exactly now and then.
  sentiment = Math.round(Math.max(-1, Math.min(1, sentiment)) * 100) / 100;
  if (sentiment === 0) sentiment = 0; // no -0
  const language = random.chance(0.9) ? preferredLanguage : 'en';
  // The square root of a uniform draw: activity grows through the year.
  const occurredAt = Math.floor(
    RULES_WORKLOAD_START_MS + Math.sqrt(random.next()) * (RULES_WORKLOAD_END_MS - RULES_WORKLOAD_START_MS),
  );
  return { channel, kind, textLength, sentiment, language, occurredAt };
}

/** A normally distributed value (Box–Muller). */
function gaussian(random: SeededRandom, mean: number, sd: number): number {
  const u = 1 - random.next(); // (0, 1]
  const v = random.next();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal value with the given median. */
function logNormal(random: SeededRandom, median: number, sigma: number): number {
  return median * Math.exp(gaussian(random, 0, sigma));
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}
