import { RapportError } from '@rapport/core';
import { applyButRule } from './but-rule.js';
import { emojiDescriptions, lowestEmojiCodePoint, vaderLexicon } from './lexicon/lexicons.js';
import { countChar, isUpper, pythonRound, splitWords, stripPunctuationIfWord } from './python-text.js';

/**
 * VADER's scores for one text.
 *
 * `pos`, `neu` and `neg` are the shares of the text's sentiment-weighted tokens that are positive,
 * neutral and negative (rounded to 3 decimals, summing to about 1); `compound` is the normalised
 * sum of all valences, from −1 (most negative) to +1 (most positive), rounded to 4 decimals.
 */
export interface VaderScores {
  neg: number;
  neu: number;
  pos: number;
  compound: number;
}

/**
 * The reference implementation this port reproduces: vaderSentiment 3.3.2 (PyPI), whose scoring
 * is unchanged up to cjhutto/vaderSentiment@44fc044c.
 */
export const VADER_REFERENCE = {
  package: 'vaderSentiment',
  version: '3.3.2',
  commit: '44fc044cd877310ee8278a0eadf34bcd50d41d06',
} as const;

/** Valence added by an intensifier ("very") or removed by a dampener ("barely"). */
export const BOOSTER_INCREMENT = 0.293;
/** Valence added to a word written in capitals when the rest of the text is not. */
export const CAPS_INCREMENT = 0.733;
/** Factor applied to a negated valence. */
export const NEGATION_SCALAR = -0.74;
/** `compound = S / √(S² + alpha)`: alpha approximates the largest expected sum. */
export const NORMALIZATION_ALPHA = 15;
/** Valence added per exclamation point, for up to four of them. */
export const EXCLAMATION_INCREMENT = 0.292;
/** Valence added per question mark when there are two or three (four or more add 0.96). */
export const QUESTION_INCREMENT = 0.18;

const B_INCR = BOOSTER_INCREMENT;
const B_DECR = -BOOSTER_INCREMENT;

// biome-ignore format: kept in the reference's order and grouping, to compare them line by line
const NEGATIONS: ReadonlySet<string> = new Set([
  'aint', 'arent', 'cannot', 'cant', 'couldnt', 'darent', 'didnt', 'doesnt',
  "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
  'dont', 'hadnt', 'hasnt', 'havent', 'isnt', 'mightnt', 'mustnt', 'neither',
  "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
  'neednt', "needn't", 'never', 'none', 'nope', 'nor', 'not', 'nothing', 'nowhere',
  'oughtnt', 'shant', 'shouldnt', 'uhuh', 'wasnt', 'werent',
  "oughtn't", "shan't", "shouldn't", 'uh-uh', "wasn't", "weren't",
  'without', 'wont', 'wouldnt', "won't", "wouldn't", 'rarely', 'seldom', 'despite',
]);

/** Degree adverbs: intensifiers add to the valence of the word they precede, dampeners take away. */
// biome-ignore format: word lists, kept dense
const BOOSTERS: ReadonlyMap<string, number> = new Map([
  ...[
    'absolutely', 'amazingly', 'awfully', 'completely', 'considerable', 'considerably', 'decidedly',
    'deeply', 'effing', 'enormous', 'enormously', 'entirely', 'especially', 'exceptional',
    'exceptionally', 'extreme', 'extremely', 'fabulously', 'flipping', 'flippin', 'frackin',
    'fracking', 'fricking', 'frickin', 'frigging', 'friggin', 'fully', 'fuckin', 'fucking', 'fuggin',
    'fugging', 'greatly', 'hella', 'highly', 'hugely', 'incredible', 'incredibly', 'intensely',
    'major', 'majorly', 'more', 'most', 'particularly', 'purely', 'quite', 'really', 'remarkably',
    'so', 'substantially', 'thoroughly', 'total', 'totally', 'tremendous', 'tremendously', 'uber',
    'unbelievably', 'unusually', 'utter', 'utterly', 'very',
  ].map((word) => [word, B_INCR] as const),
  ...[
    'almost', 'barely', 'hardly', 'just enough', 'kind of', 'kinda', 'kindof', 'kind-of', 'less',
    'little', 'marginal', 'marginally', 'occasional', 'occasionally', 'partly', 'scarce', 'scarcely',
    'slight', 'slightly', 'somewhat', 'sort of', 'sorta', 'sortof', 'sort-of',
  ].map((word) => [word, B_DECR] as const),
]);

/** Idioms and phrases containing lexicon words, with the valence that replaces the word's own. */
const SPECIAL_CASES: ReadonlyMap<string, number> = new Map([
  ['the shit', 3],
  ['the bomb', 3],
  ['bad ass', 1.5],
  ['badass', 1.5],
  ['bus stop', 0.0],
  ['yeah right', -2],
  ['kiss of death', -1.5],
  ['to die for', 3],
  ['beating heart', 3.1],
  ['broken heart', -2.9],
]);

function assertText(text: unknown): asserts text is string {
  if (typeof text !== 'string') {
    throw new RapportError('RAPPORT_INVALID_INPUT', `vader() takes a string, got ${typeof text}`, {
      path: ['text'],
      hint: 'pass the text to score as a string',
    });
  }
}

/**
 * Replaces each emoji the lexicon describes with its description, separated from a preceding
 * non-space character by a space, as the reference does before tokenizing.
 */
function describeEmoji(text: string): string {
  const lowest = lowestEmojiCodePoint();
  let hasCandidate = false;
  for (let i = 0; i < text.length; i++) {
    // Astral emoji start with a surrogate (≥ U+D800), itself above the lowest code point.
    if (text.charCodeAt(i) >= lowest) {
      hasCandidate = true;
      break;
    }
  }
  if (!hasCandidate) return text;
  const descriptions = emojiDescriptions();
  let out = '';
  let previousIsSpace = true;
  for (const ch of text) {
    const description = descriptions.get(ch);
    if (description === undefined) {
      out += ch;
      previousIsSpace = ch === ' ';
    } else {
      if (!previousIsSpace) out += ' ';
      out += description;
      previousIsSpace = false;
    }
  }
  return out;
}

/** `negated([word])` of the reference, for one lower-cased word. */
function isNegation(lower: string): boolean {
  return NEGATIONS.has(lower) || lower.includes("n't");
}

/** The tokens of one text with what the rules ask about each. */
interface Tokens {
  /** As written, after punctuation stripping. */
  words: string[];
  lower: string[];
  upper: boolean[];
  /** Some but not all tokens are in capitals: capitals then mean emphasis. */
  capsDifferential: boolean;
}

function tokenize(text: string): Tokens {
  const words = splitWords(text);
  const n = words.length;
  const lower = new Array<string>(n);
  const upper = new Array<boolean>(n);
  let upperCount = 0;
  for (let i = 0; i < n; i++) {
    const word = stripPunctuationIfWord(words[i]!);
    words[i] = word;
    lower[i] = word.toLowerCase();
    const caps = isUpper(word);
    upper[i] = caps;
    if (caps) upperCount++;
  }
  const differential = n - upperCount;
  return { words, lower, upper, capsDifferential: differential > 0 && differential < n };
}

/** `scalar_inc_dec`: what the word at `j` adds to the valence of a later sentiment word. */
function boosterScalar(tokens: Tokens, j: number, valence: number): number {
  const booster = BOOSTERS.get(tokens.lower[j]!);
  if (booster === undefined) return 0;
  let scalar = valence < 0 ? -booster : booster;
  if (tokens.upper[j] && tokens.capsDifferential) scalar += valence > 0 ? CAPS_INCREMENT : -CAPS_INCREMENT;
  return scalar;
}

/** `_negation_check` for the word `distance + 1` positions before the sentiment word at `i`. */
function negationCheck(valence: number, lower: string[], distance: number, i: number): number {
  if (distance === 0) {
    if (isNegation(lower[i - 1]!)) return valence * NEGATION_SCALAR;
    return valence;
  }
  if (distance === 1) {
    const two = lower[i - 2]!;
    const one = lower[i - 1]!;
    if (two === 'never' && (one === 'so' || one === 'this')) return valence * 1.25;
    if (two === 'without' && one === 'doubt') return valence;
    if (isNegation(two)) return valence * NEGATION_SCALAR;
    return valence;
  }
  const three = lower[i - 3]!;
  const two = lower[i - 2]!;
  const one = lower[i - 1]!;
  // The reference's precedence is kept: "so"/"this" just before the word boosts it even without
  // a "never" three words back.
  if ((three === 'never' && (two === 'so' || two === 'this')) || one === 'so' || one === 'this') {
    return valence * 1.25;
  }
  if (three === 'without' && (two === 'doubt' || one === 'doubt')) return valence;
  if (isNegation(three)) return valence * NEGATION_SCALAR;
  return valence;
}

/**
 * Words that occur in a special-case idiom or a two-word booster. A phrase can only match when all
 * its words are among them, which spares building the phrases for almost every word.
 */
const IDIOM_WORDS: ReadonlySet<string> = new Set(
  [...SPECIAL_CASES.keys(), ...BOOSTERS.keys()]
    .filter((key) => key.includes(' '))
    .flatMap((key) => key.split(' ')),
);

/** `_special_idioms_check`: idioms around the word at `i` (i ≥ 3) replace its valence. */
function specialIdiomsCheck(valence: number, lower: string[], i: number): number {
  const three = lower[i - 3]!;
  const two = lower[i - 2]!;
  const one = lower[i - 1]!;
  const zero = lower[i]!;
  const known = (word: string | undefined) => word !== undefined && IDIOM_WORDS.has(word);
  const isThree = known(three);
  const isTwo = known(two);
  const isOne = known(one);
  const isZero = known(zero);
  // In the reference's order, the first of these phrases that is an idiom wins.
  let special: number | undefined;
  if (isOne && isZero) special = SPECIAL_CASES.get(`${one} ${zero}`);
  if (special === undefined && isTwo && isOne && isZero) special = SPECIAL_CASES.get(`${two} ${one} ${zero}`);
  if (special === undefined && isTwo && isOne) special = SPECIAL_CASES.get(`${two} ${one}`);
  if (special === undefined && isThree && isTwo && isOne)
    special = SPECIAL_CASES.get(`${three} ${two} ${one}`);
  if (special === undefined && isThree && isTwo) special = SPECIAL_CASES.get(`${three} ${two}`);
  if (special !== undefined) valence = special;
  if (isZero && lower.length - 1 > i && known(lower[i + 1])) {
    const following = SPECIAL_CASES.get(`${zero} ${lower[i + 1]}`);
    if (following !== undefined) valence = following;
    if (lower.length - 1 > i + 1 && known(lower[i + 2])) {
      const longer = SPECIAL_CASES.get(`${zero} ${lower[i + 1]} ${lower[i + 2]}`);
      if (longer !== undefined) valence = longer;
    }
  }
  // Two-word dampeners ("kind of", "sort of") before the word; added without regard to sign.
  if (isThree && isTwo && isOne) valence += BOOSTERS.get(`${three} ${two} ${one}`) ?? 0;
  if (isThree && isTwo) valence += BOOSTERS.get(`${three} ${two}`) ?? 0;
  if (isTwo && isOne) valence += BOOSTERS.get(`${two} ${one}`) ?? 0;
  return valence;
}

/** `_least_check`: "least" before a word negates it, except in "at least" and "very least". */
function leastCheck(
  valence: number,
  lexicon: ReadonlyMap<string, number>,
  lower: string[],
  i: number,
): number {
  if (i > 0 && lower[i - 1] === 'least' && !lexicon.has('least')) {
    if (i === 1) return valence * NEGATION_SCALAR;
    if (lower[i - 2] !== 'at' && lower[i - 2] !== 'very') return valence * NEGATION_SCALAR;
  }
  return valence;
}

/** `sentiment_valence`: the valence of the word at `i` after the rules about its neighbours. */
function wordValence(tokens: Tokens, lexicon: ReadonlyMap<string, number>, i: number): number {
  const { lower } = tokens;
  const base = lexicon.get(lower[i]!);
  if (base === undefined) return 0;
  let valence = base;
  const last = lower.length - 1;
  // "no" before another lexicon word negates it rather than counting as negative on its own.
  if (lower[i] === 'no' && i !== last && lexicon.has(lower[i + 1]!)) valence = 0;
  if (
    (i > 0 && lower[i - 1] === 'no') ||
    (i > 1 && lower[i - 2] === 'no') ||
    (i > 2 && lower[i - 3] === 'no' && (lower[i - 1] === 'or' || lower[i - 1] === 'nor'))
  ) {
    valence = base * NEGATION_SCALAR;
  }
  if (tokens.upper[i] && tokens.capsDifferential) valence += valence > 0 ? CAPS_INCREMENT : -CAPS_INCREMENT;
  for (let distance = 0; distance < 3; distance++) {
    const j = i - (distance + 1);
    // Preceding words that carry sentiment of their own neither boost nor negate.
    if (j < 0 || lexicon.has(lower[j]!)) continue;
    let scalar = boosterScalar(tokens, j, valence);
    // Boosters further away count less.
    if (distance === 1 && scalar !== 0) scalar *= 0.95;
    if (distance === 2 && scalar !== 0) scalar *= 0.9;
    valence += scalar;
    valence = negationCheck(valence, lower, distance, i);
    if (distance === 2) valence = specialIdiomsCheck(valence, lower, i);
  }
  return leastCheck(valence, lexicon, lower, i);
}

/** Emphasis from "!" (up to four) and from runs of "?" (two or more). */
function punctuationEmphasis(text: string): number {
  const exclamations = Math.min(countChar(text, '!'), 4);
  const questions = countChar(text, '?');
  let questionAmplifier = 0;
  if (questions > 1) questionAmplifier = questions <= 3 ? questions * QUESTION_INCREMENT : 0.96;
  return exclamations * EXCLAMATION_INCREMENT + questionAmplifier;
}

/** `normalize`: maps a sum of valences into (−1, 1). */
function normalize(score: number): number {
  const normalized = score / Math.sqrt(score * score + NORMALIZATION_ALPHA);
  return Math.min(1, Math.max(-1, normalized));
}

function scoreValence(sentiments: number[], text: string): VaderScores {
  if (sentiments.length === 0) return { neg: 0, neu: 0, pos: 0, compound: 0 };
  let sum = 0;
  for (const s of sentiments) sum += s;
  const emphasis = punctuationEmphasis(text);
  if (sum > 0) sum += emphasis;
  else if (sum < 0) sum -= emphasis;
  const compound = normalize(sum);

  let positive = 0;
  let negative = 0;
  let neutral = 0;
  for (const s of sentiments) {
    // Each sentiment word also counts as one token, as neutral words do.
    if (s > 0) positive += s + 1;
    if (s < 0) negative += s - 1;
    if (s === 0) neutral += 1;
  }
  if (positive > Math.abs(negative)) positive += emphasis;
  else if (positive < Math.abs(negative)) negative -= emphasis;
  const total = positive + Math.abs(negative) + neutral;
  return {
    neg: pythonRound(Math.abs(negative / total), 3),
    neu: pythonRound(Math.abs(neutral / total), 3),
    pos: pythonRound(Math.abs(positive / total), 3),
    compound: pythonRound(compound, 4),
  };
}

/**
 * Scores the sentiment of an English text with VADER (Hutto & Gilbert, ICWSM 2014), exactly as
 * the Python reference `SentimentIntensityAnalyzer.polarity_scores` does (see
 * {@link VADER_REFERENCE}), quirks included. Pure and synchronous.
 *
 * @example
 * ```ts
 * vader('VADER is smart, handsome, and funny.');
 * // { neg: 0, neu: 0.254, pos: 0.746, compound: 0.8316 }
 * ```
 * @throws RapportError `RAPPORT_INVALID_INPUT` when `text` is not a string.
 */
export function vader(text: string): VaderScores {
  assertText(text);
  const lexicon = vaderLexicon();
  const described = describeEmoji(text);
  const tokens = tokenize(described);
  const { lower } = tokens;
  const sentiments = new Array<number>(lower.length);
  for (let i = 0; i < lower.length; i++) {
    const word = lower[i]!;
    // Boosters and "kind of" modify the next sentiment word and carry none themselves.
    if (BOOSTERS.has(word) || (word === 'kind' && i < lower.length - 1 && lower[i + 1] === 'of')) {
      sentiments[i] = 0;
      continue;
    }
    sentiments[i] = wordValence(tokens, lexicon, i);
  }
  applyButRule(lower, sentiments);
  return scoreValence(sentiments, described);
}
