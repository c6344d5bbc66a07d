/**
 * Rules benchmark: 50 rules (2–6 conditions each, nested all/any/not) evaluated against seeded
 * facts (an interaction joined with its customer), one evaluation being one fact against all 50
 * rules. Measured in the same run, on the same facts:
 *
 * - Rapport's compiled rule set (`compileRules(...).match`);
 * - json-rules-engine, the most used JSON rule engine in JavaScript, with the same rules
 *   translated (`toJsonRulesEngine`), one awaited `engine.run(fact)` per fact;
 * - the same rules written by hand as one plain function: the practical limit.
 *
 * All three must fire exactly the same rules, in the same order, on every fact, or the run fails.
 * Rapport and the hand-written function are timed over several interleaved passes (median);
 * json-rules-engine is about a thousand times slower, so its one pass over all facts is both its
 * measurement and its equivalence check.
 *
 * Facts: RAPPORT_BENCH_FACTS (default 200000). Passes: RAPPORT_BENCH_PASSES (default 7).
 */
import { compileRules } from '@rapport/core';
import {
  handwrittenRules,
  type RulesWorkloadFact,
  rulesWorkloadFacts,
  rulesWorkloadRules,
  toJsonRulesEngine,
} from '@rapport/testkit/rules-workload';
import { Engine } from 'json-rules-engine';
import { type BenchResult, type BenchRow, collectGarbage, median } from './harness.js';

const SEED = 7;
const EVENT = 'interaction.received';
const FACTS = Number.parseInt(process.env.RAPPORT_BENCH_FACTS ?? '200000', 10);
const PASSES = Number.parseInt(process.env.RAPPORT_BENCH_PASSES ?? '7', 10);
/** Evaluation time handed to Rapport: fixed, so a run does not depend on the wall clock. */
const NOW = Date.UTC(2025, 0, 1);

/** Fails the run, naming the first fact on which the engines disagree. */
function disagree(index: number, fact: RulesWorkloadFact, fired: Record<string, readonly string[]>): never {
  const lines = Object.entries(fired).map(([engine, ids]) => `  ${engine.padEnd(18)} [${ids.join(', ')}]`);
  throw new Error(
    `rules: the engines disagree on fact #${index} (seed ${SEED}):\n  fact ${JSON.stringify(fact)}\n${lines.join('\n')}`,
  );
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

export async function run(): Promise<BenchResult> {
  console.log(
    `rules: ${FACTS.toLocaleString('en-US')} facts (seed ${SEED}), ${rulesWorkloadRules.length} rules`,
  );
  const facts = rulesWorkloadFacts(FACTS, SEED);
  const ruleSet = compileRules(rulesWorkloadRules);
  const engine = new Engine(rulesWorkloadRules.map(toJsonRulesEngine), { allowUndefinedFacts: true });

  // Equivalence of Rapport and the hand-written function on every fact (this also warms both up).
  // The hand-written ids are the reference json-rules-engine is checked against below.
  const expected: string[][] = new Array(facts.length);
  const firingsByRule: Record<string, number> = Object.fromEntries(rulesWorkloadRules.map((r) => [r.id, 0]));
  let firings = 0;
  for (let i = 0; i < facts.length; i++) {
    const fact = facts[i]!;
    const handwritten = handwrittenRules(fact);
    const rapport = ruleSet.match(EVENT, fact, NOW).map((r) => r.id);
    if (!same(rapport, handwritten)) disagree(i, fact, { rapport, handwritten });
    expected[i] = handwritten;
    firings += handwritten.length;
    for (const id of handwritten) firingsByRule[id]! += 1;
  }
  console.log(`rules: Rapport and the hand-written function agree on every fact (${firings} firings)`);

  // Interleaved timed passes, alternating which goes first. Each pass counts the firings, so that
  // no work can be optimised away, and must find the same total.
  const rapportRates: number[] = [];
  const handwrittenRates: number[] = [];
  const timeRapport = () => {
    collectGarbage();
    let n = 0;
    const started = performance.now();
    for (let i = 0; i < facts.length; i++) n += ruleSet.match(EVENT, facts[i]!, NOW).length;
    const seconds = (performance.now() - started) / 1000;
    if (n !== firings) throw new Error(`rules: Rapport fired ${n} times in a timed pass, not ${firings}`);
    rapportRates.push(facts.length / seconds);
  };
  const timeHandwritten = () => {
    collectGarbage();
    let n = 0;
    const started = performance.now();
    for (let i = 0; i < facts.length; i++) n += handwrittenRules(facts[i]!).length;
    const seconds = (performance.now() - started) / 1000;
    if (n !== firings) throw new Error(`rules: the hand-written function fired ${n} times, not ${firings}`);
    handwrittenRates.push(facts.length / seconds);
  };
  for (let pass = 0; pass < PASSES; pass++) {
    if (pass % 2 === 0) {
      timeRapport();
      timeHandwritten();
    } else {
      timeHandwritten();
      timeRapport();
    }
  }
  const rapportRate = median(rapportRates);
  const handwrittenRate = median(handwrittenRates);
  console.log(
    `rules: Rapport ${Math.round(rapportRate).toLocaleString('en-US')}/s, hand-written ${Math.round(handwrittenRate).toLocaleString('en-US')}/s (median of ${PASSES})`,
  );

  // json-rules-engine: one pass over every fact, timed, each result kept and checked afterwards.
  console.log('rules: json-rules-engine (one pass over every fact; the slow one)…');
  collectGarbage();
  const fired: string[][] = new Array(facts.length);
  const progressEvery = Math.max(1, Math.floor(facts.length / 10));
  const started = performance.now();
  for (let i = 0; i < facts.length; i++) {
    const { events } = await engine.run(facts[i]!);
    fired[i] = events.map((e) => e.type);
    if ((i + 1) % progressEvery === 0 && i + 1 < facts.length) {
      const rate = (i + 1) / ((performance.now() - started) / 1000);
      console.log(
        `  ${(i + 1).toLocaleString('en-US')} facts, ${Math.round(rate).toLocaleString('en-US')}/s`,
      );
    }
  }
  const jsonRulesEngineSeconds = (performance.now() - started) / 1000;
  const jsonRulesEngineRate = facts.length / jsonRulesEngineSeconds;
  for (let i = 0; i < facts.length; i++) {
    if (!same(fired[i]!, expected[i]!)) {
      const fact = facts[i]!;
      disagree(i, fact, {
        rapport: ruleSet.match(EVENT, fact, NOW).map((r) => r.id),
        'json-rules-engine': fired[i]!,
        handwritten: expected[i]!,
      });
    }
  }
  console.log('rules: json-rules-engine agrees on every fact');

  const ratios = {
    vs_json_rules_engine: rapportRate / jsonRulesEngineRate,
    vs_handwritten: rapportRate / handwrittenRate,
  };
  const rows: BenchRow[] = [
    {
      engine: 'rapport',
      'evaluations/s': Math.round(rapportRate),
      'seconds (median pass)': facts.length / rapportRate,
      passes: PASSES,
    },
    {
      engine: 'json-rules-engine',
      'evaluations/s': Math.round(jsonRulesEngineRate),
      'seconds (median pass)': jsonRulesEngineSeconds,
      passes: 1,
    },
    {
      engine: 'hand-written (limit)',
      'evaluations/s': Math.round(handwrittenRate),
      'seconds (median pass)': facts.length / handwrittenRate,
      passes: PASSES,
    },
    {
      engine: 'ratio rapport / json-rules-engine',
      'evaluations/s': Number(ratios.vs_json_rules_engine.toFixed(1)),
    },
    { engine: 'ratio rapport / hand-written', 'evaluations/s': Number(ratios.vs_handwritten.toFixed(3)) },
  ];
  return {
    rows,
    ratios,
    details: {
      facts: facts.length,
      rules: rulesWorkloadRules.length,
      seed: SEED,
      passes: PASSES,
      evaluationsPerSecond: {
        rapport: rapportRate,
        jsonRulesEngine: jsonRulesEngineRate,
        handwritten: handwrittenRate,
      },
      passRates: { rapport: rapportRates, handwritten: handwrittenRates },
      firings,
      firingsByRule,
      equivalent: true,
    },
  };
}
