/**
 * CLV model speed (`@rapport/scoring-clv`), each fit checked against its reference as it is timed:
 *
 * - BG/NBD fit on CDNOW (fixtures/cdnow/cdnow_customers_summary.csv, 2,357 customers; must reach
 *   LL −9582.43);
 * - Pareto/NBD fit on CDNOW (must reach LL −9594.97);
 * - Gamma-Gamma fit on CDNOW's 946 repeat buyers (must give p ≈ 6.25, q ≈ 3.74, γ ≈ 15.44);
 * - BG/NBD fit on 100,000 customers simulated from known parameters (seeded, ages spread over 12
 *   weeks, continuous times so nothing merges: the worst case); the note gives how far the
 *   estimates are from the truth and the likelihood-ratio statistic against it (below χ²₄'s
 *   99.9% point 18.47, or the run fails);
 * - the per-customer scores (P(alive), expected purchases, expected spend, 12-period CLV over 52
 *   weeks) of the 2,357 CDNOW customers.
 *
 * CDNOW figures are the median of RAPPORT_BENCH_PASSES passes (default 5) after a warm-up; the
 * 100,000-customer fit is one pass (set RAPPORT_BENCH_CLV_CUSTOMERS to change its size).
 *
 * Ratios: each BG/NBD fit's seconds against one second, the goal set for a CDNOW fit
 * (`bgnbd_cdnow_fit_seconds_vs_one_second`, `bgnbd_100k_fit_seconds_vs_one_second`, the latter
 * named after the simulated size when RAPPORT_BENCH_CLV_CUSTOMERS changes it). Unlike the other
 * sections' ratios, these are times: below 1 meets the goal.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bgnbdLogLikelihood,
  customerLifetimeValue,
  fitBgNbd,
  fitGammaGamma,
  fitParetoNbd,
  simulateBgNbd,
  summariesFromCsv,
} from '@rapport/scoring-clv';
import { type Measurement, type SectionResult, timeOnce, timeSync } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const PASSES = Number.parseInt(process.env.RAPPORT_BENCH_PASSES ?? '5', 10);
const SIMULATED = Number.parseInt(process.env.RAPPORT_BENCH_CLV_CUSTOMERS ?? '100000', 10);

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`scoring-clv: ${message}`);
}

const rate = (count: number, seconds: number, unit: string) =>
  `${Math.round(count / seconds).toLocaleString('en-US')} ${unit}/s`;

/** Ratio key of the simulated fit: `bgnbd_100k_…` at the default size. */
const simulatedKey = (customers: number) =>
  `bgnbd_${customers % 1000 === 0 ? `${customers / 1000}k` : customers}_fit_seconds_vs_one_second`;

/** Times the CLV fits and scores; see the file comment for what each row measures. */
export async function measure(): Promise<SectionResult> {
  const read = (file: string) => readFileSync(join(here, '..', 'fixtures', 'cdnow', file), 'utf8');
  const cdnow = summariesFromCsv(read('cdnow_customers_summary.csv'));
  const withSpend = summariesFromCsv(read('cdnow_customers_summary_with_transactions.csv'));
  const rows: Measurement[] = [];
  const passes = `median of ${PASSES} passes`;

  const bgnbd = timeSync(() => fitBgNbd(cdnow), PASSES);
  check(Math.abs(bgnbd.result.logLikelihood + 9582.43) < 0.05, `BG/NBD LL ${bgnbd.result.logLikelihood}`);
  rows.push({
    name: 'fitBgNbd (CDNOW)',
    size: '2,357 customers',
    seconds: bgnbd.seconds,
    rate: rate(cdnow.length, bgnbd.seconds, 'customers'),
    note: `${passes}; LL ${bgnbd.result.logLikelihood.toFixed(2)}, ${bgnbd.result.iterations} iterations`,
  });

  const pareto = timeSync(() => fitParetoNbd(cdnow), PASSES);
  check(
    Math.abs(pareto.result.logLikelihood + 9594.97) < 0.05,
    `Pareto/NBD LL ${pareto.result.logLikelihood}`,
  );
  rows.push({
    name: 'fitParetoNbd (CDNOW)',
    size: '2,357 customers',
    seconds: pareto.seconds,
    rate: rate(cdnow.length, pareto.seconds, 'customers'),
    note: `${passes}; LL ${pareto.result.logLikelihood.toFixed(2)}, ${pareto.result.iterations} iterations`,
  });

  const spend = timeSync(() => fitGammaGamma(withSpend), PASSES);
  const g = spend.result.params;
  check(
    Math.abs(g.p - 6.25) < 0.06 && Math.abs(g.q - 3.74) < 0.04 && Math.abs(g.gamma - 15.44) < 0.15,
    `Gamma-Gamma ${JSON.stringify(g)}`,
  );
  rows.push({
    name: 'fitGammaGamma (CDNOW repeat buyers)',
    size: '946 customers',
    seconds: spend.seconds,
    rate: rate(946, spend.seconds, 'customers'),
    note: `${passes}; p ${g.p.toFixed(2)}, q ${g.q.toFixed(2)}, γ ${g.gamma.toFixed(2)}`,
  });

  const models = { timeUnit: 'weeks' as const, bgnbd: bgnbd.result.params, gammaGamma: g };
  const scored = timeSync(() => {
    let total = 0;
    for (const customer of withSpend) total += customerLifetimeValue(models, customer, { horizon: 52 }).clv;
    return total;
  }, PASSES);
  rows.push({
    name: 'customerLifetimeValue (CDNOW)',
    size: '2,357 customers, 12 periods over 52 weeks',
    seconds: scored.seconds,
    rate: rate(withSpend.length, scored.seconds, 'customers'),
    note: `${passes}; mean CLV $${(scored.result / withSpend.length).toFixed(2)}`,
  });

  const truth = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
  const ages = Array.from({ length: 12 }, (_, week) => 39 - week);
  const population = simulateBgNbd(truth, { customers: SIMULATED, T: ages, seed: 2005 });
  const { seconds, result: large } = timeOnce(() => fitBgNbd(population));
  const errors = (['r', 'alpha', 'a', 'b'] as const).map(
    (key) => `${key} ${((100 * (large.params[key] - truth[key])) / truth[key]).toFixed(1)}%`,
  );
  // a and b are the least identified parameters; the test of the fit is the likelihood ratio.
  const ratio = 2 * (large.logLikelihood - bgnbdLogLikelihood(truth, population));
  check(
    large.converged && ratio >= 0 && ratio < 18.47,
    `the simulated fit: converged ${large.converged}, 2ΔLL ${ratio}`,
  );
  rows.push({
    name: 'fitBgNbd (simulated)',
    size: `${SIMULATED.toLocaleString('en-US')} customers`,
    seconds,
    rate: rate(SIMULATED, seconds, 'customers'),
    note: `one pass; vs truth ${errors.join(', ')}, 2ΔLL ${ratio.toFixed(2)} (χ²₄); ${large.iterations} iterations`,
  });

  return {
    measurements: rows,
    ratios: {
      // The goal: a BG/NBD fit of CDNOW within a second; the simulated fit shows how far that holds.
      bgnbd_cdnow_fit_seconds_vs_one_second: bgnbd.seconds / 1,
      [simulatedKey(SIMULATED)]: seconds / 1,
    },
  };
}
