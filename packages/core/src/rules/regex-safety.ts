import { checkSync } from 'recheck';

/** What the ReDoS check found for one pattern. */
export interface RegexVerdict {
  safe: boolean;
  /** Why it was refused, with the attack string recheck found when it found one. */
  reason?: string;
}

const verdicts = new Map<string, RegexVerdict>();

/**
 * Checks a pattern for catastrophic backtracking with recheck (an automaton-based ReDoS
 * checker). Exponential and cubic-or-worse patterns are refused: one crafted message would stall
 * the rule engine for every tenant. Quadratic ones are allowed, since interaction texts are
 * bounded. Verdicts are cached: the same pattern is checked once per process. A large pattern
 * can take a second or so to check, once, at load.
 */
export function checkRegex(pattern: string, flags: string): RegexVerdict {
  const key = `${flags}/${pattern}`;
  const cached = verdicts.get(key);
  if (cached) return cached;
  // No wall-clock timeout, and a fixed seed for the fuzzer: the verdict must not depend on how
  // busy the machine is, or the same rule file would load on one machine and not on another.
  // recheck's size limits (automaton and attack sizes) still bound the work.
  const diagnostics = checkSync(pattern, flags, { timeout: null, randomSeed: 0 });
  let verdict: RegexVerdict;
  if (diagnostics.status === 'safe') verdict = { safe: true };
  else if (diagnostics.status === 'vulnerable') {
    const { complexity } = diagnostics;
    const tolerable = complexity.type === 'polynomial' && complexity.degree <= 2;
    verdict = tolerable
      ? { safe: true }
      : {
          safe: false,
          reason: `${complexity.summary} backtracking (attack string: ${JSON.stringify(diagnostics.attack.pattern)})`,
        };
  } else {
    verdict = { safe: false, reason: `it could not be proven safe (${diagnostics.error.kind})` };
  }
  verdicts.set(key, verdict);
  return verdict;
}
