/**
 * A small seeded random generator for simulations: the same seed gives the same draws on every
 * platform, so simulated populations are reproducible in tests and benchmarks.
 */

/** Draws used by the simulators. */
export interface Random {
  /** Uniform on (0, 1): never exactly 0, so logs of it are finite. */
  uniform(): number;
  normal(): number;
  /** Exponential with the given rate. */
  exponential(rate: number): number;
  /** Gamma with shape and rate (mean shape / rate). */
  gamma(shape: number, rate: number): number;
  beta(a: number, b: number): number;
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator, 128-bit state), seeded through
 * splitmix32 so nearby seeds give unrelated streams.
 */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();

  // 53 random bits, shifted by half a step so 0 never comes out.
  const uniform = () => ((next32() >>> 5) * 67108864 + (next32() >>> 6) + 0.5) / 9007199254740992;

  let spare: number | undefined;
  const normal = () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };

  // Marsaglia & Tsang (2000); shapes below 1 are boosted by U^(1/shape).
  const standardGamma = (shape: number): number => {
    if (shape < 1) return standardGamma(shape + 1) * uniform() ** (1 / shape);
    const d3 = shape - 1 / 3;
    const c3 = 1 / Math.sqrt(9 * d3);
    for (;;) {
      const z = normal();
      const v0 = 1 + c3 * z;
      if (v0 <= 0) continue;
      const v = v0 * v0 * v0;
      if (Math.log(uniform()) < 0.5 * z * z + d3 - d3 * v + d3 * Math.log(v)) return d3 * v;
    }
  };

  return {
    uniform,
    normal,
    exponential: (rate) => -Math.log(uniform()) / rate,
    gamma: (shape, rate) => standardGamma(shape) / rate,
    beta: (x, y) => {
      const g = standardGamma(x);
      return g / (g + standardGamma(y));
    },
  };
}
