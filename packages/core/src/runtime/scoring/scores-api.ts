import type { Interaction } from '../../domain/interaction.js';
import type { Score, ScoreCause, ScoreLevel } from '../../domain/score.js';
import { RapportError } from '../../errors/rapport-error.js';
import type { Page, PageRequest, StorageReader } from '../../plugins/storage.js';
import { LEVEL_SCORE_SUFFIX, type LevelRef, levelOfScore, levelScoreName } from '../../scoring/levels.js';

/** One of a customer's level transitions, as kept in the score log. */
export interface LevelChangeRecord {
  /** The score the level classifies (e.g. `engagement`). */
  score: string;
  /** The level entered. */
  level: LevelRef;
  /** When the score that placed the customer there was recorded. */
  at: Date;
  /** The ladder in force then. */
  levels: ScoreLevel[];
  /** What moved the score (null for entries recorded before causes were kept). */
  cause: ScoreCause | null;
  /** The level-score entry itself. */
  entry: Score;
}

/**
 * The answer to "why is this customer at this level": the last transition, the level before it,
 * the score's value that crossed the threshold and the one before, and the interactions that
 * moved it (for an incremental update) or `recompute` as the cause.
 */
export interface LevelExplanation extends LevelChangeRecord {
  previous: LevelRef | null;
  /** The score's value recorded with the change, and the value recorded before it. */
  value: number | null;
  previousValue: number | null;
  /** The interactions named by the cause that are still stored, oldest first. */
  interactions: Interaction[];
}

function toLevelChange(entry: Score): LevelChangeRecord {
  const params = entry.model.params ?? {};
  const score =
    typeof params.score === 'string' ? params.score : entry.name.slice(0, -LEVEL_SCORE_SUFFIX.length);
  const levels = Array.isArray(params.levels) ? (params.levels as ScoreLevel[]) : [];
  return {
    score,
    level: levelOfScore(entry),
    at: entry.computedAt,
    levels,
    cause: entry.cause ?? null,
    entry,
  };
}

function checkScoreName(name: unknown, path: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `A score name is required, got ${String(name)}`, {
      path: [path],
      hint: 'give the name of a score, e.g. "engagement"',
    });
  }
  return name;
}

/** Reads a customer's score log and levels from one tenant's storage. */
export class ScoresReader {
  constructor(private readonly reader: StorageReader) {}

  /** The score log, newest first, optionally of one score name. */
  history(customerId: string, page: PageRequest & { name?: string }): Promise<Page<Score>> {
    return Promise.resolve(this.reader.scoreHistory(customerId, page));
  }

  /** The customer's level transitions for `score`, newest first. */
  async levelChanges(customerId: string, score: string, page: PageRequest): Promise<Page<LevelChangeRecord>> {
    const name = levelScoreName(checkScoreName(score, 'score'));
    const entries = await this.reader.scoreHistory(customerId, { ...page, name });
    return { items: entries.items.map(toLevelChange), nextCursor: entries.nextCursor };
  }

  /** The customer's current level for `score`, or null when none was ever recorded. */
  async level(customerId: string, score: string): Promise<LevelChangeRecord | null> {
    const page = await this.levelChanges(customerId, score, { limit: 1 });
    return page.items[0] ?? null;
  }

  /**
   * Why the customer is at its current level of `score` (or null: no level recorded): the last
   * transition with the values around it and the interactions that caused it.
   */
  async explainLevel(customerId: string, score: string): Promise<LevelExplanation | null> {
    const changes = await this.levelChanges(customerId, score, { limit: 2 });
    const [last, before] = changes.items;
    if (last === undefined) return null;
    const [value, previousValue] = await this.valuesAround(customerId, last);
    const interactions =
      last.cause?.kind === 'interactions' ? await this.reader.getInteractions(last.cause.interactionIds) : [];
    return { ...last, previous: before?.level ?? null, value, previousValue, interactions };
  }

  /**
   * The score's value recorded with a level change and the value recorded before it, walking the
   * score's log back from the newest entry. The value is the entry of the same score model recorded
   * at the same time for the same cause (entries of one millisecond are told apart by cause).
   */
  private async valuesAround(
    customerId: string,
    change: LevelChangeRecord,
  ): Promise<[number | null, number | null]> {
    const at = change.at.getTime();
    const model = change.entry.model.params?.scoreModel as { id?: unknown } | undefined;
    const cause = JSON.stringify(change.cause);
    const sameModel = (s: Score) => model?.id === undefined || s.model.id === model.id;
    const isValue = (s: Score) =>
      s.computedAt.getTime() < at ||
      (s.computedAt.getTime() === at && JSON.stringify(s.cause ?? null) === cause);
    let value: number | null = null;
    let cursor: string | null = null;
    do {
      const page = await this.reader.scoreHistory(customerId, { name: change.score, limit: 100, cursor });
      for (const entry of page.items) {
        if (!sameModel(entry)) continue;
        if (value === null) {
          if (isValue(entry)) value = entry.value;
        } else {
          return [value, entry.value];
        }
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    return [value, null];
  }
}
