import type { Condition, RuleInput } from '@rapport/core';

/**
 * A rule of the workload: triggered by every received interaction, tagging the customer with
 * the rule's id when its conditions hold.
 */
function rule(id: string, name: string, priority: number, conditions: Condition): RuleInput {
  return {
    id,
    name,
    priority,
    trigger: { event: 'interaction.received' },
    conditions,
    actions: [{ type: 'tag', tag: id }],
  };
}

// Instants compared with `interaction.occurredAt` (epoch ms, UTC).
/** 2024-02-01T00:00:00Z */
const FEB_1 = 1_706_745_600_000;
/** 2024-07-01T00:00:00Z */
const JUL_1 = 1_719_792_000_000;
/** 2024-10-01T00:00:00Z */
const OCT_1 = 1_727_740_800_000;

/**
 * The 50 rules of the rules benchmark, in Rapport's JSON rule format, written as a social CRM
 * team would: escalation, routing, growth, advocacy and hygiene. Each has 2 to 6 conditions
 * nested with `all` / `any` / `not`, using only `equal`, `notEqual`, `lessThan`,
 * `greaterThanInclusive`, `in` and `contains` (on `customer.tags` and `customer.segments`).
 * Priorities are distinct, so the order in which rules fire is total; they are not in the order
 * of this list. No rule stops processing.
 *
 * On {@link rulesWorkloadFacts} they fire at rates from about 0.07% to about 29% of facts, every
 * rule at least once in 20,000 facts, none on every fact.
 */
export const rulesWorkloadRules: readonly RuleInput[] = [
  // Escalation and support.
  rule('vip-complaint', 'VIP complaint', 500, {
    all: [
      { path: 'customer.tier', operator: 'equal', value: 'enterprise' },
      {
        any: [
          { path: 'interaction.sentiment', operator: 'lessThan', value: -0.5 },
          { path: 'customer.tags', operator: 'contains', value: 'at-risk' },
        ],
      },
      { not: { path: 'interaction.channel', operator: 'in', value: ['forum'] } },
    ],
  }),
  rule('twitter-crisis', 'Public anger on Twitter from someone with reach', 490, {
    all: [
      { path: 'interaction.channel', operator: 'equal', value: 'twitter' },
      { path: 'interaction.sentiment', operator: 'lessThan', value: -0.7 },
      { path: 'interaction.kind', operator: 'notEqual', value: 'dm' },
      {
        any: [
          { path: 'customer.followerCount', operator: 'greaterThanInclusive', value: 2000 },
          { path: 'customer.isAdvocate', operator: 'equal', value: true },
          { path: 'customer.tags', operator: 'contains', value: 'influencer' },
        ],
      },
    ],
  }),
  rule('angry-public-mention', 'Angry public mention', 480, {
    all: [
      { path: 'interaction.kind', operator: 'in', value: ['mention', 'post'] },
      { path: 'interaction.channel', operator: 'in', value: ['twitter', 'mastodon'] },
      { path: 'interaction.sentiment', operator: 'lessThan', value: -0.6 },
      { path: 'customer.followerCount', operator: 'greaterThanInclusive', value: 500 },
    ],
  }),
  rule('advocate-unhappy', 'An advocate is unhappy', 470, {
    all: [
      { path: 'customer.isAdvocate', operator: 'equal', value: true },
      {
        any: [
          { path: 'interaction.sentiment', operator: 'lessThan', value: -0.2 },
          { path: 'customer.openCases', operator: 'greaterThanInclusive', value: 1 },
        ],
      },
    ],
  }),
  rule('repeat-case-escalation', 'Third open case of a paying customer', 460, {
    all: [
      { path: 'customer.openCases', operator: 'greaterThanInclusive', value: 3 },
      {
        any: [
          { path: 'customer.tier', operator: 'in', value: ['pro', 'enterprise'] },
          { path: 'customer.lifetimeValue', operator: 'greaterThanInclusive', value: 1000 },
        ],
      },
    ],
  }),
  rule('high-ltv-negative', 'Negative message from a high-value customer', 450, {
    all: [
      { path: 'customer.lifetimeValue', operator: 'greaterThanInclusive', value: 25_000 },
      { path: 'interaction.sentiment', operator: 'lessThan', value: -0.2 },
    ],
  }),
  rule('case-followup-negative', 'Negative follow-up on an open case', 440, {
    all: [
      { path: 'customer.openCases', operator: 'greaterThanInclusive', value: 1 },
      { path: 'interaction.sentiment', operator: 'lessThan', value: -0.4 },
      { not: { path: 'interaction.channel', operator: 'equal', value: 'forum' } },
    ],
  }),
  rule('enterprise-dm', 'Direct message from an enterprise customer', 430, {
    all: [
      { path: 'customer.tier', operator: 'equal', value: 'enterprise' },
      { path: 'interaction.kind', operator: 'equal', value: 'dm' },
    ],
  }),
  rule('pro-email-support', 'Unhappy pro customer by email', 420, {
    all: [
      { path: 'customer.tier', operator: 'equal', value: 'pro' },
      { path: 'interaction.channel', operator: 'equal', value: 'email' },
      { path: 'interaction.kind', operator: 'in', value: ['dm', 'reply'] },
      { path: 'interaction.sentiment', operator: 'lessThan', value: 0 },
    ],
  }),
  rule('churn-risk-pro', 'Pro customer at risk of churning', 410, {
    all: [
      { path: 'customer.tier', operator: 'equal', value: 'pro' },
      { path: 'customer.engagementScore', operator: 'lessThan', value: 25 },
      {
        any: [
          { path: 'interaction.sentiment', operator: 'lessThan', value: -0.3 },
          { path: 'customer.openCases', operator: 'greaterThanInclusive', value: 2 },
        ],
      },
    ],
  }),
  rule('at-risk-negative', 'Negative message from an at-risk customer', 400, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'at-risk' },
      { path: 'interaction.sentiment', operator: 'lessThan', value: 0 },
    ],
  }),
  rule('key-account-watch', 'Key account needs attention', 395, {
    any: [
      {
        all: [
          { path: 'customer.tier', operator: 'equal', value: 'enterprise' },
          { path: 'customer.openCases', operator: 'greaterThanInclusive', value: 2 },
        ],
      },
      {
        all: [
          { path: 'customer.lifetimeValue', operator: 'greaterThanInclusive', value: 50_000 },
          { path: 'interaction.kind', operator: 'equal', value: 'dm' },
        ],
      },
      {
        all: [
          { path: 'customer.tags', operator: 'contains', value: 'vip' },
          { not: { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.5 } },
        ],
      },
    ],
  }),
  rule('paid-unhappy', 'Paying customer wrote something unhappy', 200, {
    not: {
      any: [
        { path: 'customer.tier', operator: 'equal', value: 'free' },
        { path: 'interaction.kind', operator: 'in', value: ['like', 'share'] },
        { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: -0.2 },
      ],
    },
  }),

  // Routing.
  rule('non-english-support', 'Support request not in English', 390, {
    all: [
      { path: 'interaction.language', operator: 'notEqual', value: 'en' },
      { path: 'interaction.kind', operator: 'in', value: ['dm', 'reply', 'mention'] },
      { path: 'interaction.sentiment', operator: 'lessThan', value: 0.2 },
    ],
  }),
  rule('spanish-queue', 'Spanish queue', 380, {
    all: [
      { path: 'interaction.language', operator: 'equal', value: 'es' },
      { path: 'interaction.channel', operator: 'in', value: ['email', 'twitter'] },
    ],
  }),
  rule('german-queue', 'German queue', 370, {
    all: [
      { path: 'interaction.language', operator: 'equal', value: 'de' },
      { not: { path: 'interaction.channel', operator: 'equal', value: 'forum' } },
    ],
  }),
  rule('french-paid-queue', 'French queue for paying customers', 360, {
    all: [
      { path: 'interaction.language', operator: 'equal', value: 'fr' },
      { path: 'customer.tier', operator: 'notEqual', value: 'free' },
    ],
  }),
  rule('apac-routing', 'APAC team, Japanese and Korean', 350, {
    all: [
      { path: 'customer.segments', operator: 'contains', value: 'apac' },
      { path: 'interaction.language', operator: 'in', value: ['ja', 'ko'] },
      { path: 'interaction.kind', operator: 'in', value: ['dm', 'mention', 'reply'] },
    ],
  }),
  rule('emea-enterprise-routing', 'EMEA enterprise desk', 340, {
    all: [
      { path: 'customer.segments', operator: 'contains', value: 'emea' },
      { path: 'customer.tier', operator: 'equal', value: 'enterprise' },
      { not: { path: 'interaction.kind', operator: 'in', value: ['like', 'share'] } },
    ],
  }),
  rule('long-email-triage', 'Long email needs a specialist', 330, {
    all: [
      { path: 'interaction.channel', operator: 'equal', value: 'email' },
      { path: 'interaction.textLength', operator: 'greaterThanInclusive', value: 2000 },
    ],
  }),
  rule('developer-forum-question', 'Developer question on the forum', 320, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'developer' },
      { path: 'interaction.channel', operator: 'equal', value: 'forum' },
      { path: 'interaction.kind', operator: 'equal', value: 'post' },
      { path: 'interaction.textLength', operator: 'greaterThanInclusive', value: 400 },
    ],
  }),
  rule('beta-feedback', 'Beta feedback on the forum', 310, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'beta-tester' },
      { path: 'interaction.channel', operator: 'equal', value: 'forum' },
      { path: 'interaction.kind', operator: 'in', value: ['post', 'reply'] },
    ],
  }),
  rule('mention-needs-reply', 'Mention that is not plainly happy', 300, {
    all: [
      { path: 'interaction.kind', operator: 'equal', value: 'mention' },
      { not: { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.3 } },
    ],
  }),

  // Growth.
  rule('upsell-signal', 'Engaged free customer with reach', 290, {
    all: [
      { path: 'customer.tier', operator: 'equal', value: 'free' },
      { path: 'customer.engagementScore', operator: 'greaterThanInclusive', value: 60 },
      {
        any: [
          { path: 'customer.segments', operator: 'contains', value: 'power-users' },
          { path: 'customer.followerCount', operator: 'greaterThanInclusive', value: 5000 },
        ],
      },
      { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.3 },
    ],
  }),
  rule('like-from-prospect', 'Like from a high-intent prospect', 280, {
    all: [
      { path: 'interaction.kind', operator: 'equal', value: 'like' },
      { path: 'customer.tier', operator: 'equal', value: 'free' },
      { path: 'customer.engagementScore', operator: 'greaterThanInclusive', value: 70 },
      { path: 'customer.segments', operator: 'contains', value: 'high-intent' },
    ],
  }),
  rule('mid-market-expansion', 'Happy mid-market customer', 270, {
    all: [
      { path: 'customer.segments', operator: 'contains', value: 'mid-market' },
      { path: 'customer.tier', operator: 'equal', value: 'pro' },
      { path: 'customer.lifetimeValue', operator: 'greaterThanInclusive', value: 2000 },
      { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.2 },
    ],
  }),
  rule('student-discount', 'Student to offer a discount', 260, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'student' },
      { path: 'customer.tier', operator: 'equal', value: 'free' },
      {
        any: [
          { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.4 },
          { path: 'interaction.kind', operator: 'equal', value: 'dm' },
        ],
      },
    ],
  }),
  rule('trial-question', 'Question during a trial', 250, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'trial' },
      { path: 'interaction.kind', operator: 'in', value: ['dm', 'reply'] },
      { path: 'customer.openCases', operator: 'equal', value: 0 },
    ],
  }),
  rule('new-signup-onboarding', 'New sign-up getting in touch', 240, {
    all: [
      { path: 'customer.segments', operator: 'contains', value: 'new-signups' },
      {
        any: [
          { path: 'interaction.kind', operator: 'equal', value: 'dm' },
          { path: 'interaction.channel', operator: 'equal', value: 'email' },
        ],
      },
      { path: 'customer.openCases', operator: 'equal', value: 0 },
    ],
  }),
  rule('win-back-dormant', 'Dormant customer speaks up', 230, {
    all: [
      { path: 'customer.segments', operator: 'contains', value: 'dormant' },
      { path: 'interaction.kind', operator: 'in', value: ['mention', 'reply', 'dm'] },
    ],
  }),
  rule('churned-returning', 'Churned customer, friendly again', 220, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'churned' },
      { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0 },
    ],
  }),
  rule('recent-high-value', 'High-value customer this quarter', 210, {
    all: [
      { path: 'interaction.occurredAt', operator: 'greaterThanInclusive', value: OCT_1 },
      { path: 'customer.lifetimeValue', operator: 'greaterThanInclusive', value: 10_000 },
    ],
  }),

  // Advocacy and reach.
  rule('influencer-praise', 'Praise from an influencer', 190, {
    all: [
      { path: 'customer.followerCount', operator: 'greaterThanInclusive', value: 5000 },
      { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.6 },
      { path: 'interaction.channel', operator: 'in', value: ['twitter', 'mastodon'] },
    ],
  }),
  rule('press-reach', 'Account with press-level reach', 180, {
    all: [
      { path: 'customer.followerCount', operator: 'greaterThanInclusive', value: 10_000 },
      { not: { path: 'interaction.kind', operator: 'equal', value: 'like' } },
    ],
  }),
  rule('advocate-amplification', 'Advocate spreads the word', 170, {
    all: [
      { path: 'customer.isAdvocate', operator: 'equal', value: true },
      { path: 'interaction.kind', operator: 'in', value: ['share', 'post'] },
    ],
  }),
  rule('partner-mention', 'Partner mentions or shares us', 160, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'partner' },
      { path: 'interaction.kind', operator: 'in', value: ['mention', 'share'] },
    ],
  }),
  rule('influencer-dm', 'Direct message from an influencer', 150, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'influencer' },
      { path: 'interaction.kind', operator: 'equal', value: 'dm' },
    ],
  }),
  rule('big-share', 'Share to a large audience', 140, {
    all: [
      { path: 'interaction.kind', operator: 'equal', value: 'share' },
      { path: 'customer.followerCount', operator: 'greaterThanInclusive', value: 1000 },
      { not: { path: 'customer.tags', operator: 'contains', value: 'partner' } },
    ],
  }),
  rule('q3-promoter', 'Promoter delighted in the third quarter', 130, {
    all: [
      { path: 'interaction.occurredAt', operator: 'greaterThanInclusive', value: JUL_1 },
      { path: 'interaction.occurredAt', operator: 'lessThan', value: OCT_1 },
      { path: 'customer.tags', operator: 'contains', value: 'promoter' },
      { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.5 },
    ],
  }),
  rule('positive-feedback', 'Positive feedback in words', 120, {
    all: [
      { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.3 },
      { path: 'interaction.kind', operator: 'notEqual', value: 'like' },
    ],
  }),
  rule('engaged-free-fan', 'Engaged free customer without problems', 110, {
    all: [
      { path: 'customer.tier', operator: 'equal', value: 'free' },
      { path: 'customer.engagementScore', operator: 'greaterThanInclusive', value: 80 },
      { path: 'customer.openCases', operator: 'lessThan', value: 1 },
    ],
  }),
  rule('mastodon-community', 'Engaged Mastodon conversation', 100, {
    all: [
      { path: 'interaction.channel', operator: 'equal', value: 'mastodon' },
      {
        any: [
          { path: 'interaction.kind', operator: 'equal', value: 'reply' },
          { path: 'interaction.kind', operator: 'equal', value: 'mention' },
        ],
      },
      { path: 'customer.engagementScore', operator: 'greaterThanInclusive', value: 40 },
    ],
  }),

  // Hygiene and analytics.
  rule('spam-suspect', 'Long post from a new, silent account', 485, {
    all: [
      { path: 'customer.followerCount', operator: 'lessThan', value: 5 },
      { path: 'customer.engagementScore', operator: 'lessThan', value: 10 },
      { path: 'interaction.textLength', operator: 'greaterThanInclusive', value: 200 },
      { path: 'interaction.channel', operator: 'in', value: ['twitter', 'mastodon'] },
      { not: { path: 'customer.isAdvocate', operator: 'equal', value: true } },
    ],
  }),
  rule('forum-solution-candidate', 'Helpful forum reply', 90, {
    all: [
      { path: 'interaction.channel', operator: 'equal', value: 'forum' },
      { path: 'interaction.kind', operator: 'equal', value: 'reply' },
      { path: 'interaction.textLength', operator: 'greaterThanInclusive', value: 300 },
      { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.2 },
      { path: 'customer.engagementScore', operator: 'greaterThanInclusive', value: 50 },
    ],
  }),
  rule('neutral-mention', 'Neutral mention or reply', 80, {
    all: [
      {
        not: {
          any: [
            { path: 'interaction.sentiment', operator: 'lessThan', value: -0.1 },
            { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.1 },
          ],
        },
      },
      { path: 'interaction.kind', operator: 'in', value: ['mention', 'reply'] },
    ],
  }),
  rule('off-social-delight', 'Delighted outside social networks', 70, {
    all: [
      {
        not: {
          any: [
            { path: 'interaction.channel', operator: 'equal', value: 'twitter' },
            { path: 'interaction.channel', operator: 'equal', value: 'mastodon' },
          ],
        },
      },
      { path: 'interaction.sentiment', operator: 'greaterThanInclusive', value: 0.7 },
    ],
  }),
  rule('low-effort-noise', 'One-click signal from a small account', 50, {
    all: [
      { path: 'interaction.kind', operator: 'in', value: ['like', 'share'] },
      { not: { path: 'customer.isAdvocate', operator: 'equal', value: true } },
      { path: 'customer.followerCount', operator: 'lessThan', value: 100 },
    ],
  }),
  rule('backfill-early-posts', 'Posts and replies from January', 40, {
    all: [
      { path: 'interaction.occurredAt', operator: 'lessThan', value: FEB_1 },
      { path: 'interaction.kind', operator: 'in', value: ['post', 'reply'] },
    ],
  }),
  rule('newsletter-reply', 'Reply to the newsletter', 30, {
    all: [
      { path: 'interaction.channel', operator: 'equal', value: 'email' },
      { path: 'interaction.kind', operator: 'equal', value: 'reply' },
      { path: 'customer.tags', operator: 'contains', value: 'newsletter' },
    ],
  }),
  rule('loud-complainer', 'Known complainer, loud or persistent', 20, {
    all: [
      { path: 'customer.tags', operator: 'contains', value: 'complainer' },
      {
        any: [
          {
            all: [
              { path: 'interaction.sentiment', operator: 'lessThan', value: -0.3 },
              { path: 'customer.followerCount', operator: 'greaterThanInclusive', value: 200 },
            ],
          },
          {
            all: [
              { path: 'customer.openCases', operator: 'greaterThanInclusive', value: 2 },
              { not: { path: 'interaction.channel', operator: 'equal', value: 'email' } },
            ],
          },
        ],
      },
    ],
  }),
];
