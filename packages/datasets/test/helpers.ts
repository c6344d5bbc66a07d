import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type InteractionInput, interactionInputSchema } from '@rapport/core';
import { expect } from 'vitest';
import type { LoadSummary, SkippedRecord } from '../src/index.js';

/** The repository's `fixtures/` folder, found from this file so tests run from any directory. */
export const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

/** A path inside `fixtures/`. */
export function fixture(...parts: string[]): string {
  return resolve(fixturesDir, ...parts);
}

/** Everything a loader produced: the items, its summary and the skips it reported. */
export interface Collected {
  items: InteractionInput[];
  summary: LoadSummary;
  skips: SkippedRecord[];
}

/** Drains a loader, keeping its return value (which `for await` would drop). */
export async function collect(
  start: (onSkip: (s: SkippedRecord) => void) => AsyncGenerator<InteractionInput, LoadSummary, undefined>,
): Promise<Collected> {
  const skips: SkippedRecord[] = [];
  const gen = start((s) => skips.push(s));
  const items: InteractionInput[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { items, summary: next.value, skips };
    items.push(next.value);
  }
}

/** Asserts that every item passes the core schema, naming the first failure. */
export function expectAllValid(items: InteractionInput[]): void {
  for (const [i, item] of items.entries()) {
    const result = interactionInputSchema.safeParse(item);
    if (!result.success) {
      expect.fail(`item ${i} (${item.externalId}) is invalid: ${JSON.stringify(result.error.issues)}`);
    }
  }
}

/** Asserts that externalIds are unique within the stream. */
export function expectUniqueIds(items: InteractionInput[]): void {
  const ids = new Set(items.map((i) => `${i.account}\u0000${i.externalId}`));
  expect(ids.size).toBe(items.length);
}

/** Items by externalId. */
export function byId(items: InteractionInput[]): Map<string, InteractionInput> {
  return new Map(items.map((i) => [i.externalId, i]));
}

/** Counts of a key over items. */
export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
