import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, printTable, writeResult } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));

const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ')}`);
  process.exit(name ? 1 : 0);
}

const module = (await import(pathToFileURL(`${here}/${name}.bench.ts`).href)) as { run: Benchmark };
const result = await module.run();
console.log();
printTable(result.rows);
console.log();
for (const [key, value] of Object.entries(result.ratios)) console.log(`ratios.${key} = ${value.toFixed(3)}`);
console.log(`\nwrote ${writeResult(name, result)}`);
