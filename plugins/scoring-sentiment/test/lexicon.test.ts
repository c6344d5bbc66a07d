import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emojiDescriptions, vaderLexicon } from '../src/lexicon/lexicons.js';

const upstream = (file: string) =>
  readFileSync(fileURLToPath(new URL(`../lexicon/${file}`, import.meta.url)), 'utf8');

const PYTHON_SPACE =
  '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const pythonStrip = (line: string) =>
  line.replace(new RegExp(`^${PYTHON_SPACE}+|${PYTHON_SPACE}+$`, 'g'), '');

/** The dict the reference builds from a lexicon file (`make_lex_dict` / `make_emoji_dict`). */
function referenceDict(text: string, skipEmpty: boolean): Map<string, string> {
  const dict = new Map<string, string>();
  for (const line of text.replace(/\n+$/, '').split('\n')) {
    if (skipEmpty && line === '') continue;
    const [key, value] = pythonStrip(line).split('\t');
    dict.set(key!, value!);
  }
  return dict;
}

describe('the bundled lexicon', () => {
  it('holds every entry of vader_lexicon.txt with its mean valence (later duplicates winning)', () => {
    const expected = referenceDict(upstream('vader_lexicon.txt'), true);
    const bundled = vaderLexicon();
    expect(expected.size).toBe(7506);
    expect(bundled.size).toBe(expected.size);
    for (const [token, valence] of expected) expect(bundled.get(token), token).toBe(Number(valence));
    expect(bundled.get('good')).toBe(1.9);
    expect(bundled.get(':)')).toBe(2);
  });

  it('holds every single-code-point emoji of emoji_utf8_lexicon.txt (the only ones the reference can match)', () => {
    const expected = [...referenceDict(upstream('emoji_utf8_lexicon.txt'), false)].filter(
      ([emoji]) => [...emoji].length === 1,
    );
    const bundled = emojiDescriptions();
    expect(bundled.size).toBe(expected.length);
    for (const [emoji, description] of expected) expect(bundled.get(emoji), emoji).toBe(description);
    expect(bundled.get('😁')).toBe('beaming face with smiling eyes');
  });

  it('ships the MIT licence of the lexicon with it', () => {
    const licence = upstream('LICENSE.txt');
    expect(licence).toMatch(/Copyright \(c\) 2016 C\.J\. Hutto/);
    for (const file of ['vader-lexicon.generated.ts', 'emoji-lexicon.generated.ts']) {
      const source = readFileSync(fileURLToPath(new URL(`../src/lexicon/${file}`, import.meta.url)), 'utf8');
      expect(source.startsWith('/*!'), file).toBe(true);
      expect(source, file).toMatch(/Copyright \(c\) 2016 C\.J\. Hutto/);
      expect(source, file).toMatch(/Permission is hereby granted, free of charge/);
    }
  });
});
