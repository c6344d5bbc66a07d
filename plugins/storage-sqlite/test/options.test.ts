import { isRapportError, RapportError, STORAGE_SPEC_VERSION } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { parseSqliteStorageOptions, sqliteStorage, sqliteStorageOptionsSchema } from '../src/index.js';

function optionsError(options: unknown): RapportError {
  try {
    sqliteStorage(options as never);
  } catch (error) {
    if (error instanceof RapportError) return error;
    throw error;
  }
  throw new Error('expected sqliteStorage() to throw');
}

describe('sqliteStorage options', () => {
  it('fills in defaults', () => {
    expect(parseSqliteStorageOptions(undefined)).toEqual({
      filename: 'rapport.db',
      wal: true,
      busyTimeoutMs: 5000,
      synchronous: 'normal',
      cacheSizeMiB: 64,
      pageSize: 16384,
    });
  });

  it('describes every option', () => {
    for (const [key, schema] of Object.entries(sqliteStorageOptionsSchema.shape)) {
      expect(schema.description, key).toMatch(/\w{3,}/);
    }
  });

  it.each([
    [{ filename: 42 }, ['filename']],
    [{ filename: '' }, ['filename']],
    [{ wal: 'yes' }, ['wal']],
    [{ busyTimeoutMs: -1 }, ['busyTimeoutMs']],
    [{ busyTimeoutMs: 1.5 }, ['busyTimeoutMs']],
    [{ synchronous: 'sometimes' }, ['synchronous']],
    [{ cacheSizeMiB: 0 }, ['cacheSizeMiB']],
    [{ pageSize: 1000 }, ['pageSize']],
    [{ wall: true }, ['wall']],
  ])('rejects %j with RAPPORT_INVALID_OPTIONS at %j', (options, path) => {
    const error = optionsError(options);
    expect(isRapportError(error, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
    expect(error.path).toEqual(path);
    expect(error.message).toContain(error.jsonPath);
    expect(error.hint.length).toBeGreaterThan(0);
  });

  it('names every unknown key and lists the known ones', () => {
    const error = optionsError({ filenme: 'x.db', walMode: true });
    expect(error.issues.map((issue) => issue.jsonPath)).toEqual(['$.filenme', '$.walMode']);
    expect(error.hint).toContain('filename');
  });

  it('rejects options that are not an object', () => {
    const error = optionsError('rapport.db');
    expect(error.code).toBe('RAPPORT_INVALID_OPTIONS');
    expect(error.path).toEqual([]);
  });

  it('does not touch the file system before init', () => {
    const storage = sqliteStorage({ filename: '/nonexistent/dir/never-created.db' });
    expect(storage.options.filename).toBe('/nonexistent/dir/never-created.db');
  });
});

describe('sqliteStorage plugin fields', () => {
  it('carries id, version, spec version and capabilities as data', () => {
    const storage = sqliteStorage({ filename: 'data/crm.db' });
    expect(storage.id).toBe('sqlite');
    expect(storage.version).toBe(packageJson.version);
    expect(storage.specVersion).toBe(STORAGE_SPEC_VERSION);
    expect(storage.capabilities).toEqual({
      durable: true,
      concurrentProcesses: false,
      exportCustomer: true,
      eraseCustomer: true,
    });
  });

  it('is not durable in memory', () => {
    expect(sqliteStorage({ filename: ':memory:' }).capabilities.durable).toBe(false);
  });
});
