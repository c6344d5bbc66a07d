import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { invalidInput } from '../errors.js';
import type { LabLoaderName } from './spec.js';

/** One file a dataset was read from, as the manifest records it. */
export interface DatasetFile {
  /** The file's name, relative to the dataset's path (its own name for a single file). */
  name: string;
  bytes: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
}

/** A file of a dataset: where it is, and its name as the manifest gives it. */
export interface SourceFile {
  file: string;
  name: string;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks that the dataset's path exists and has the right shape (a dump folder for
 * `stackexchange`, a file otherwise) and lists the files that hold its data: the `.xml` files of
 * a Stack Exchange dump folder, the SQLite file (and its write-ahead log, when there is one), or
 * the file itself.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` (path `dataset`) when it is missing or of the wrong shape.
 */
export function datasetFiles(loader: LabLoaderName, path: string): SourceFile[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw invalidInput(
      `No such ${loader === 'stackexchange' ? 'folder' : 'file'}: ${path}`,
      ['dataset'],
      'check the path after the loader name; a relative path is read from the current directory',
    );
  }
  if (loader === 'stackexchange') {
    if (!isDirectory) {
      throw invalidInput(
        `${path} is not a folder`,
        ['dataset'],
        'give stackexchange the folder of one site’s dump (the one holding Posts.xml)',
      );
    }
    const files = readdirSync(path)
      .filter((name) => name.endsWith('.xml'))
      .sort();
    if (!files.includes('Posts.xml')) {
      throw invalidInput(
        `${path} holds no Posts.xml`,
        ['dataset'],
        'give stackexchange the folder of one site’s dump (the one holding Posts.xml)',
      );
    }
    return files.map((name) => ({ file: join(path, name), name }));
  }
  if (isDirectory) {
    throw invalidInput(`${path} is a folder`, ['dataset'], `give ${loader} a file`);
  }
  const own = { file: path, name: basename(path) };
  const wal = `${path}-wal`;
  if (loader === 'sqlite' && existsSync(wal)) return [own, { file: wal, name: basename(wal) }];
  return [own];
}

/** Sizes and SHA-256 of the files. */
export async function fingerprint(files: readonly SourceFile[]): Promise<DatasetFile[]> {
  const out: DatasetFile[] = [];
  for (const { file, name } of files) {
    out.push({ name, bytes: statSync(file).size, sha256: await sha256Of(file) });
  }
  return out;
}
