import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InfluenceReport, ReportedError } from '../src/index.js';
import { rapport, rapportJson, repoRoot, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const graphs = join(repoRoot, 'fixtures/graphs');
const karate = join(graphs, 'karate_club_edges.csv');

/** networkx's values (fixed points, α = 0.85) of the undirected karate club. */
const reference = JSON.parse(readFileSync(join(graphs, 'karate_club_reference_networkx.json'), 'utf8')) as {
  pagerank_unweighted_alpha085: Record<string, number>;
  pagerank_weighted_alpha085: Record<string, number>;
};
/** networkx's personalized runs. */
const extra = JSON.parse(readFileSync(join(graphs, 'extra_references_networkx.json'), 'utf8')) as {
  pagerank_cases: Array<{ name: string; pagerank: Record<string, number> }>;
};

/** Neighbours of each node of the karate club, from the edge list. */
const neighbours = new Map<string, Set<string>>();
for (const row of readFileSync(karate, 'utf8').trim().split('\n').slice(1)) {
  const [a, b] = row.split(',') as [string, string];
  for (const [u, v] of [
    [a, b],
    [b, a],
  ] as const) {
    const set = neighbours.get(u) ?? new Set();
    set.add(v);
    neighbours.set(u, set);
  }
}

const influence = (args: string[]) =>
  rapportJson<InfluenceReport>(['influence', karate, '--undirected', ...args]);

describe('rapport influence', () => {
  it('ranks the karate club like networkx: node 33, then node 0, every value within 1e-6', async () => {
    const report = await influence(['--no-weights', '--top', '34']);
    expect(report.code).toBe(0);
    expect(report.top.slice(0, 2).map((r) => r.node)).toEqual(['33', '0']);
    expect(report.top.map((r) => r.rank)).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
    for (const { node, value } of report.top) {
      expect(Math.abs(value - reference.pagerank_unweighted_alpha085[node]!), `node ${node}`).toBeLessThan(
        1e-6,
      );
    }
    expect(report).toMatchObject({
      nodes: 34,
      edges: 156,
      undirected: true,
      weighted: false,
      algorithm: 'pagerank',
      alpha: 0.85,
      personalize: null,
      converged: true,
    });
  });

  it('uses the weight column by default (networkx weight="weight")', async () => {
    const report = await influence(['--top', '34']);
    expect(report.top.slice(0, 2).map((r) => r.node)).toEqual(['33', '0']);
    for (const { node, value } of report.top) {
      expect(Math.abs(value - reference.pagerank_weighted_alpha085[node]!), `node ${node}`).toBeLessThan(
        1e-6,
      );
    }
  });

  it('lists the --top nodes only', async () => {
    const report = await influence(['--no-weights', '--top', '2']);
    expect(report.top).toEqual([
      { rank: 1, node: '33', value: expect.closeTo(0.1009191823, 6) },
      { rank: 2, node: '0', value: expect.closeTo(0.0969972854, 6) },
    ]);
  });

  it('personalizes on a node: networkx values, and the mass moves to it and its neighbours', async () => {
    const plain = await influence(['--top', '34']);
    const seeded = await influence(['--personalize', '33', '--top', '34']);
    expect(seeded.algorithm).toBe('personalized-pagerank');
    expect(seeded.personalize).toEqual(['33']);
    const want = extra.pagerank_cases.find((c) =>
      c.name.startsWith('karate weighted, personalized on node 33'),
    )!;
    for (const { node, value } of seeded.top) {
      expect(Math.abs(value - want.pagerank[node]!), `node ${node}`).toBeLessThan(1e-6);
    }

    // Node 5 sits at the edge of the club: personalized on it, it and its neighbours lead.
    const five = await influence(['--personalize', '5', '--top', '5']);
    expect(five.top[0]!.node).toBe('5');
    for (const { node } of five.top.slice(1))
      expect(neighbours.get('5')!.has(node), `node ${node}`).toBe(true);
    const plainValue = (node: string) => plain.top.find((r) => r.node === node)!.value;
    expect(five.top[0]!.value).toBeGreaterThan(5 * plainValue('5'));
    expect(five.top.map((r) => r.node)).not.toEqual(plain.top.slice(0, 5).map((r) => r.node));
  });

  it('takes several seeds and --alpha', async () => {
    const report = await influence(['--personalize', '0,33', '--no-weights', '--top', '34']);
    const want = extra.pagerank_cases.find((c) => c.name === 'karate, personalized on nodes 0 and 33')!;
    // networkx stopped at its default tolerance there: close, not equal.
    for (const { node, value } of report.top)
      expect(Math.abs(value - want.pagerank[node]!)).toBeLessThan(1e-5);
    const low = await influence(['--alpha', '0.5', '--no-weights', '--top', '34']);
    const spread = (r: InfluenceReport) => r.top[0]!.value - r.top.at(-1)!.value;
    // Less damping: more teleporting, so ranks are closer to uniform.
    expect(spread(low)).toBeLessThan(spread(report));
    expect(low.alpha).toBe(0.5);
  });

  it('reads rows as directed without --undirected', async () => {
    const report = await rapportJson<InfluenceReport>(['influence', karate, '--top', '1']);
    expect(report).toMatchObject({ edges: 78, undirected: false });
    // Every row goes from a lower to a higher id, so node 33 only receives.
    expect(report.top[0]!.node).toBe('33');
  });

  it('prints a readable ranking without --json', async () => {
    const run = await rapport(['influence', karate, '--undirected', '--no-weights', '--top', '3']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`PageRank of ${karate}`);
    expect(run.stdout).toContain(
      '34 nodes, 156 directed edges (rows read both ways, unweighted), alpha 0.85',
    );
    expect(run.stdout).toMatch(
      /^ {2}rank {2}node {2}pagerank\n {5}1 {2}33 {4}0\.100919\n {5}2 {2}0 {5}0\.096997\n/m,
    );
  });
});

describe('rapport influence: bad input', () => {
  it('refuses a node to personalize on that is not in the graph, with a hint', async () => {
    const run = await rapportJson<{ error: ReportedError }>(['influence', karate, '--personalize', '33,99']);
    expect(run.code).toBe(1);
    expect(run.error).toEqual({
      code: 'CLI_UNKNOWN_NODE',
      message: `--personalize names node "99", not in ${karate}`,
      hint: 'personalize on node ids of the edge list (its first two columns; 34 nodes such as 0, 1, 2, 3, 4), separated by commas',
    });
    const text = await rapport(['influence', karate, '--personalize', 'ann,bob']);
    expect(text.stderr).toContain('error: --personalize names nodes "ann", "bob", not in');
    expect(text.stderr).toContain('  hint: personalize on node ids of the edge list');
    const empty = await rapport(['influence', karate, '--personalize', '33,']);
    expect(empty.stderr).toContain("option '--personalize <nodes>' must list node ids separated by commas");
  });

  it('refuses a missing file and a file with the wrong columns, naming file and line', async () => {
    const missing = await rapport(['influence', 'edges.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: No such file: ${join(repoRoot, 'edges.csv')}`);
    expect(missing.stderr).toContain('hint: check the path of an edge list (source,target[,weight])');

    const file = join(tmp.dir, 'four-columns.csv');
    writeFileSync(file, 'source,target,weight\na,b,1\nb,c,1,extra\n');
    const wrong = await rapportJson<{ error: ReportedError }>(['influence', file]);
    expect(wrong.code).toBe(1);
    expect(wrong.error).toEqual({
      code: 'RAPPORT_INVALID_INPUT',
      message: `${file}: Line 3 has 4 field(s); an edge list row is source, target and an optional weight`,
      hint: 'write one edge per row as `source,target` or `source,target,weight`',
    });

    const weight = join(tmp.dir, 'negative.csv');
    writeFileSync(weight, 'a,b,-1\n');
    const negative = await rapport(['influence', weight]);
    expect(negative.stderr).toContain(`${weight}: Line 1: weight "-1" is not a finite number >= 0`);

    const empty = join(tmp.dir, 'empty.csv');
    writeFileSync(empty, 'source,target\n# nothing yet\n');
    const none = await rapport(['influence', empty]);
    expect(none.stderr).toContain(`error: ${empty} has no edge`);
  });

  it('refuses options out of range', async () => {
    const alpha = await rapport(['influence', karate, '--alpha', '1.5']);
    expect(alpha.code).toBe(1);
    expect(alpha.stderr).toContain(`option '--alpha <x>' must be a number from 0 to 1 (got "1.5")`);
    const top = await rapport(['influence', karate, '--top', '0']);
    expect(top.stderr).toContain("option '--top <n>' must be a whole number from 1 to 1,000,000");
  });

  it('warns when the iteration does not converge', async () => {
    const run = await rapport(['influence', karate, '--undirected', '--max-iterations', '3', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ converged: false, iterations: 3 });
    expect(run.stderr).toMatch(/^warning: PageRank did not converge in 3 iterations/);
  });
});
