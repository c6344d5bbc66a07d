import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRapportError, type RapportError } from '@rapport/core';
import { SaxesParser } from 'saxes';
import { expect } from 'vitest';
import { compareModels, type LabDataset } from '../src/index.js';

/** The repository root, found from this file so tests run from any directory. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The bundled fixtures, as `<loader>:<path>` dataset specs. */
export const fixtures = {
  twcs: `twcs:${join(repoRoot, 'fixtures/twcs/twcs_first5000.csv')}`,
  stackexchange: `stackexchange:${join(repoRoot, 'fixtures/stackexchange-meta-conlang')}`,
  cdnow: `cdnow:${join(repoRoot, 'fixtures/cdnow/CDNOW_sample.txt')}`,
};

/** A fresh temporary folder, and a function that removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-lab-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An SVG parsed as XML (saxes throws on anything not well-formed). */
export interface ParsedSvg {
  /** The root element's name. */
  root: string;
  /** Element children of every `<g>` whose class names the mark group `<name>_marks`. */
  marks(name: string): Array<{ name: string; text: string }>;
  /** Every text node's content, in document order. */
  texts: string[];
}

/** Parses an SVG with a real XML parser; throws when it is not well-formed XML. */
export function parseSvg(svg: string): ParsedSvg {
  const parser = new SaxesParser({ xmlns: false });
  const stack: Array<{ name: string; group: string | null; text: string }> = [];
  const groups = new Map<string, Array<{ name: string; text: string }>>();
  const texts: string[] = [];
  let root = '';
  let error: Error | undefined;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    if (stack.length === 0) root = tag.name;
    const cls = typeof tag.attributes.class === 'string' ? tag.attributes.class : '';
    const group = tag.name === 'g' ? (/\b([\w-]+)_marks\b/.exec(cls)?.[1] ?? null) : null;
    stack.push({ name: tag.name, group, text: '' });
  });
  parser.on('text', (text) => {
    const top = stack.at(-1);
    if (top) top.text += text;
  });
  parser.on('closetag', () => {
    const element = stack.pop()!;
    if (element.name === 'text') texts.push(element.text);
    const parent = stack.at(-1);
    if (parent?.group) {
      const list = groups.get(parent.group) ?? [];
      list.push({ name: element.name, text: element.text });
      groups.set(parent.group, list);
    }
  });
  parser.write(svg).close();
  if (error) throw error;
  return { root, marks: (name) => groups.get(name) ?? [], texts };
}

/**
 * Checks that a store's copy of a dataset scores exactly as the file it came from: the same
 * customers (under other ids: compared through their identities) get the same scores, and the
 * point estimates of agreement are equal (intervals and cuts differ: customers sort by other ids).
 */
export async function expectSameScores(fromStore: LabDataset, fromFile: LabDataset): Promise<void> {
  const models = ['activity', 'engagement', 'influence'];
  const [a, b] = await Promise.all([
    compareModels({ dataset: fromStore, models, resamples: 20 }),
    compareModels({ dataset: fromFile, models, resamples: 20 }),
  ]);
  const byIdentity = (report: typeof a) =>
    new Map(report.customers.map((c, i) => [c.identities[0], models.map((m) => report.scores.get(m)![i])]));
  expect(byIdentity(a)).toEqual(byIdentity(b));
  const estimates = (report: typeof a) => report.agreement.map((p) => [p.spearman, p.kendallTauB]);
  expect(estimates(a)).toEqual(estimates(b));
}

/** The RapportError `promise` rejects with (anything else is rethrown; resolving fails the test). */
export async function rejected(promise: Promise<unknown>): Promise<RapportError> {
  try {
    await promise;
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('did not reject');
}
