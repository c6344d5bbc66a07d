import { describe, expect, it } from 'vitest';
import { newId } from '../src/index.js';

describe('newId', () => {
  it('makes RFC 9562 version 7 UUIDs that start with the creation time', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('is unique and strictly increasing, within a millisecond too', async () => {
    const first = Array.from({ length: 20_000 }, newId);
    expect(new Set(first).size).toBe(first.length);
    for (let i = 1; i < first.length; i++) expect(first[i]! > first[i - 1]!).toBe(true);
    await new Promise((r) => setTimeout(r, 2));
    const later = newId();
    expect(first.every((id) => id < later)).toBe(true);
  });
});
