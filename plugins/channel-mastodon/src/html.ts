/**
 * Plain text from the HTML of a status. Mastodon sends sanitised HTML (paragraphs, line breaks,
 * links, mentions as `h-card` spans) and, from other servers of the fediverse, lists, quotes,
 * headings and code blocks. Paragraphs become blank lines, `<br>` a line break, list items lines
 * of their own; links keep their full text (a long URL is split into visible and `invisible`
 * spans that together spell it); entities are decoded.
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let length = 0;
  let pendingNewlines = 0;
  let preDepth = 0;
  let skipUntil: string | null = null;
  const lists: Array<{ ordered: boolean; next: number }> = [];

  const emit = (text: string) => {
    if (text.length === 0) return;
    if (length > 0 && pendingNewlines > 0) {
      out.push('\n'.repeat(pendingNewlines));
      length += pendingNewlines;
    }
    pendingNewlines = 0;
    out.push(text);
    length += text.length;
  };
  const breakAtLeast = (count: number) => {
    pendingNewlines = Math.max(pendingNewlines, count);
  };

  for (const token of html.matchAll(TOKEN)) {
    const [whole, comment, closing, rawName, text] = token;
    if (comment !== undefined) continue;
    if (rawName === undefined) {
      if (skipUntil) continue;
      const chunk = decodeEntities(text ?? whole);
      emit(preDepth > 0 ? chunk : collapseWhitespace(chunk, length === 0 || pendingNewlines > 0));
      continue;
    }
    const name = rawName.toLowerCase();
    const isClosing = closing === '/';
    if (skipUntil) {
      if (isClosing && name === skipUntil) skipUntil = null;
      continue;
    }
    if (SKIPPED.has(name)) {
      if (!isClosing && !whole.endsWith('/>')) skipUntil = name;
      continue;
    }
    if (name === 'br') {
      pendingNewlines += 1;
      continue;
    }
    if (PARAGRAPHS.has(name)) {
      breakAtLeast(2);
      if (name === 'pre') preDepth = Math.max(0, preDepth + (isClosing ? -1 : 1));
      continue;
    }
    if (name === 'ul' || name === 'ol') {
      breakAtLeast(1);
      if (isClosing) lists.pop();
      else lists.push({ ordered: name === 'ol', next: startOf(whole) });
      continue;
    }
    if (name === 'li') {
      breakAtLeast(1);
      if (!isClosing) {
        const list = lists.at(-1);
        const marker = list?.ordered ? `${list.next++}. ` : '- ';
        emit('  '.repeat(Math.max(0, lists.length - 1)) + marker);
      }
    }
    // Inline elements (a, span, em, strong, code, del...) only contribute their text.
  }
  return out
    .join('')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

/** A comment, a tag (with attributes, quoted values may hold `>`), or a run of text. */
const TOKEN =
  /(<!--[\s\S]*?-->)|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*\/?>|([^<]+|<)/g;

const PARAGRAPHS = new Set(['p', 'div', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr']);
const SKIPPED = new Set(['script', 'style', 'template']);

function startOf(tag: string): number {
  const match = /\sstart\s*=\s*["']?(\d+)/i.exec(tag);
  return match ? Number(match[1]) : 1;
}

/** HTML collapses runs of white space (source line breaks included) into one space. */
function collapseWhitespace(text: string, atLineStart: boolean): string {
  const collapsed = text.replace(/[ \t\n\r\f]+/g, ' ');
  return atLineStart ? collapsed.replace(/^ /, '') : collapsed;
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  shy: '\u00ad',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  deg: '°',
  times: '×',
  divide: '÷',
  zwj: '\u200d',
  zwnj: '\u200c',
};

/** Decodes character references: named ones Mastodon and its peers emit, and every numeric one. */
export function decodeEntities(text: string): string {
  return text.replace(
    /&(?:#[xX]([0-9a-fA-F]{1,6})|#(\d{1,7})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g,
    (whole, hex, dec, name) => {
      if (hex !== undefined || dec !== undefined) {
        const code = hex !== undefined ? Number.parseInt(hex, 16) : Number(dec);
        // NUL, surrogates and values past Unicode become U+FFFD, as HTML parsers do.
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
        return String.fromCodePoint(code);
      }
      if (!whole.endsWith(';')) return whole;
      return NAMED[name] ?? NAMED[name.toLowerCase()] ?? whole;
    },
  );
}
