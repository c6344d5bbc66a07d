import { isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  DigraphBuilder,
  digraphFromEdges,
  fromGraphology,
  readEdgeList,
  toGraphology,
  type WeightedDigraph,
} from '../src/index.js';
import { fixtureText, karate, randomEdges } from './helpers.js';

/** Edges as "s>t:w" strings, sorted, for comparisons that ignore order. */
function edgeSet(graph: WeightedDigraph): string[] {
  return [...graph.edges()].map((e) => `${e.source}>${e.target}:${e.weight}`).sort();
}

function thrown(fn: () => unknown): { code: string; path: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    expect(isRapportError(error)).toBe(true);
    return error as { code: string; path: unknown; message: string };
  }
  throw new Error('expected a RapportError');
}

describe('DigraphBuilder', () => {
  it('sums parallel edges and keeps the first-seen node order', () => {
    const builder = new DigraphBuilder();
    builder.addEdge('b', 'a', 2);
    builder.addEdge('a', 'c');
    builder.addEdge('b', 'a', 0.5);
    builder.addEdge('c', 'c', 3);
    const graph = builder.build();
    expect(graph.nodes).toEqual(['b', 'a', 'c']);
    expect(graph.size).toBe(3);
    expect(graph.weight('b', 'a')).toBe(2.5);
    expect(graph.weight('a', 'b')).toBeUndefined();
    expect(graph.weight('c', 'c')).toBe(3);
    expect([...graph.outStrength]).toEqual([2.5, 1, 3]);
    expect(graph.inDegree('a')).toBe(1);
    expect(graph.outDegree('a')).toBe(1);
  });

  it('builds in-edges that mirror the out-edges, sorted by source', () => {
    const graph = digraphFromEdges(randomEdges(200, 2000, 7));
    const fromIn: string[] = [];
    for (let v = 0; v < graph.order; v++) {
      let last = -1;
      for (let e = graph.inOffsets[v]!; e < graph.inOffsets[v + 1]!; e++) {
        const s = graph.inSources[e]!;
        expect(s).toBeGreaterThan(last);
        last = s;
        fromIn.push(`${graph.nodes[s]}>${graph.nodes[v]}:${graph.inWeights[e]}`);
      }
    }
    expect(fromIn.sort()).toEqual(edgeSet(graph));
  });

  it('rejects negative, infinite and NaN weights and empty ids', () => {
    const builder = new DigraphBuilder();
    for (const weight of [-1, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(thrown(() => builder.addEdge('a', 'b', weight)).code).toBe('RAPPORT_INVALID_INPUT');
    }
    expect(thrown(() => builder.addEdge('', 'b')).code).toBe('RAPPORT_INVALID_INPUT');
    expect(thrown(() => digraphFromEdges([{ source: 'a', target: 'b', weight: -2 }])).path).toEqual([
      'edges',
      0,
      'weight',
    ]);
  });
});

describe('readEdgeList', () => {
  it('reads the karate club CSV with its header and weights', () => {
    const graph = readEdgeList(fixtureText('karate_club_edges.csv'));
    expect(graph.order).toBe(34);
    expect(graph.size).toBe(78);
    expect(graph.weight('0', '1')).toBe(4);
    expect(karate(true).size).toBe(156);
  });

  it('reads TSV and whitespace lists, with comments, blank lines, CRLF and no weights', () => {
    const tsv = readEdgeList('# a comment\r\nsource\ttarget\r\na\tb\r\n\r\nb\tc\t2.5\r\n');
    expect(edgeSet(tsv)).toEqual(['a>b:1', 'b>c:2.5']);
    const spaced = readEdgeList('1 2\n2   3 4\n', { delimiter: 'whitespace' });
    expect(edgeSet(spaced)).toEqual(['1>2:1', '2>3:4']);
  });

  it('sums repeated rows', () => {
    expect(edgeSet(readEdgeList('a,b\na,b,2\nb,a\n'))).toEqual(['a>b:3', 'b>a:1']);
  });

  it('reads quoted fields with commas and quotes in them', () => {
    const graph = readEdgeList('"Smith, Ada","O""Brien",2\n');
    expect(edgeSet(graph)).toEqual(['Smith, Ada>O"Brien:2']);
  });

  it('takes the first row as data when it is not a header, or when told', () => {
    expect(readEdgeList('x,y\n').size).toBe(1);
    expect(readEdgeList('x,y\ny,z\n', { header: true }).size).toBe(1);
    expect(readEdgeList('source,target\n', { header: false }).size).toBe(1);
  });

  it('names the line of a bad row', () => {
    const badWeight = thrown(() => readEdgeList('source,target,weight\na,b,1\nb,c,heavy\n'));
    expect(badWeight.code).toBe('RAPPORT_INVALID_INPUT');
    expect(badWeight.path).toEqual(['line', 3, 'weight']);
    expect(badWeight.message).toMatch(/Line 3/);
    expect(thrown(() => readEdgeList('a,b,1,extra\n')).path).toEqual(['line', 1]);
    expect(thrown(() => readEdgeList('a\n')).path).toEqual(['line', 1]);
    expect(thrown(() => readEdgeList('a,,1\n')).path).toEqual(['line', 1, 'target']);
    expect(thrown(() => readEdgeList('a,b,-1\n')).path).toEqual(['line', 1, 'weight']);
  });

  it('rejects unknown options', () => {
    expect(thrown(() => readEdgeList('a,b', { directed: true } as never)).code).toBe(
      'RAPPORT_INVALID_OPTIONS',
    );
  });
});

describe('graphology interop', () => {
  it('round-trips through graphology', () => {
    const graph = digraphFromEdges(randomEdges(100, 600, 3));
    const back = fromGraphology(toGraphology(graph));
    expect(back.nodes).toEqual(graph.nodes);
    expect(edgeSet(back)).toEqual(edgeSet(graph));
  });

  it('reads weights from another attribute, a function, or none', () => {
    const g = toGraphology(digraphFromEdges([{ source: 'a', target: 'b', weight: 3 }]));
    g.setEdgeAttribute('a', 'b', 'strength', 7);
    expect(fromGraphology(g, { weight: 'strength' }).weight('a', 'b')).toBe(7);
    expect(fromGraphology(g, { weight: (attributes) => attributes.weight * 2 }).weight('a', 'b')).toBe(6);
    expect(fromGraphology(g, { weight: null }).weight('a', 'b')).toBe(1);
    g.setEdgeAttribute('a', 'b', 'weight', 'heavy');
    expect(thrown(() => fromGraphology(g)).code).toBe('RAPPORT_INVALID_INPUT');
  });
});
