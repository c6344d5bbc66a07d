import { RapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { parsePostgresStorageOptions, postgresStorage } from '../src/index.js';

const invalid = (options: unknown): RapportError => {
  try {
    postgresStorage(options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(RapportError);
    return error as RapportError;
  }
  throw new Error('expected RAPPORT_INVALID_OPTIONS');
};

describe('postgresStorage options', () => {
  it('fills in defaults and touches nothing until init', () => {
    const storage = postgresStorage({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    expect(storage).toMatchObject({
      id: 'postgres',
      specVersion: 'rapport.storage/v1',
      capabilities: { durable: true, concurrentProcesses: true, exportCustomer: true, eraseCustomer: true },
    });
    expect(storage.options).toMatchObject({ schema: 'rapport', max: 10, migrate: true });
    expect(typeof storage.version).toBe('string');
  });
  it('names the offending option, with a hint', () => {
    const error = invalid({ schema: 'Bad-Name' });
    expect(error.code).toBe('RAPPORT_INVALID_OPTIONS');
    expect(error.path).toEqual(['schema']);
    expect(error.plugin).toBe('postgres');
    expect(invalid({ max: 0 }).path).toEqual(['max']);
    expect(invalid({ port: 'x' }).path).toEqual(['port']);
  });
  it('refuses unknown options, pointing at the typo', () => {
    const error = invalid({ conectionString: 'postgres://x' });
    expect(error.path).toEqual(['conectionString']);
    expect(error.hint).toContain('connectionString');
  });
  it('parses without a factory', () => {
    expect(parsePostgresStorageOptions(undefined).schema).toBe('rapport');
  });
});
