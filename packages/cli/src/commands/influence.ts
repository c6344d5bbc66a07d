import {
  pagerank,
  personalizedPagerank,
  readEdgeList,
  type WeightedDigraph,
} from '@rapport/scoring-influence';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { count, json, table } from '../format.js';
import { inFile, inputFile, readTextFile } from '../input-files.js';
import type { CliIO } from '../io.js';
import { decimalOption, jsonOptionSchema, parseCommandInput, wholeNumberOption } from '../options.js';

/** Options of {@link runInfluence}, validated. */
export interface InfluenceOptions {
  /** Edge list (`source,target[,weight]`), relative to `cwd`. */
  path: string;
  /** Seeds of personalized PageRank; empty or absent for plain PageRank. */
  personalize?: readonly string[] | undefined;
  alpha: number;
  /** How many nodes to list. */
  top: number;
  /** Read each row as an edge in both directions. */
  undirected: boolean;
  /** Use the weight column (default true). */
  weighted: boolean;
  tolerance: number;
  maxIterations: number;
  cwd: string;
}

/** A node of the ranking. */
export interface InfluenceRank {
  /** 1 for the most influential. */
  rank: number;
  node: string;
  /** PageRank: the scores of all nodes sum to 1. */
  value: number;
}

/** What `rapport influence` computed; this is also its `--json` output. */
export interface InfluenceReport {
  file: string;
  nodes: number;
  /** Distinct directed edges of the graph (an undirected row counts twice). */
  edges: number;
  undirected: boolean;
  weighted: boolean;
  /** `pagerank`, or `personalized-pagerank` with `--personalize`. */
  algorithm: 'pagerank' | 'personalized-pagerank';
  alpha: number;
  tolerance: number;
  /** The seeds of personalized PageRank, or null. */
  personalize: string[] | null;
  iterations: number;
  converged: boolean;
  /** L1 change of the last iteration. */
  delta: number;
  durationMs: number;
  top: InfluenceRank[];
}

/** Refuses seeds that are not nodes of the graph, naming them all and some nodes that are. */
function checkSeeds(graph: WeightedDigraph, seeds: readonly string[], file: string): void {
  const unknown = seeds.filter((seed) => !graph.hasNode(seed));
  if (unknown.length === 0) return;
  const some = graph.nodes.slice(0, 5).join(', ');
  const list = unknown.map((node) => `"${node}"`).join(', ');
  throw new CliError(
    'CLI_UNKNOWN_NODE',
    `--personalize names ${unknown.length === 1 ? 'node' : 'nodes'} ${list}, not in ${file}`,
    {
      hint: `personalize on node ids of the edge list (its first two columns; ${count(graph.order)} nodes such as ${some}), separated by commas`,
    },
  );
}

/**
 * Ranks the nodes of an edge list by PageRank, or by personalized PageRank around `personalize`.
 *
 * @throws CliError when the file is missing or refused (its path, the line and a hint), when it has
 * no edge, or when a seed is not a node.
 */
export function runInfluence(options: InfluenceOptions): InfluenceReport {
  const started = performance.now();
  const file = inputFile(options.cwd, options.path, 'an edge list (source,target[,weight])');
  let graph: WeightedDigraph;
  try {
    graph = readEdgeList(readTextFile(file), { undirected: options.undirected });
  } catch (error) {
    throw inFile(file, error);
  }
  if (graph.size === 0) {
    throw new CliError('CLI_NO_EDGES', `${file} has no edge`, {
      hint: 'write one edge per row as source,target or source,target,weight',
    });
  }
  const seeds = [...new Set(options.personalize ?? [])];
  if (seeds.length > 0) checkSeeds(graph, seeds, file);
  const pagerankOptions = {
    alpha: options.alpha,
    tolerance: options.tolerance,
    maxIterations: options.maxIterations,
    weighted: options.weighted,
    requireConvergence: false,
  };
  const result =
    seeds.length > 0 ? personalizedPagerank(graph, seeds, pagerankOptions) : pagerank(graph, pagerankOptions);
  return {
    file,
    nodes: graph.order,
    edges: graph.size,
    undirected: options.undirected,
    weighted: options.weighted,
    algorithm: seeds.length > 0 ? 'personalized-pagerank' : 'pagerank',
    alpha: options.alpha,
    tolerance: options.tolerance,
    personalize: seeds.length > 0 ? seeds : null,
    iterations: result.iterations,
    converged: result.converged,
    delta: result.delta,
    durationMs: Math.round(performance.now() - started),
    top: result.top(options.top).map((r, i) => ({ rank: i + 1, node: r.node, value: r.value })),
  };
}

/** The readable ranking. */
export function renderInfluence(report: InfluenceReport): string {
  const what =
    report.personalize === null
      ? 'PageRank'
      : `Personalized PageRank around ${report.personalize.join(', ')}`;
  let out = `${what} of ${report.file}\n`;
  out += `  ${count(report.nodes)} nodes, ${count(report.edges)} directed edges (${report.undirected ? 'rows read both ways' : 'rows read as source → target'}, ${report.weighted ? 'weighted' : 'unweighted'})`;
  out += `, alpha ${report.alpha}, ${report.iterations} iterations${report.converged ? '' : ' (NOT converged)'}, ${report.durationMs} ms\n\n`;
  out += `${table(
    [['rank', 'node', 'pagerank'], ...report.top.map((r) => [String(r.rank), r.node, r.value.toFixed(6)])],
    { right: [0, 2] },
  )}\n`;
  return out;
}

const seedList = z
  .string()
  .transform((text) => text.split(',').map((node) => node.trim()))
  .refine(
    (nodes) => nodes.every((node) => node !== ''),
    'must list node ids separated by commas, such as 0,33',
  );

const influenceInputSchema = z.object({
  path: z.string().min(1, 'needs a file name'),
  personalize: seedList.optional(),
  alpha: decimalOption(0, 1),
  top: wholeNumberOption(1, 1_000_000),
  undirected: z.boolean().default(false),
  weights: z.boolean().default(true),
  tolerance: decimalOption(1e-15, 1),
  maxIterations: wholeNumberOption(1, 1_000_000),
  json: jsonOptionSchema,
});

/** Adds `rapport influence` to the program. */
export function registerInfluence(program: Command, io: CliIO): void {
  program
    .command('influence')
    .description('rank the nodes of an edge list by PageRank, or personalized PageRank around some nodes')
    .argument('<edge-list>', 'CSV, TSV or whitespace file of source,target[,weight] rows (header optional)')
    .option('--personalize <nodes>', 'teleport to these node ids (comma-separated) instead of to every node')
    .option('--alpha <x>', 'damping factor: the probability of following an edge', '0.85')
    .option('--top <n>', 'how many nodes to list', '10')
    .option('--undirected', 'read each row as an edge in both directions (for undirected graphs)')
    .option('--no-weights', 'ignore the weight column: split rank evenly over out-edges')
    .option(
      '--tolerance <x>',
      'stop when an iteration changes the ranks by less than nodes × x (L1)',
      '1e-10',
    )
    .option('--max-iterations <n>', 'most power iterations', '1000')
    .option('--json', 'print the ranking as JSON')
    .addHelpText(
      'after',
      [
        '',
        'An edge u → v means u gave v attention (a reply, a mention, a referral). Rows are directed unless',
        '--undirected; a missing weight is 1 and repeated rows add up; a first row source,target (or',
        "from,to, src,dst) is a header. The iteration is networkx's, run to a tight tolerance so the values",
        'are the fixed point (networkx stops at 1e-6 per node).',
      ].join('\n'),
    )
    .action((path: string, raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, influenceInputSchema, { ...raw, path });
      const report = runInfluence({ ...input, weighted: input.weights, cwd: io.cwd });
      if (!report.converged) {
        io.stderr(
          `warning: PageRank did not converge in ${report.iterations} iterations (last change ${report.delta.toExponential(2)}); raise --max-iterations\n`,
        );
      }
      io.stdout(input.json ? json(report) : renderInfluence(report));
    });
}
