import { invalidInput } from '../errors.js';

/** Scores as the statistics read them: any array-like of numbers (an array, a `Float64Array`). */
export type Values = ArrayLike<number>;

/**
 * Checks that two score vectors pair up: same length, finite numbers. The statistics compare
 * customer i of `a` with customer i of `b`, so a length mismatch is a caller's bug, never data.
 */
export function checkPaired(a: Values, b: Values, what: string): void {
  if (a.length !== b.length) {
    throw invalidInput(
      `${what} compares two rankings of the same customers, got ${a.length} and ${b.length} values`,
      ['b'],
      'give both score vectors in the same customer order, one value per customer',
    );
  }
  checkFinite(a, what, 'a');
  checkFinite(b, what, 'b');
}

/** Throws when a value is not a finite number (NaN and infinities have no rank). */
export function checkFinite(values: Values, what: string, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw invalidInput(
        `${what}: ${name}[${i}] is ${values[i]}, not a finite number`,
        [name, i],
        'give every customer a finite score (count a missing score as 0)',
      );
    }
  }
}
