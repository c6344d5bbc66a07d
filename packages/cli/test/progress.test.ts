import { emptyCounts } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { type CliIO, createProgressReporter } from '../src/index.js';

const at = (processed: number) => ({ processed, counts: { ...emptyCounts(), created: processed } });

function capture(terminal: NodeJS.WriteStream | null) {
  const out = { stderr: '' };
  const io: CliIO = { stdout: () => {}, stderr: (text) => (out.stderr += text), terminal, cwd: '/' };
  return { io, out };
}

describe('progress', () => {
  it('prints a plain line each time another `every` items are done', () => {
    const { io, out } = capture(null);
    let clock = 0;
    const progress = createProgressReporter(io, { enabled: true, every: 1000, now: () => clock });
    for (const n of [400, 800, 1200, 1600, 2000, 3500]) {
      clock += 100;
      progress.update(at(n));
    }
    progress.stop();
    expect(out.stderr.trim().split('\n')).toEqual([
      'importing: 1,200 items (1,200 created, 0 updated, 0 duplicate, 0 rejected), 4,000 items/s',
      'importing: 2,000 items (2,000 created, 0 updated, 0 duplicate, 0 rejected), 4,000 items/s',
      'importing: 3,500 items (3,500 created, 0 updated, 0 duplicate, 0 rejected), 5,833 items/s',
    ]);
  });

  it('draws a bar on a terminal and clears it when done', () => {
    let drawn = '';
    const terminal = {
      isTTY: true,
      columns: 120,
      write: (s: string) => {
        drawn += s;
        return true;
      },
    };
    const { io, out } = capture(terminal as unknown as NodeJS.WriteStream);
    const progress = createProgressReporter(io, { enabled: true, every: 1000 });
    progress.update(at(5000));
    progress.stop();
    expect(drawn).toContain('importing reading…');
    expect(drawn).toContain('importing 5,000 items (5,000 created');
    // Cleared: the last thing written erases the line, so the summary starts on a clean one.
    expect(drawn.endsWith('\x1B[2K')).toBe(true);
    expect(out.stderr).toBe('');
  });

  it('shows nothing when turned off', () => {
    const { io, out } = capture(null);
    const progress = createProgressReporter(io, { enabled: false, every: 1 });
    progress.update(at(10));
    progress.stop();
    expect(out.stderr).toBe('');
  });
});
