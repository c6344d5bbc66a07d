import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parsePluginOptions, storeNotOpen, unitOfWorkFinished } from '../src/index.js';

describe('helpers for plugin authors', () => {
  const schema = z.object({ filename: z.string().default('x.db'), wal: z.boolean().default(true) }).strict();

  it('parses options with defaults, and names an unknown key by itself with the known ones', () => {
    expect(parsePluginOptions(schema, undefined, 'demoStorage', 'demo')).toEqual({
      filename: 'x.db',
      wal: true,
    });
    try {
      parsePluginOptions(schema, { filname: 'a.db', wal: 'yes' }, 'demoStorage', 'demo');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'RAPPORT_INVALID_OPTIONS', plugin: 'demo' });
      const issues = (error as { issues: Array<{ jsonPath: string; hint: string }> }).issues;
      expect(issues.map((i) => i.jsonPath).sort()).toEqual(['$.filname', '$.wal']);
      expect(issues.find((i) => i.jsonPath === '$.filname')?.hint).toBe(
        'remove it; known options: filename, wal',
      );
    }
  });

  it('reports a store used out of its lifecycle', () => {
    expect(storeNotOpen('demo', 'demoStorage', 'read', 'closed')).toMatchObject({
      code: 'RAPPORT_NOT_STARTED',
      message: 'demo storage: read() called after close()',
      hint: expect.stringContaining('demoStorage(options)'),
    });
    expect(unitOfWorkFinished('demo', 'insertScores').message).toBe(
      'demo storage: insertScores() called on a finished unit of work',
    );
  });
});
