import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRapportError } from '@rapport/core';
import { CliError } from './errors.js';

/** What a path on the command line turned out to be. */
function kindOf(path: string): 'file' | 'folder' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Resolves `path` against `cwd` and checks that it is a file.
 *
 * @param what - what the file should hold, for the hints ("an edge list").
 * @throws CliError `CLI_FILE_NOT_FOUND` or `CLI_NOT_A_FILE`.
 */
export function inputFile(cwd: string, path: string, what: string): string {
  const file = resolve(cwd, path);
  const kind = kindOf(file);
  if (kind === 'missing') {
    throw new CliError('CLI_FILE_NOT_FOUND', `No such file: ${file}`, {
      hint: `check the path of ${what}; a relative path is read from the current directory`,
    });
  }
  if (kind === 'folder') {
    throw new CliError('CLI_NOT_A_FILE', `${file} is a folder`, { hint: `give the path of ${what}` });
  }
  return file;
}

/**
 * Resolves `path` against `cwd` and checks that it is a folder.
 *
 * @throws CliError `CLI_FILE_NOT_FOUND` or `CLI_NOT_A_FOLDER`.
 */
export function inputFolder(cwd: string, path: string, what: string): string {
  const folder = resolve(cwd, path);
  const kind = kindOf(folder);
  if (kind === 'missing') {
    throw new CliError('CLI_FILE_NOT_FOUND', `No such folder: ${folder}`, {
      hint: `check the path of ${what}; a relative path is read from the current directory`,
    });
  }
  if (kind === 'file') {
    throw new CliError('CLI_NOT_A_FOLDER', `${folder} is not a folder`, {
      hint: `give the folder of ${what}`,
    });
  }
  return folder;
}

/** Reads a whole text file (one that is parsed as a whole anyway: a summary, an edge list). */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CliError('CLI_UNREADABLE_FILE', `Cannot read ${file}: ${(cause as Error).message}`, {
      hint: 'check that the file exists and is readable',
      cause,
    });
  }
}

/**
 * A plugin's refusal of a file's content (a `RapportError` naming a line or a column), as a
 * `CliError` whose message starts with the file's path and keeps the plugin's code and hint.
 * Anything else is returned unchanged, to be rethrown.
 */
export function inFile(file: string, error: unknown, hint?: string): unknown {
  if (!isRapportError(error)) return error;
  const message = error.message.includes(file) ? error.message : `${file}: ${error.message}`;
  return new CliError(error.code, message, { hint: hint ?? error.hint, cause: error });
}
