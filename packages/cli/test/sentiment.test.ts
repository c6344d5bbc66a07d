import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type SentimentResult, type SentimentScored } from '../src/index.js';
import { rapport, rapportJson, repoRoot, spawnRapport, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const groundTruth = join(repoRoot, 'fixtures/vader/tweets_GroundTruth.txt');

/** The Python reference's compound per tweet id, read straight from its TSV. */
function referenceCompounds(): Map<string, number> {
  const [header, ...rows] = readFileSync(join(repoRoot, 'fixtures/vader/reference_scores_tweets.tsv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  const columns = header!.split('\t');
  const id = columns.indexOf('id');
  const compound = columns.indexOf('compound');
  return new Map(rows.map((row) => row.split('\t')).map((f) => [f[id]!, Number(f[compound])]));
}

/** Runs the CLI in-process and keeps each chunk written to stdout, to see the output arrive in pieces. */
async function runChunked(argv: string[]): Promise<{ code: number; chunks: string[]; stderr: string }> {
  const chunks: string[] = [];
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => chunks.push(text),
    stderr: (text) => (stderr += text),
    terminal: null,
    cwd: repoRoot,
  });
  return { code, chunks, stderr };
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SentimentResult);

describe('rapport sentiment <file>', () => {
  it('scores the 4,200 tweets like the Python reference (≥ 99.5% of compounds within 1e-4)', async () => {
    const run = await runChunked(['sentiment', groundTruth, '--json']);
    expect(run.code).toBe(0);
    const results = jsonLines(run.chunks.join('')) as SentimentScored[];
    const reference = referenceCompounds();
    expect(results).toHaveLength(4200);
    expect(reference.size).toBe(4200);
    expect(new Set(results.map((r) => r.id))).toEqual(new Set(reference.keys()));
    const close = results.filter((r) => Math.abs(r.compound - reference.get(r.id!)!) <= 1e-4).length;
    expect(close / results.length).toBeGreaterThanOrEqual(0.995);
    // The port is exact on this corpus: no tweet differs.
    expect(close).toBe(4200);
    expect(results[0]).toEqual({
      id: '1',
      neg: 0.108,
      neu: 0.394,
      pos: 0.498,
      compound: 0.9571,
      label: 'positive',
    });
    // Streamed: written in batches as lines are scored, not as one block at the end.
    expect(run.chunks.length).toBeGreaterThan(10);
    expect(run.stderr).toMatch(/^sentiment: 4,200 texts scored, 0 lines skipped, \d+ ms, [\d,]+ texts\/s\n$/);
  });

  it('labels compounds as the scoring plugin does, with --threshold', async () => {
    const file = join(tmp.dir, 'labels.tsv');
    writeFileSync(file, 'a\tgood\nb\tbad\nc\tthe table\nd\tok\n');
    const run = await rapport(['sentiment', file, '--json', '--threshold', '0.5']);
    const byId = Object.fromEntries(jsonLines(run.stdout).map((r) => [r.id, r]));
    expect(byId.a).toMatchObject({ compound: 0.4404, label: 'neutral' });
    expect(byId.b).toMatchObject({ compound: -0.5423, label: 'negative' });
    expect(byId.c).toMatchObject({ compound: 0, label: 'neutral' });
    const defaults = await rapport(['sentiment', file, '--json']);
    expect(jsonLines(defaults.stdout).map((r) => r.label)).toEqual([
      'positive',
      'negative',
      'neutral',
      'positive',
    ]);
  });

  it('reports unreadable lines on stderr with their number, skips them, keeps the others and exits 2', async () => {
    const file = join(tmp.dir, 'mixed.tsv');
    writeFileSync(
      file,
      'a\tWhat a great day\r\nno tab on this line\r\n\r\n\tno id\r\nb\t \r\nc\t1.5\tAwful service, never again!\r\n',
    );
    const run = await rapport(['sentiment', file, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('line 2: skipped: no tab: expected id<TAB>…<TAB>text\n');
    expect(run.stderr).toContain('line 4: skipped: empty id in column 1\n');
    expect(run.stderr).toContain('line 5: skipped: no text to score\n');
    expect(run.stderr).not.toContain('line 3');
    expect(run.stderr).toContain('sentiment: 2 texts scored, 3 lines skipped');
    const results = jsonLines(run.stdout) as SentimentScored[];
    expect(results.map((r) => [r.id, r.label])).toEqual([
      ['a', 'positive'],
      ['c', 'negative'],
    ]);
  });

  it('marks texts in a language VADER does not score, from --language or a column', async () => {
    const file = join(tmp.dir, 'languages.tsv');
    writeFileSync(
      file,
      'id\tlang\ttext\n1\ten\tI love it\n2\tfr\tJe déteste ça\n3\t\tI hate it\n4\ten-GB\tbrilliant\n',
    );
    const run = await rapport([
      'sentiment',
      file,
      '--json',
      '--header',
      '--language-column',
      '2',
      '--text-column',
      '3',
    ]);
    expect(run.code).toBe(0);
    const results = jsonLines(run.stdout);
    expect(results[0]).toMatchObject({ id: '1', language: 'en', label: 'positive' });
    expect(results[1]).toEqual({ id: '2', language: 'fr', unsupported: true, label: 'unsupported-language' });
    expect(results[2]).toMatchObject({ id: '3', label: 'negative' });
    expect(results[2]).not.toHaveProperty('language');
    expect(results[3]).toMatchObject({ id: '4', language: 'en-GB', label: 'positive' });
    expect(run.stderr).toContain('4 texts scored (1 in an unsupported language), 0 lines skipped');

    const all = await rapport([
      'sentiment',
      file,
      '--json',
      '--header',
      '--text-column',
      '3',
      '--language',
      'de',
    ]);
    expect(jsonLines(all.stdout).every((r) => 'unsupported' in r && r.language === 'de')).toBe(true);
  });

  it('prints a readable row per line without --json', async () => {
    const run = await rapport(['sentiment', groundTruth]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('compound    pos    neu    neg  label     id  text');
    expect(lines[1]).toMatch(
      /^ {2}0\.9571 {2}0\.498 {2}0\.394 {2}0\.108 {2}positive {2}1 {2}Somehow I was blessed/,
    );
    expect(lines.filter((l) => l !== '')).toHaveLength(4201);
  });

  it('refuses a missing file with a hint, and usage errors', async () => {
    const missing = await rapportJson<{ error: { code: string; message: string; hint: string } }>([
      'sentiment',
      'no-such.tsv',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.error).toMatchObject({
      code: 'CLI_FILE_NOT_FOUND',
      message: `No such file: ${join(repoRoot, 'no-such.tsv')}`,
      hint: expect.stringContaining('id<TAB>…<TAB>text'),
    });
    const neither = await rapport(['sentiment']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain("argument '<file>' or '--text <text>' is required");
    const both = await rapport(['sentiment', groundTruth, '--text', 'hi']);
    expect(both.stderr).toContain("option '--text <text>' cannot be used with a file");
    const column = await rapport(['sentiment', groundTruth, '--text-column', '1']);
    expect(column.stderr).toContain("option '--text-column <n>' must be a whole number from 2 to 10,000");
  });
});

describe('rapport sentiment --text', () => {
  it('scores one text', async () => {
    const run = await rapportJson<SentimentScored & { text: string }>([
      'sentiment',
      '--text',
      'Not bad at all',
    ]);
    expect(run).toEqual({
      text: 'Not bad at all',
      neg: 0,
      neu: 0.513,
      pos: 0.487,
      compound: 0.431,
      label: 'positive',
      code: 0,
    });
    const readable = await rapport(['sentiment', '--text', 'VADER is smart, handsome, and funny.']);
    expect(readable.stdout).toMatch(/^ {2}compound {2}0\.8316 {2}positive$/m);
    expect(readable.stdout).toMatch(/^ {2}pos {7}0\.746$/m);
  });

  it('marks a text in another language instead of scoring it', async () => {
    const run = await rapportJson(['sentiment', '--text', 'Quelle horreur', '--language', 'fr']);
    expect(run).toEqual({
      text: 'Quelle horreur',
      language: 'fr',
      unsupported: true,
      label: 'unsupported-language',
      code: 0,
    });
  });

  it('runs as a process: JSON on stdout, exit 0; a blank text is a usage error', async () => {
    // The first example of the reference's README.
    const text = 'VADER is smart, handsome, and funny.';
    const run = await spawnRapport(['sentiment', '--text', text, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      text,
      neg: 0,
      neu: 0.254,
      pos: 0.746,
      compound: 0.8316,
      label: 'positive',
    });
    expect(run.stderr).toBe('');
    const blank = await spawnRapport(['sentiment', '--text', '   ']);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toContain("option '--text <text>' needs some text to score");
  });

  it('streams a file through the process, exiting 2 when a line was skipped', async () => {
    const file = join(tmp.dir, 'process.tsv');
    writeFileSync(file, '1\tgreat\nbroken line\n2\tterrible\n');
    const run = await spawnRapport(['sentiment', file, '--json']);
    expect(run.code).toBe(2);
    expect(jsonLines(run.stdout).map((r) => r.id)).toEqual(['1', '2']);
    expect(run.stderr).toContain('line 2: skipped: no tab');
  });
});
