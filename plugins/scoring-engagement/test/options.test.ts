import { describe, expect, it } from 'vitest';
import { engagementScoring } from '../src/index.js';
import { rapportErrorOf } from './helpers.js';

const errorOf = (options: unknown) => rapportErrorOf(() => engagementScoring(options as never));

describe('engagementScoring options', () => {
  it('rejects invalid options as RAPPORT_INVALID_OPTIONS naming the path, with a hint', () => {
    const cases: Array<[unknown, Array<string | number>]> = [
      [{ halfLifeDays: 0 }, ['halfLifeDays']],
      [{ halfLifeDays: Number.POSITIVE_INFINITY }, ['halfLifeDays']],
      [{ weights: { reply: -1 } }, ['weights', 'reply']],
      [{ weights: { Reply: 2 } }, ['weights', 'Reply']],
      [{ channelWeights: { forum: { reply: 'six' } } }, ['channelWeights', 'forum', 'reply']],
      [{ effortWeights: { signal: -2 } }, ['effortWeights', 'signal']],
      [{ effortWeights: { effort: 1 } }, ['effortWeights', 'effort']],
      [{ levels: [] }, ['levels']],
      [{ levels: [{ name: 'a', min: 1 }] }, ['levels', 0, 'min']],
      [
        {
          levels: [
            { name: 'a', min: 0 },
            { name: 'b', min: 5 },
            { name: 'c', min: 5 },
          ],
        },
        ['levels', 2, 'min'],
      ],
      [
        {
          levels: [
            { name: 'a', min: 0 },
            { name: 'a', min: 5 },
          ],
        },
        ['levels', 1, 'name'],
      ],
      [{ exclude: { handles: ['(unclosed'] } }, ['exclude', 'handles', 0]],
      [{ exclude: { customerIds: 'staff' } }, ['exclude', 'customerIds']],
      [{ exclude: { staff: [] } }, ['exclude', 'staff']],
      [{ halfLife: 30 }, ['halfLife']],
      [{ scoreName: 'Engagement Score' }, ['scoreName']],
    ];
    for (const [options, path] of cases) {
      const error = errorOf(options);
      expect({ options, code: error.code, path: error.path }).toEqual({
        options,
        code: 'RAPPORT_INVALID_OPTIONS',
        path,
      });
      expect(error.hint).toBeTruthy();
      expect(error.message).toContain('engagementScoring');
    }
  });

  it('explains a non-increasing ladder in its message', () => {
    const error = errorOf({
      levels: [
        { name: 'low', min: 0 },
        { name: 'high', min: 0 },
      ],
    });
    expect(error.message).toMatch(/thresholds must increase/);
    expect(error.hint).toMatch(/thresholds must increase/);
  });

  it('accepts no options, and fills in the defaults', () => {
    const { options } = engagementScoring();
    expect(options).toMatchObject({
      id: 'engagement',
      scoreName: 'engagement',
      levelScoreName: 'engagement.level',
      modelId: 'engagement-effort-decay',
      halfLifeDays: 90,
      exclude: { customerIds: [], actorExternalIds: [], handles: [] },
    });
    expect(Object.isFrozen(options.weights)).toBe(true);
  });
});
