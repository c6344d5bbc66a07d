import type { RulesWorkloadFact } from './facts.js';

/** 2024-02-01T00:00:00Z */
const FEB_1 = 1_706_745_600_000;
/** 2024-07-01T00:00:00Z */
const JUL_1 = 1_719_792_000_000;
/** 2024-10-01T00:00:00Z */
const OCT_1 = 1_727_740_800_000;

/**
 * The 50 rules of {@link rulesWorkloadRules}, written by hand as plain TypeScript: what a
 * developer would write without a rule engine, and so the practical limit of evaluating them.
 * Returns the ids of the rules that fire on `fact`, highest priority first.
 */
export function handwrittenRules(fact: RulesWorkloadFact): string[] {
  const { channel, kind, textLength, sentiment, language, occurredAt } = fact.interaction;
  const { tier, engagementScore, lifetimeValue, tags, segments, followerCount, isAdvocate, openCases } =
    fact.customer;
  const social = channel === 'twitter' || channel === 'mastodon';
  const oneClick = kind === 'like' || kind === 'share';
  const fired: string[] = [];

  // 500
  if (tier === 'enterprise' && (sentiment < -0.5 || tags.includes('at-risk')) && channel !== 'forum') {
    fired.push('vip-complaint');
  }
  // 490
  if (
    channel === 'twitter' &&
    sentiment < -0.7 &&
    kind !== 'dm' &&
    (followerCount >= 2000 || isAdvocate || tags.includes('influencer'))
  ) {
    fired.push('twitter-crisis');
  }
  // 485
  if (followerCount < 5 && engagementScore < 10 && textLength >= 200 && social && !isAdvocate) {
    fired.push('spam-suspect');
  }
  // 480
  if ((kind === 'mention' || kind === 'post') && social && sentiment < -0.6 && followerCount >= 500) {
    fired.push('angry-public-mention');
  }
  // 470
  if (isAdvocate && (sentiment < -0.2 || openCases >= 1)) fired.push('advocate-unhappy');
  // 460
  if (openCases >= 3 && (tier === 'pro' || tier === 'enterprise' || lifetimeValue >= 1000)) {
    fired.push('repeat-case-escalation');
  }
  // 450
  if (lifetimeValue >= 25_000 && sentiment < -0.2) fired.push('high-ltv-negative');
  // 440
  if (openCases >= 1 && sentiment < -0.4 && channel !== 'forum') fired.push('case-followup-negative');
  // 430
  if (tier === 'enterprise' && kind === 'dm') fired.push('enterprise-dm');
  // 420
  if (tier === 'pro' && channel === 'email' && (kind === 'dm' || kind === 'reply') && sentiment < 0) {
    fired.push('pro-email-support');
  }
  // 410
  if (tier === 'pro' && engagementScore < 25 && (sentiment < -0.3 || openCases >= 2)) {
    fired.push('churn-risk-pro');
  }
  // 400
  if (tags.includes('at-risk') && sentiment < 0) fired.push('at-risk-negative');
  // 395
  if (
    (tier === 'enterprise' && openCases >= 2) ||
    (lifetimeValue >= 50_000 && kind === 'dm') ||
    (tags.includes('vip') && sentiment < 0.5)
  ) {
    fired.push('key-account-watch');
  }
  // 390
  if (language !== 'en' && (kind === 'dm' || kind === 'reply' || kind === 'mention') && sentiment < 0.2) {
    fired.push('non-english-support');
  }
  // 380
  if (language === 'es' && (channel === 'email' || channel === 'twitter')) fired.push('spanish-queue');
  // 370
  if (language === 'de' && channel !== 'forum') fired.push('german-queue');
  // 360
  if (language === 'fr' && tier !== 'free') fired.push('french-paid-queue');
  // 350
  if (
    segments.includes('apac') &&
    (language === 'ja' || language === 'ko') &&
    (kind === 'dm' || kind === 'mention' || kind === 'reply')
  ) {
    fired.push('apac-routing');
  }
  // 340
  if (segments.includes('emea') && tier === 'enterprise' && !oneClick) fired.push('emea-enterprise-routing');
  // 330
  if (channel === 'email' && textLength >= 2000) fired.push('long-email-triage');
  // 320
  if (tags.includes('developer') && channel === 'forum' && kind === 'post' && textLength >= 400) {
    fired.push('developer-forum-question');
  }
  // 310
  if (tags.includes('beta-tester') && channel === 'forum' && (kind === 'post' || kind === 'reply')) {
    fired.push('beta-feedback');
  }
  // 300
  if (kind === 'mention' && sentiment < 0.3) fired.push('mention-needs-reply');
  // 290
  if (
    tier === 'free' &&
    engagementScore >= 60 &&
    (segments.includes('power-users') || followerCount >= 5000) &&
    sentiment >= 0.3
  ) {
    fired.push('upsell-signal');
  }
  // 280
  if (kind === 'like' && tier === 'free' && engagementScore >= 70 && segments.includes('high-intent')) {
    fired.push('like-from-prospect');
  }
  // 270
  if (segments.includes('mid-market') && tier === 'pro' && lifetimeValue >= 2000 && sentiment >= 0.2) {
    fired.push('mid-market-expansion');
  }
  // 260
  if (tags.includes('student') && tier === 'free' && (sentiment >= 0.4 || kind === 'dm')) {
    fired.push('student-discount');
  }
  // 250
  if (tags.includes('trial') && (kind === 'dm' || kind === 'reply') && openCases === 0) {
    fired.push('trial-question');
  }
  // 240
  if (segments.includes('new-signups') && (kind === 'dm' || channel === 'email') && openCases === 0) {
    fired.push('new-signup-onboarding');
  }
  // 230
  if (segments.includes('dormant') && (kind === 'mention' || kind === 'reply' || kind === 'dm')) {
    fired.push('win-back-dormant');
  }
  // 220
  if (tags.includes('churned') && sentiment >= 0) fired.push('churned-returning');
  // 210
  if (occurredAt >= OCT_1 && lifetimeValue >= 10_000) fired.push('recent-high-value');
  // 200
  if (tier !== 'free' && !oneClick && sentiment < -0.2) fired.push('paid-unhappy');
  // 190
  if (followerCount >= 5000 && sentiment >= 0.6 && social) fired.push('influencer-praise');
  // 180
  if (followerCount >= 10_000 && kind !== 'like') fired.push('press-reach');
  // 170
  if (isAdvocate && (kind === 'share' || kind === 'post')) fired.push('advocate-amplification');
  // 160
  if (tags.includes('partner') && (kind === 'mention' || kind === 'share')) fired.push('partner-mention');
  // 150
  if (tags.includes('influencer') && kind === 'dm') fired.push('influencer-dm');
  // 140
  if (kind === 'share' && followerCount >= 1000 && !tags.includes('partner')) fired.push('big-share');
  // 130
  if (occurredAt >= JUL_1 && occurredAt < OCT_1 && tags.includes('promoter') && sentiment >= 0.5) {
    fired.push('q3-promoter');
  }
  // 120
  if (sentiment >= 0.3 && kind !== 'like') fired.push('positive-feedback');
  // 110
  if (tier === 'free' && engagementScore >= 80 && openCases < 1) fired.push('engaged-free-fan');
  // 100
  if (channel === 'mastodon' && (kind === 'reply' || kind === 'mention') && engagementScore >= 40) {
    fired.push('mastodon-community');
  }
  // 90
  if (
    channel === 'forum' &&
    kind === 'reply' &&
    textLength >= 300 &&
    sentiment >= 0.2 &&
    engagementScore >= 50
  ) {
    fired.push('forum-solution-candidate');
  }
  // 80
  if (sentiment >= -0.1 && sentiment < 0.1 && (kind === 'mention' || kind === 'reply')) {
    fired.push('neutral-mention');
  }
  // 70
  if (!social && sentiment >= 0.7) fired.push('off-social-delight');
  // 50
  if (oneClick && !isAdvocate && followerCount < 100) fired.push('low-effort-noise');
  // 40
  if (occurredAt < FEB_1 && (kind === 'post' || kind === 'reply')) fired.push('backfill-early-posts');
  // 30
  if (channel === 'email' && kind === 'reply' && tags.includes('newsletter')) fired.push('newsletter-reply');
  // 20
  if (
    tags.includes('complainer') &&
    ((sentiment < -0.3 && followerCount >= 200) || (openCases >= 2 && channel !== 'email'))
  ) {
    fired.push('loud-complainer');
  }
  return fired;
}
