import { invalidInput } from '../errors.js';
import { rankingOrder } from './ranks.js';
import { checkPaired, type Values } from './values.js';

/**
 * The share of one ranking's top k that is also in the other's: |top-k(a) ∩ top-k(b)| / k.
 * 1 when both put the same customers (in any order) in their top k, 0 when none in common.
 *
 * A ranking's top k are its k highest scores; ties at the cut are broken by customer id
 * (ascending, by code unit), or by position when `ids` is left out, so the top k is always exactly
 * k customers and the same on every run. A k above the number of customers is cut to it (the
 * overlap is then 1).
 *
 * @param ids - the customer of each position, for breaking ties at the cut.
 * @throws RapportError `RAPPORT_INVALID_INPUT` when the lengths differ, a value is not finite or k
 * is not a whole number ≥ 1.
 */
export function topKOverlap(a: Values, b: Values, k: number, ids?: readonly string[]): number {
  checkPaired(a, b, 'topKOverlap');
  if (!Number.isInteger(k) || k < 1) {
    throw invalidInput(`topKOverlap: k is ${k}`, ['k'], 'give k as a whole number ≥ 1');
  }
  if (ids !== undefined && ids.length !== a.length) {
    throw invalidInput(
      `topKOverlap: ${ids.length} ids for ${a.length} customers`,
      ['ids'],
      'give one id per customer, in the order of the scores',
    );
  }
  const names = ids ?? Array.from({ length: a.length }, (_, i) => String(i).padStart(12, '0'));
  return overlapOfOrders(rankingOrder(a, names), rankingOrder(b, names), k);
}

/**
 * |first k of `a` ∩ first k of `b`| / k for two orders of the same customers (from
 * {@link rankingOrder}), k cut to their length; 0 for no customers.
 */
export function overlapOfOrders(a: Uint32Array, b: Uint32Array, k: number): number {
  const cut = Math.min(k, a.length);
  if (cut === 0) return 0;
  const inA = new Uint8Array(a.length);
  for (let i = 0; i < cut; i++) inA[a[i]!] = 1;
  let shared = 0;
  for (let i = 0; i < cut; i++) shared += inA[b[i]!]!;
  return shared / cut;
}
