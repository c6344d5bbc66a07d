import type { SeededRandom } from './random.js';
import {
  ANNOUNCEMENTS,
  BRAND_GREETINGS,
  BRAND_SENTENCES,
  BRAND_SIGNATURES,
  COMMON_WORDS,
  NEGATIVE_EMOJI,
  NEGATIVE_WORDS,
  NEUTRAL_EMOJI,
  POSITIVE_EMOJI,
  POSITIVE_WORDS,
  PRODUCTS,
  REFERRAL_TEXTS,
  SENTENCE_STARTS,
} from './words.js';

/** The tone of a text: what a sentiment scorer should find. */
export type Tone = 'negative' | 'neutral' | 'positive';

/** Tones by number (-1, 0, 1 shifted by one), to index them from a mood. */
export const TONES: readonly Tone[] = ['negative', 'neutral', 'positive'];

/** Tone number (0 negative, 1 neutral, 2 positive) for a person's mood (-1, 0, 1). */
export function drawTone(random: SeededRandom, mood: number): number {
  // Moods bias rather than fix the tone: fans complain sometimes, grumpy people praise sometimes.
  const r = random.next();
  if (mood < 0) return r < 0.6 ? 0 : r < 0.9 ? 1 : 2;
  if (mood > 0) return r < 0.1 ? 0 : r < 0.35 ? 1 : 2;
  return r < 0.25 ? 0 : r < 0.75 ? 1 : 2;
}

/**
 * Builds texts from the word lists. Texts are word salad with the right shape (sentences,
 * a product, tone words, emoji, realistic length spread) rather than prose: enough for search,
 * sentiment and length-based effort rules, and cheap (a few draws and concatenations a word).
 */
export class TextBuilder {
  constructor(private readonly random: SeededRandom) {}

  /** A number of words: mostly short, sometimes medium, rarely long (longer on long-form channels). */
  length(longForm: boolean): number {
    const random = this.random;
    const r = random.next();
    if (r < 0.45) return random.between(3, 12);
    if (r < 0.85) return random.between(13, 40);
    return longForm ? random.between(41, 220) : random.between(41, 60);
  }

  /** Customer-written text of `words` words in tone `tone` (see {@link drawTone}). */
  customer(words: number, tone: number): string {
    const random = this.random;
    const toneWords = tone === 0 ? NEGATIVE_WORDS : tone === 2 ? POSITIVE_WORDS : COMMON_WORDS;
    let text = random.pick(SENTENCE_STARTS);
    let sinceBreak = 1;
    for (let i = 1; i < words; i++) {
      if (sinceBreak >= 5 && random.next() < 0.15) {
        text += '. ' + random.pick(SENTENCE_STARTS);
        sinceBreak = 1;
        continue;
      }
      const r = random.next();
      text +=
        ' ' +
        (r < 0.12 ? random.pick(toneWords) : r < 0.17 ? random.pick(PRODUCTS) : random.pick(COMMON_WORDS));
      sinceBreak++;
    }
    text += tone === 1 ? (random.next() < 0.3 ? '?' : '.') : random.next() < 0.5 ? '!' : '.';
    if (random.next() < 0.3) {
      const emoji = tone === 0 ? NEGATIVE_EMOJI : tone === 2 ? POSITIVE_EMOJI : NEUTRAL_EMOJI;
      text += ' ' + random.pick(emoji);
      if (random.next() < 0.3) text += random.pick(emoji);
    }
    return text;
  }

  /** A brand reply addressed to `firstName`; signed when `signed` (emails). */
  brand(firstName: string, signed: boolean): string {
    const random = this.random;
    let text = random.pick(BRAND_GREETINGS) + ' ' + firstName + ', ' + random.pick(BRAND_SENTENCES);
    const more = random.int(signed ? 4 : 2);
    for (let i = 0; i < more; i++) text += ' ' + random.pick(BRAND_SENTENCES);
    if (signed) text += '\n\n' + random.pick(BRAND_SIGNATURES);
    return text;
  }

  /** A brand announcement. */
  announcement(): string {
    const random = this.random;
    const headline = random.pick(ANNOUNCEMENTS);
    return random.next() < 0.5 ? headline : headline + ' ' + random.pick(POSITIVE_EMOJI);
  }

  /** A short referral note. */
  referral(): string {
    return this.random.pick(REFERRAL_TEXTS);
  }
}
