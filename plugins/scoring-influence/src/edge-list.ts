import { parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { invalidInput, PLUGIN } from './errors.js';
import { DigraphBuilder, type WeightedDigraph } from './graph.js';

/** Schema of the options of {@link readEdgeList}. Unknown keys are rejected so typos surface. */
export const edgeListOptionsSchema = z
  .object({
    delimiter: z
      .enum(['auto', ',', '\t', 'whitespace'])
      .default('auto')
      .describe(
        'Column separator. `auto` picks a tab if the first row has one, else a comma if it has one, else runs of whitespace.',
      ),
    header: z
      .union([z.boolean(), z.literal('auto')])
      .default('auto')
      .describe(
        'Whether the first row names the columns. `auto`: it does when its first two fields are source/target, from/to or src/dst.',
      ),
    undirected: z
      .boolean()
      .default(false)
      .describe('Read each row as an undirected edge: both directions, with the same weight.'),
    nodes: z
      .array(z.string().min(1))
      .optional()
      .describe('Nodes to add first, in this order: keeps isolated nodes and fixes the node order.'),
  })
  .strict();

/** Options of {@link readEdgeList}, as the caller writes them. */
export type EdgeListOptions = z.input<typeof edgeListOptionsSchema>;

const HEADER_PAIRS = new Set(['source target', 'from to', 'src dst']);

/** Splits one delimited row; double quotes may wrap a field (RFC 4180, `""` inside for a quote). */
function splitQuoted(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter).map((field) => field.trim());
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      wasQuoted = true;
      field = '';
    } else if (c === delimiter) {
      fields.push(wasQuoted ? field : field.trim());
      field = '';
      wasQuoted = false;
    } else if (!wasQuoted || c.trim() !== '') {
      field += c;
    }
  }
  fields.push(wasQuoted ? field : field.trim());
  return fields;
}

const WHITESPACE = /\s+/;
const CARRIAGE_RETURN = 13;
const HASH = 35;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 0xa0 || code === 0xfeff;
}

/** Splits the row `text[start, end)` on `delimiter` (no quotes in it), trimming each field. */
function splitPlain(text: string, start: number, end: number, delimiter: string): string[] {
  const fields: string[] = [];
  let from = start;
  for (;;) {
    let at = text.indexOf(delimiter, from);
    if (at < 0 || at > end) at = end;
    fields.push(text.slice(from, at).trim());
    if (at === end) return fields;
    from = at + 1;
  }
}

/**
 * Reads an edge list — one edge per row, `source,target[,weight]` as CSV, TSV or whitespace
 * separated — into a {@link WeightedDigraph}. Blank rows and rows starting with `#` are skipped; a
 * missing or empty weight is 1; repeated rows add their weights (so a log of interactions, one
 * row each, becomes a weighted graph).
 *
 * @example
 * ```ts
 * const graph = readEdgeList('source,target,weight\nada,grace,2\ngrace,ada,1\n');
 * pagerank(graph).top(1); // [{ node: 'ada', value: … }]
 * ```
 * @throws RapportError `RAPPORT_INVALID_INPUT` naming the line (`path: ['line', n]`, 1-based) of a
 * row with fewer than 2 or more than 3 fields or a weight that is not a finite number >= 0.
 */
export function readEdgeList(text: string, options?: EdgeListOptions): WeightedDigraph {
  if (typeof text !== 'string') {
    throw invalidInput('readEdgeList reads text', ['text'], 'pass the file’s content as a string');
  }
  const parsed = parsePluginOptions(edgeListOptionsSchema, options, 'readEdgeList', PLUGIN);
  const builder = new DigraphBuilder();
  for (const node of parsed.nodes ?? []) builder.addNode(node);

  let delimiter: string | null = parsed.delimiter === 'auto' ? null : parsed.delimiter;
  let firstRow = true;
  let lineNumber = 0;
  // Position of the next double quote at or after the current line: rows before it take the fast
  // path (no quoting to undo), and the text is searched for quotes once, not once per row.
  let nextQuote = -1;
  let position = 0;
  const length = text.length;
  while (position < length) {
    let end = text.indexOf('\n', position);
    if (end < 0) end = length;
    const lineStart = position;
    let lineEnd = end;
    position = end + 1;
    lineNumber += 1;
    if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === CARRIAGE_RETURN) lineEnd -= 1;

    let first = lineStart;
    while (first < lineEnd && isSpace(text.charCodeAt(first))) first += 1;
    if (first === lineEnd || text.charCodeAt(first) === HASH) continue;
    if (delimiter === null) {
      const line = text.slice(lineStart, lineEnd);
      delimiter = line.includes('\t') ? '\t' : line.includes(',') ? ',' : 'whitespace';
    }
    if (nextQuote >= 0 && nextQuote < lineStart) nextQuote = -1;
    if (nextQuote < 0 && nextQuote !== -2) {
      nextQuote = text.indexOf('"', lineStart);
      if (nextQuote < 0) nextQuote = -2;
    }

    let fields: string[];
    if (delimiter === 'whitespace') fields = text.slice(first, lineEnd).trim().split(WHITESPACE);
    else if (nextQuote >= 0 && nextQuote < lineEnd)
      fields = splitQuoted(text.slice(lineStart, lineEnd), delimiter);
    else fields = splitPlain(text, lineStart, lineEnd, delimiter);

    if (firstRow) {
      firstRow = false;
      const isHeader =
        parsed.header === 'auto'
          ? HEADER_PAIRS.has(`${fields[0]?.toLowerCase()} ${fields[1]?.toLowerCase()}`)
          : parsed.header;
      if (isHeader) continue;
    }

    if (fields.length < 2 || fields.length > 3) {
      throw invalidInput(
        `Line ${lineNumber} has ${fields.length} field(s); an edge list row is source, target and an optional weight`,
        ['line', lineNumber],
        'write one edge per row as `source,target` or `source,target,weight`',
      );
    }
    const [source, target, rawWeight] = fields as [string, string, string | undefined];
    if (source === '' || target === '') {
      throw invalidInput(
        `Line ${lineNumber} has an empty node id`,
        ['line', lineNumber, source === '' ? 'source' : 'target'],
        'give both ends of every edge a non-empty id',
      );
    }
    let weight = 1;
    if (rawWeight !== undefined && rawWeight !== '') {
      weight = Number(rawWeight);
      if (!(weight >= 0) || weight === Number.POSITIVE_INFINITY) {
        throw invalidInput(
          `Line ${lineNumber}: weight "${rawWeight}" is not a finite number >= 0`,
          ['line', lineNumber, 'weight'],
          'write weights as plain non-negative numbers such as 1 or 2.5, or leave the column out',
        );
      }
    }
    builder.addEdge(source, target, weight);
    if (parsed.undirected && source !== target) builder.addEdge(target, source, weight);
  }
  return builder.build();
}
