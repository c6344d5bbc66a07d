/**
 * Unconstrained minimisation for the model fits: BFGS on the log-parameters with a backtracking
 * line search. The objectives are smooth, have 3 or 4 parameters and cost one pass over the
 * (compressed) customers, so where no analytic gradient is written central differences are cheap
 * and accurate enough: with f of order 1, their error is about 1e-9.
 */

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  /** Stop when every gradient component is below this. */
  gradientTolerance?: number;
  /** Stop when a step lowers f by less than this (relative) twice in a row. */
  valueTolerance?: number;
  maxIterations?: number;
}

/** What {@link minimize} found. */
export interface MinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  /** Largest gradient component at the end. */
  gradientNorm: number;
  /** Whether a tolerance was met (rather than the iteration limit or a failed line search). */
  converged: boolean;
  evaluations: number;
}

const DIFFERENCE_STEP = 3e-5;
const ARMIJO = 1e-4;

/**
 * Minimises `f` from `start`, with `analyticGradient` when given and central differences
 * otherwise. Non-finite values of `f` count as +∞, so the line search backs away from parameters
 * where the likelihood cannot be evaluated.
 */
export function minimize(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  options: MinimizeOptions = {},
  analyticGradient?: (x: readonly number[]) => number[],
): MinimizeResult {
  const gradientTolerance = options.gradientTolerance ?? 1e-7;
  const valueTolerance = options.valueTolerance ?? 1e-14;
  const maxIterations = options.maxIterations ?? 1000;
  const n = start.length;
  let evaluations = 0;
  const value = (x: readonly number[]) => {
    evaluations += 1;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const numericalGradient = (x: readonly number[]): number[] => {
    const g = new Array<number>(n);
    const probe = [...x];
    for (let i = 0; i < n; i++) {
      const h = DIFFERENCE_STEP * Math.max(1, Math.abs(x[i]!));
      probe[i] = x[i]! + h;
      const up = value(probe);
      probe[i] = x[i]! - h;
      const down = value(probe);
      probe[i] = x[i]!;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  };
  const gradient = analyticGradient ?? numericalGradient;
  const norm = (v: readonly number[]) => v.reduce((m, e) => Math.max(m, Math.abs(e)), 0);

  let x = [...start];
  let fx = value(x);
  if (!Number.isFinite(fx)) {
    return { x, value: fx, iterations: 0, gradientNorm: Number.NaN, converged: false, evaluations };
  }
  let g = gradient(x);
  // Inverse Hessian estimate, row-major.
  let H = identity(n);
  let scaled = false;
  let stalls = 0;
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    if (!g.every(Number.isFinite)) break;
    if (norm(g) < gradientTolerance) {
      converged = true;
      break;
    }
    let d = multiply(H, g).map((v) => -v);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // The estimate lost positive definiteness (numerical noise): restart from steepest descent.
      H = identity(n);
      scaled = false;
      d = g.map((v) => -v);
      slope = dot(g, d);
    }
    // Backtracking: a full quasi-Newton step first, then quadratic interpolation, never less
    // than a tenth of the previous trial.
    let step = 1;
    let next: number[] = x;
    let fNext = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let trial = 0; trial < 60; trial++) {
      next = x.map((v, i) => v + step * d[i]!);
      fNext = value(next);
      if (fNext <= fx + ARMIJO * step * slope) {
        accepted = true;
        break;
      }
      const quadratic = Number.isFinite(fNext)
        ? (-slope * step * step) / (2 * (fNext - fx - slope * step))
        : 0;
      step = Math.min(0.5 * step, Math.max(0.1 * step, quadratic));
    }
    if (!accepted) break;
    const gNext = gradient(next);
    const s = next.map((v, i) => v - x[i]!);
    const y = gNext.map((v, i) => v - g[i]!);
    const sy = dot(s, y);
    const decrease = fx - fNext;
    x = next;
    g = gNext;
    const previous = fx;
    fx = fNext;
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (!scaled) {
        // Shanno–Phua scaling of the first estimate, so the first steps have the right length.
        const yy = dot(y, y);
        H = identity(n).map((v) => (v * sy) / yy);
        scaled = true;
      }
      H = bfgsUpdate(H, s, y, sy);
    }
    if (decrease <= valueTolerance * Math.max(1, Math.abs(previous))) {
      stalls += 1;
      if (stalls >= 2) {
        converged = true;
        iterations += 1;
        break;
      }
    } else {
      stalls = 0;
    }
  }
  return { x, value: fx, iterations, gradientNorm: norm(g), converged, evaluations };
}

function identity(n: number): number[] {
  const m = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

function multiply(m: readonly number[], v: readonly number[]): number[] {
  const n = v.length;
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i]! += m[i * n + j]! * v[j]!;
  return out;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / (yᵀ s). */
function bfgsUpdate(H: readonly number[], s: readonly number[], y: readonly number[], sy: number): number[] {
  const n = s.length;
  const rho = 1 / sy;
  const Hy = multiply(H, y);
  const yHy = dot(y, Hy);
  const out = new Array<number>(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      out[i * n + j] =
        H[i * n + j]! - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!;
    }
  }
  return out;
}
