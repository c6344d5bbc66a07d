import { EMOJI_LEXICON_DATA } from './emoji-lexicon.generated.js';
import { VADER_LEXICON_DATA } from './vader-lexicon.generated.js';

function tabSeparated<T>(data: string, value: (field: string) => T): Map<string, T> {
  const map = new Map<string, T>();
  for (const line of data.split('\n')) {
    const tab = line.indexOf('\t');
    // Later lines overwrite earlier ones, as the reference's dict does for repeated tokens.
    map.set(line.slice(0, tab), value(line.slice(tab + 1)));
  }
  return map;
}

let valences: Map<string, number> | undefined;
let emoji: Map<string, string> | undefined;
let lowestEmoji = 0;

/**
 * The VADER lexicon: token → mean valence (−4 … +4), built on first use so that importing the
 * package costs nothing until text is scored.
 */
export function vaderLexicon(): ReadonlyMap<string, number> {
  valences ??= tabSeparated(VADER_LEXICON_DATA, Number);
  return valences;
}

/** Emoji (one code point each) → the English description VADER scores in its place. */
export function emojiDescriptions(): ReadonlyMap<string, string> {
  if (emoji === undefined) {
    emoji = tabSeparated(EMOJI_LEXICON_DATA, (description) => description);
    lowestEmoji = Math.min(...[...emoji.keys()].map((key) => key.codePointAt(0)!));
  }
  return emoji;
}

/**
 * The lowest code point that has a description (© U+00A9): text made only of lower code points
 * has no emoji to describe, which spares the per-character pass for almost every text.
 */
export function lowestEmojiCodePoint(): number {
  emojiDescriptions();
  return lowestEmoji;
}
