import {
  createRapport,
  type Interaction,
  type InteractionInput,
  LEVEL_SCORE_SUFFIX,
  levelOf,
  memoryStorage,
  SCORING_SPEC_VERSION,
  type Score,
  type ScoreResult,
  type ScoringPlugin,
  scoreLevelsSchema,
} from '@rapport/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storedInteraction, T0 } from '../storage/fixtures.js';

/** The named suites of the scoring conformance kit. */
export const scoringSuites = [
  'manifest',
  'models',
  'update-equals-recompute',
  'in-rapport',
  'annotate',
] as const;

/** Name of a scoring suite. */
export type ScoringSuiteName = (typeof scoringSuites)[number];

/** Options of {@link describeScoringConformance}. */
export interface ScoringConformanceOptions {
  /** Shown in test names. */
  name: string;
  /** Makes the plugin under test, fresh for each test. */
  create: () => ScoringPlugin;
  /**
   * Interaction kinds the generated timelines use (default: reactions, messages, replies, reviews,
   * answers, referrals and purchases, so every scorer finds something it counts).
   */
  kinds?: readonly string[];
  /** Relative tolerance between an incrementally kept score and a recompute (default 1e-9). */
  tolerance?: number;
  /** fast-check runs of the pure property (default 200; the in-Rapport property runs a tenth). */
  runs?: number;
  /** fast-check seed, to reproduce a failure (printed by fast-check when a run fails). */
  seed?: number;
  /** Suites to turn off, each with the reason (printed as a skipped test). */
  skip?: Partial<Record<ScoringSuiteName, string>>;
}

const DAY = 86_400_000;
const DEFAULT_KINDS = ['reaction', 'message', 'reply', 'review', 'answer', 'referral', 'purchase'] as const;
const SIGNALS = new Set(['reaction', 'like', 'vote', 'share', 'view', 'follow']);

/** One generated interaction: what varies between runs. */
interface Draft {
  kind: string;
  channel: string;
  inbound: boolean;
  /** Days after the first update time; may be before it (a late arrival). */
  day: number;
  amount: number;
}

const draftArb = (kinds: readonly string[]): fc.Arbitrary<Draft> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    channel: fc.constantFrom('forum', 'email', 'mastodon'),
    inbound: fc.boolean(),
    day: fc.double({ min: -400, max: 400, noNaN: true }),
    amount: fc.integer({ min: 1, max: 500 }),
  });

/** A timeline cut into batches at random points, with the update time moving forward per batch. */
const scenarioArb = (kinds: readonly string[], maxLength: number) =>
  fc.record({
    drafts: fc.array(draftArb(kinds), { minLength: 1, maxLength }),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
    gaps: fc.array(fc.double({ min: 0, max: 120, noNaN: true }), { minLength: 9, maxLength: 9 }),
    /** Interactions edited afterwards (a new version with other text), by index. */
    edits: fc.array(fc.nat(), { maxLength: 4 }),
  });

function batchesOf<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const batches: T[][] = [];
  let start = 0;
  for (const point of [...points, items.length]) {
    batches.push(items.slice(start, point));
    start = point;
  }
  return batches;
}

function toInteraction(draft: Draft, n: number): Interaction {
  const occurredAt = new Date(T0 + draft.day * DAY);
  return storedInteraction({
    id: `int_${n}`,
    externalId: `ext_${n}`,
    channel: draft.channel,
    account: 'acme',
    direction: draft.inbound ? 'inbound' : 'outbound',
    kind: draft.kind,
    effort: SIGNALS.has(draft.kind) ? 'signal' : draft.kind === 'purchase' ? 'transaction' : 'contribution',
    text: SIGNALS.has(draft.kind) ? null : 'thanks, that helped',
    occurredAt,
    receivedAt: occurredAt,
    customerId: 'c1',
    identityId: 'idn_c1',
    actorExternalId: draft.inbound ? 'ada' : 'agent',
    ...(draft.kind === 'purchase' ? { amount: draft.amount, currency: 'USD' } : {}),
  });
}

/** One channel, so identity resolution puts the whole timeline on one customer. */
function toInput(draft: Draft, n: number): InteractionInput {
  return {
    channel: 'forum',
    account: 'acme',
    externalId: `ext_${n}`,
    direction: 'inbound',
    kind: draft.kind,
    ...(SIGNALS.has(draft.kind) ? {} : { text: 'thanks, that helped' }),
    occurredAt: new Date(T0 + draft.day * DAY).toISOString(),
    actor: { externalId: 'ada' },
    ...(draft.kind === 'purchase' ? { amount: draft.amount, currency: 'USD' } : {}),
  };
}

async function* newestFirst(interactions: readonly Interaction[]): AsyncIterable<Interaction> {
  yield* [...interactions].sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime());
}

/** Whether two scores agree to a relative tolerance (absolute near zero). */
function agree(a: number, b: number, tolerance: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Latest score per (name, model id), as the host hands them to `update` as `current`. */
function latestOf(scores: readonly Score[]): Score[] {
  const latest = new Map<string, Score>();
  for (const s of scores) latest.set(`${s.name}\u0000${s.model.id}`, s);
  return [...latest.values()];
}

function byName(results: readonly (ScoreResult | Score)[]): Map<string, number> {
  return new Map(results.map((r) => [r.name, r.value]));
}

function expectAgreement(
  incremental: Map<string, number>,
  recomputed: Map<string, number>,
  tolerance: number,
): void {
  expect([...incremental.keys()].sort()).toEqual([...recomputed.keys()].sort());
  for (const [name, value] of recomputed) {
    const kept = incremental.get(name)!;
    if (!agree(kept, value, tolerance)) {
      expect.fail(
        `score "${name}": kept incrementally ${kept}, recomputed ${value} (tolerance ${tolerance})`,
      );
    }
  }
}

/**
 * The scoring conformance kit: every scoring plugin should pass it. It checks the contract
 * `rapport.scoring/v1` asks of a scorer:
 * - **manifest**: spec version, id and version, hooks matching capabilities, declared models with
 *   an id, a version and JSON-safe parameters, valid levels;
 * - **models**: every score produced names one of the declared models (id, version and params),
 *   with a finite value; a recompute of the same timeline gives the same scores;
 * - **update-equals-recompute** (incremental scorers that can recompute): for random timelines cut
 *   into random batches, with late arrivals and update times moving forward, keeping scores by
 *   `update` gives what a full `recompute` gives, to `tolerance`;
 * - **in-rapport**: the same through a running Rapport on the memory store, where the host keeps
 *   the score log and the levels: latest scores equal a recompute and the recorded level is the
 *   level of the recomputed score;
 * - **annotate** (annotators): the same interaction gets the same finite scores every time.
 *
 * ```ts
 * import { describeScoringConformance } from '@rapport/testkit/conformance';
 * describeScoringConformance({ name: 'engagement', create: () => engagementScoring() });
 * ```
 */
export function describeScoringConformance(options: ScoringConformanceOptions): void {
  const kinds = options.kinds ?? DEFAULT_KINDS;
  const tolerance = options.tolerance ?? 1e-9;
  const runs = options.runs ?? 200;
  const params = (numRuns: number) => ({
    numRuns,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const probe = options.create();
  const caps = probe.capabilities;
  const suite = (name: ScoringSuiteName, applies: boolean, why: string, body: () => void) => {
    const reason = options.skip?.[name] ?? (applies ? undefined : why);
    if (reason !== undefined) describe(name, () => it.skip(`skipped: ${reason}`, () => {}));
    else describe(name, body);
  };

  describe(`scoring conformance: ${options.name}`, () => {
    suite('manifest', true, '', () => {
      it('speaks rapport.scoring/v1 with an id, a version and the hooks its capabilities declare', () => {
        const plugin = options.create();
        expect(plugin.specVersion).toBe(SCORING_SPEC_VERSION);
        expect(typeof plugin.id).toBe('string');
        expect(plugin.id.length).toBeGreaterThan(0);
        expect(typeof plugin.version).toBe('string');
        expect(typeof plugin.annotate === 'function').toBe(plugin.capabilities.annotate);
        expect(typeof plugin.update === 'function').toBe(plugin.capabilities.incremental);
        expect(typeof plugin.recompute === 'function').toBe(plugin.capabilities.recompute);
        // A Rapport accepts it (the host runs the same checks at creation).
        expect(() => createRapport({ storage: memoryStorage(), scoring: [plugin] })).not.toThrow();
      });

      it('declares its models with id, version and parameters that survive JSON', () => {
        const plugin = options.create();
        expect(plugin.models.length).toBeGreaterThan(0);
        for (const model of plugin.models) {
          expect(typeof model.id).toBe('string');
          expect(typeof model.version).toBe('string');
          if (model.params !== undefined)
            expect(JSON.parse(JSON.stringify(model.params))).toEqual(model.params);
        }
      });

      it('declares valid levels, if any, for scores it produces', () => {
        const plugin = options.create();
        for (const ladder of plugin.levels ?? [])
          expect(scoreLevelsSchema.safeParse(ladder).success).toBe(true);
      });
    });

    suite('models', caps.incremental || caps.recompute, 'it produces no customer scores', () => {
      it('records every score under a declared model, with a finite value, the same on every recompute', async () => {
        const plugin = options.create();
        await fc.assert(
          fc.asyncProperty(fc.array(draftArb(kinds), { minLength: 1, maxLength: 40 }), async (drafts) => {
            const interactions = drafts.map(toInteraction);
            const now = new Date(T0 + 500 * DAY);
            const input = { tenantId: 'default', customerId: 'c1', now };
            const results: ScoreResult[] = plugin.recompute
              ? await plugin.recompute({ ...input, interactions: newestFirst(interactions) })
              : await plugin.update!({ ...input, interactions, current: [] });
            for (const result of results) {
              expect(Number.isFinite(result.value), `${result.name} = ${result.value}`).toBe(true);
              const declared = plugin.models.find((m) => m.id === result.model.id);
              expect(
                declared,
                `score "${result.name}" names undeclared model "${result.model.id}"`,
              ).toBeDefined();
              expect(result.model.version).toBe(declared!.version);
              if (declared!.params !== undefined) expect(result.model.params).toEqual(declared!.params);
              expect(result.name.endsWith(LEVEL_SCORE_SUFFIX) && (plugin.levels?.length ?? 0) > 0).toBe(
                false,
              );
            }
            if (plugin.recompute) {
              const again = await plugin.recompute({ ...input, interactions: newestFirst(interactions) });
              expect(again).toEqual(results);
            }
          }),
          params(Math.max(10, Math.round(runs / 4))),
        );
      });
    });

    suite(
      'update-equals-recompute',
      caps.incremental && caps.recompute,
      'it does not both update incrementally and recompute',
      () => {
        it('keeps by update what a full recompute gives, for any batching, late arrivals and update times', async () => {
          const plugin = options.create();
          await fc.assert(
            fc.asyncProperty(scenarioArb(kinds, 60), async ({ drafts, cuts, gaps }) => {
              const interactions = drafts.map(toInteraction);
              let current: Score[] = [];
              let now = T0 - 500 * DAY;
              for (const [b, batch] of batchesOf(interactions, cuts).entries()) {
                now += gaps[b]! * DAY;
                const at = new Date(now);
                const sorted = [...batch].sort((x, y) => x.occurredAt.getTime() - y.occurredAt.getTime());
                const results = await plugin.update!({
                  tenantId: 'default',
                  customerId: 'c1',
                  interactions: sorted,
                  current,
                  now: at,
                });
                const recorded = results.map((r) => ({
                  tenantId: 'default',
                  customerId: 'c1',
                  ...r,
                  computedAt: at,
                }));
                current = latestOf([...current, ...recorded]);
              }
              const full = await plugin.recompute!({
                tenantId: 'default',
                customerId: 'c1',
                interactions: newestFirst(interactions),
                now: new Date(now),
              });
              expectAgreement(byName(current), byName(full), tolerance);
            }),
            params(runs),
          );
        });
      },
    );

    suite(
      'in-rapport',
      caps.incremental && caps.recompute,
      'it does not both update incrementally and recompute',
      () => {
        it('keeps latest scores equal to a recompute in a running Rapport, with levels recorded from them', async () => {
          await fc.assert(
            fc.asyncProperty(scenarioArb(kinds, 30), async ({ drafts, cuts, gaps, edits }) => {
              let now = T0 - 500 * DAY;
              const plugin = options.create();
              const rapport = createRapport({
                storage: memoryStorage(),
                scoring: [plugin],
                clock: { now: () => new Date(now) },
              });
              await rapport.start();
              try {
                const inputs = drafts.map(toInput);
                let customerId: string | null = null;
                for (const [b, batch] of batchesOf(inputs, cuts).entries()) {
                  // The clock moves only with an ingest, so the latest scores are as of the recompute's time.
                  if (batch.length === 0) continue;
                  now += gaps[b]! * DAY;
                  const result = await rapport.ingest(batch);
                  customerId ??= result.results.find((r) => r.customerId)?.customerId ?? null;
                  await rapport.settle();
                }
                if (customerId === null) return;
                // Edits are new versions of stored interactions: they must not count twice.
                const edited = [...new Set(edits.map((e) => e % inputs.length))].map((i) => ({
                  ...inputs[i]!,
                  version: 1,
                  text: 'edited: thanks, that helped a lot',
                }));
                if (edited.length > 0) {
                  now += DAY;
                  await rapport.ingest(edited);
                  await rapport.settle();
                }
                const own = (s: Score) => !s.name.endsWith(LEVEL_SCORE_SUFFIX);
                const latest = (await rapport.scores.latest(customerId)).filter(own);
                // Recompute as of the time the kept scores were last updated, so both are at one time.
                if (latest.length > 0) now = Math.max(...latest.map((s) => s.computedAt.getTime()));
                const recorded = await rapport.scores.recompute(customerId);
                expectAgreement(byName(latest), byName(recorded.filter(own)), tolerance);
                for (const ladder of plugin.levels ?? []) {
                  const value = byName(recorded).get(ladder.score);
                  if (value === undefined) continue;
                  // Right at a threshold, rounding may place the two sides differently.
                  if (ladder.levels.some((l) => agree(l.min, value, tolerance))) continue;
                  const level = await rapport.scores.level(customerId, ladder.score);
                  expect(level?.level.index).toBe(levelOf(value, ladder.levels));
                }
              } finally {
                await rapport.stop();
              }
            }),
            params(Math.max(5, Math.round(runs / 10))),
          );
        });
      },
    );

    suite('annotate', caps.annotate, 'it does not annotate interactions', () => {
      it('gives the same finite scores for the same interaction every time', () => {
        const plugin = options.create();
        fc.assert(
          fc.property(draftArb(kinds), fc.string({ maxLength: 120 }), (draft, text) => {
            const interaction = { ...toInteraction(draft, 1), text };
            const first = plugin.annotate!(interaction);
            const second = plugin.annotate!(structuredClone(interaction));
            expect(second).toEqual(first);
            for (const score of first ?? []) {
              for (const value of Object.values(score))
                if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
            }
          }),
          params(runs),
        );
      });
    });
  });
}
