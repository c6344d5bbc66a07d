import { describe, expect, it } from 'vitest';
import { isUpper, pythonRound, splitWords, stripPunctuationIfWord } from '../src/python-text.js';

describe("Python's str behaviours", () => {
  it('rounds like round(x, n): exact binary value, exact ties to even', () => {
    // Exact binary ties (k/16): Python rounds to even, toFixed would round up.
    expect(pythonRound(0.0625, 3)).toBe(0.062);
    expect(pythonRound(0.1875, 3)).toBe(0.188);
    expect(pythonRound(0.3125, 3)).toBe(0.312);
    expect(pythonRound(-0.0625, 3)).toBe(-0.062);
    expect(pythonRound(0.03125, 4)).toBe(0.0312);
    // Not ties in binary: decided by the exact value (2.675 is 2.67499999...).
    expect(pythonRound(2.675, 2)).toBe(2.67);
    expect(pythonRound(1.0005, 3)).toBe(1);
    expect(pythonRound(0.12345, 4)).toBe(0.1235);
    expect(pythonRound(0.8316312, 4)).toBe(0.8316);
    expect(pythonRound(0.99995, 4)).toBe(1);
    expect(Object.is(pythonRound(-0.00001, 4), 0)).toBe(true);
  });

  it('splits on the whitespace str.split() splits on, which is not \\s', () => {
    expect(splitWords('  a \t b\nc  ')).toEqual(['a', 'b', 'c']);
    expect(splitWords('a\u00a0b\u3000c\u2028d')).toEqual(['a', 'b', 'c', 'd']);
    // Python splits on the ASCII information separators and NEL; \s does not.
    expect(splitWords('a\x1cb\x1fc\x85d')).toEqual(['a', 'b', 'c', 'd']);
    // \s includes the BOM and Python does not.
    expect(splitWords('a\ufeffb')).toEqual(['a\ufeffb']);
    expect(splitWords('')).toEqual([]);
    expect(splitWords(' \n ')).toEqual([]);
  });

  it('strips ASCII punctuation from words but keeps tokens it would shrink to two characters or fewer', () => {
    expect(stripPunctuationIfWord('good!!')).toBe('good');
    expect(stripPunctuationIfWord('"(great)"')).toBe('great');
    expect(stripPunctuationIfWord(":')")).toBe(":')");
    expect(stripPunctuationIfWord('no,')).toBe('no,');
    expect(stripPunctuationIfWord('(:')).toBe('(:');
    expect(stripPunctuationIfWord("it's")).toBe("it's");
    // Counted in code points: two astral characters are two, not four.
    expect(stripPunctuationIfWord('\u{1d431}\u{1d432}!')).toBe('\u{1d431}\u{1d432}!');
    expect(stripPunctuationIfWord('\u{1d431}\u{1d432}a!')).toBe('\u{1d431}\u{1d432}a');
    // Only ASCII punctuation is stripped.
    expect(stripPunctuationIfWord('«bien»')).toBe('«bien»');
  });

  it('tells ALL-CAPS words like str.isupper()', () => {
    expect(isUpper('GOOD')).toBe(true);
    expect(isUpper("DON'T")).toBe(true);
    expect(isUpper('Good')).toBe(false);
    expect(isUpper('123')).toBe(false);
    expect(isUpper(':D')).toBe(true);
    expect(isUpper('ÉNORME')).toBe(true);
    expect(isUpper('GROß')).toBe(false);
    // Titlecase letters and Other_Lowercase letters are not upper case.
    expect(isUpper('ǅA')).toBe(false);
    expect(isUpper('Aª')).toBe(false);
    // Other_Uppercase symbols count as upper case.
    expect(isUpper('Ⓐ')).toBe(true);
  });
});
