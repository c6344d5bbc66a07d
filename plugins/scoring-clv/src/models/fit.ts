import { parseOrThrow, RapportError } from '@rapport/core';
import { z } from 'zod';
import { minimize } from '../math/optimize.js';
import { PLUGIN } from '../summary/types.js';

/** Which model a fit is of. */
export type ModelId = 'bgnbd' | 'pareto-nbd' | 'gamma-gamma';

/** The result of a maximum-likelihood fit. */
export interface ModelFit<P> {
  model: ModelId;
  /** Maximum-likelihood estimates, in the time (and money) unit of the summaries. */
  params: P;
  /** Total log-likelihood at {@link ModelFit.params}, in the units of the summaries. */
  logLikelihood: number;
  /** Customers the model was fitted on. */
  customers: number;
  /** Optimizer iterations. */
  iterations: number;
  /** Whether the optimizer met its tolerance; false means the estimates may be off. */
  converged: boolean;
  /** Largest gradient component of −LL/customers over the log-parameters at the end. */
  gradientNorm: number;
}

/** Zod schema of {@link FitOptions}. */
export const fitOptionsSchema = z
  .object({
    maxIterations: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Optimizer iterations; default 1000'),
  })
  .strict();

/** Options every fit takes. */
export interface FitOptions {
  /** Maximum optimizer iterations (default 1000). */
  maxIterations?: number | undefined;
}

/** Validates fit options or throws `RAPPORT_INVALID_OPTIONS` naming the option. */
export function parseFitOptions<S extends z.ZodType>(options: unknown, schema?: S): z.output<S> {
  return parseOrThrow(schema ?? fitOptionsSchema, options ?? {}, 'RAPPORT_INVALID_OPTIONS', 'fit options', {
    maxIterations: 'give `maxIterations` as a whole number ≥ 1',
    timeUnit: 'use `weeks` or `days`',
  }) as z.output<S>;
}

/**
 * Maximises a log-likelihood over log-parameters, trying the starts in turn until one converges
 * (and keeping the best if none does). Each start is a vector of parameters (not logs). The
 * objective is −LL / customers so tolerances do not depend on the population size.
 */
export function maximizeLogLikelihood(
  logLikelihood: (params: readonly number[]) => number,
  starts: ReadonlyArray<readonly number[]>,
  customers: number,
  options: FitOptions,
  model: ModelId,
  /** ∂LL/∂params, when the model has it in closed form. */
  gradient?: (params: readonly number[]) => number[],
): { params: number[]; logLikelihood: number; iterations: number; converged: boolean; gradientNorm: number } {
  const { maxIterations } = parseFitOptions(options, fitOptionsSchema);
  const objective = (theta: readonly number[]) => -logLikelihood(theta.map(Math.exp)) / customers;
  // d/dθ = p · d/dp for p = e^θ.
  const objectiveGradient =
    gradient &&
    ((theta: readonly number[]) => {
      const params = theta.map(Math.exp);
      return gradient(params).map((g, i) => (-g * params[i]!) / customers);
    });
  let best: ReturnType<typeof minimize> | undefined;
  let iterations = 0;
  for (const start of starts) {
    const result = minimize(
      objective,
      start.map(Math.log),
      { maxIterations: maxIterations ?? 1000 },
      objectiveGradient,
    );
    iterations += result.iterations;
    if (Number.isFinite(result.value) && (best === undefined || result.value < best.value)) best = result;
    if (best?.converged) break;
  }
  if (best === undefined) {
    throw new RapportError(
      'RAPPORT_INVALID_INPUT',
      `The ${model} likelihood cannot be evaluated on these data`,
      {
        hint: 'check the summaries: times must be in one unit and the population must not be empty',
        plugin: PLUGIN,
      },
    );
  }
  return {
    params: best.x.map(Math.exp),
    logLikelihood: -best.value * customers,
    iterations,
    converged: best.converged,
    gradientNorm: best.gradientNorm,
  };
}
