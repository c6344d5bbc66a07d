import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCli } from '../src/index.js';

/** The repository root, found from this file so tests run from any directory. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The twcs sample every CLI test imports. */
export const twcsFixture = join(repoRoot, 'fixtures/twcs/twcs_first5000.csv');

/** What one in-process run printed and returned. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as `rapport <argv…>` from `cwd`, capturing its output. */
export async function rapport(argv: string[], cwd = repoRoot): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    terminal: null,
    cwd,
  });
  return { code, stdout, stderr };
}

/** Runs the CLI with `--json` and parses what it printed. */
export async function rapportJson<T = Record<string, unknown>>(
  argv: string[],
): Promise<T & { code: number }> {
  const run = await rapport([...argv, '--json']);
  try {
    return { ...(JSON.parse(run.stdout) as T), code: run.code };
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** A fresh temporary folder, and a function that removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs the real executable from source in a child process (stdout and stderr are pipes, not a
 * terminal), from `cwd`, and collects what it printed.
 */
export function spawnRapport(args: string[], cwd = repoRoot): Promise<Run & { code: number }> {
  const main = join(repoRoot, 'packages/cli/src/main.ts');
  // Resolved here: in another folder, a bare `--import tsx` would find nothing.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, '--conditions=@rapport/source', main, ...args], {
      cwd,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}
