import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir, twcsFixture } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const main = join(repoRoot, 'packages/cli/src/main.ts');
// Resolved here: the child runs in a temporary folder, where a bare `--import tsx` finds nothing.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs the real executable from source in a child process, with pipes (not a terminal) for output. */
function spawnRapport(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, '--conditions=@rapport/source', main, ...args], {
      cwd: tmp.dir,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('the rapport executable', () => {
  it('imports with progress lines on a non-terminal stderr, exits 0, and reads relative paths from its cwd', async () => {
    const run = await spawnRapport(['import', twcsFixture, '--format', 'twcs', '--db', 'crm.db']);
    expect(run.stderr).toMatch(/^importing: 1,000 items \(1,000 created/m);
    expect(run.stderr).toMatch(/^importing: 5,000 items \(5,000 created/m);
    expect(run.stdout).toContain(`into ${join(tmp.dir, 'crm.db')}, tenant default`);
    expect(run.stdout).toMatch(/created\s+5,000/);
    expect(run.code).toBe(0);
  });

  it('exits 2 when items are rejected', async () => {
    const file = join(tmp.dir, 'bad.jsonl');
    writeFileSync(file, '{"channel":"mastodon"}\n');
    const run = await spawnRapport(['import', file, '--format', 'jsonl', '--db', 'crm.db', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ counts: { rejected: 1 }, exitCode: 2 });
  });

  it('exits 1 on usage errors and fatal errors, 0 for --help', async () => {
    const format = await spawnRapport(['import', twcsFixture, '--format', 'csv']);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('must be one of: jsonl, twcs, cdnow, stackexchange');
    const missing = await spawnRapport(['customers', 'show', 'x', '--db', 'missing.db']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: No database at');
    const help = await spawnRapport(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: rapport');
  });
});
