/**
 * `npm start -w @rapport/example-engagement-lab`: compares five customer scoring models on the
 * repository's Stack Exchange and Twitter samples and writes the results and charts to `out/`.
 * Pass `--seed <n>` for other bootstrap resamples, `--out <dir>` to write elsewhere.
 */
import { parseArgs } from 'node:util';
import { runEngagementLab } from './lab.js';
import { renderSummary } from './summary.js';

const { values } = parseArgs({ options: { seed: { type: 'string' }, out: { type: 'string' } } });
const seed = values.seed === undefined ? 1 : Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) {
  process.stderr.write(`error: --seed takes a whole number ≥ 0, not ${values.seed}\n`);
  process.exit(1);
}
const started = performance.now();
const runs = await runEngagementLab({ seed, ...(values.out ? { out: values.out } : {}) });
process.stdout.write(renderSummary(runs));
process.stdout.write(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
