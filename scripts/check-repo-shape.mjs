#!/usr/bin/env node
// Checks that every package and plugin has the shape users and tools rely on: a README, an
// index that only re-exports, tests, and a package.json that publishes ESM + CJS + types and
// keeps fixtures out. Run by `npm run lint`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const problems = [];
const dirs = ['packages', 'plugins'].flatMap((group) =>
  existsSync(group) ? readdirSync(group).map((name) => join(group, name)) : [],
);
for (const dir of dirs) {
  const need = (file, why) => {
    if (!existsSync(join(dir, file))) problems.push(`${dir}: missing ${file} (${why})`);
  };
  need('README.md', 'what it is and how to use it');
  need('src/index.ts', 'the public entry');
  need('tsup.config.ts', 'the build');
  const tests = existsSync(join(dir, 'test'))
    ? readdirSync(join(dir, 'test')).filter((f) => f.endsWith('.test.ts'))
    : [];
  if (tests.length === 0) problems.push(`${dir}: no test/*.test.ts`);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const root = pkg.exports?.['.'];
  if (!root?.import?.types || !root?.require?.types)
    problems.push(`${dir}: exports["."] must give import and require entries with types`);
  if (!root?.['@rapport/source']) problems.push(`${dir}: exports["."] needs the @rapport/source condition`);
  if (!Array.isArray(pkg.files) || pkg.files.some((f) => /fixtures|test/.test(f))) {
    problems.push(
      `${dir}: package.json "files" must list what is published and leave tests and fixtures out`,
    );
  }
  if (pkg.license !== 'MIT') problems.push(`${dir}: license must be MIT`);
  if (!pkg.engines?.node) problems.push(`${dir}: engines.node must say the supported Node.js`);
  if (dir.startsWith('plugins/') && !pkg.peerDependencies?.['@rapport/core']) {
    problems.push(`${dir}: plugins take @rapport/core as a peer dependency (one copy at run time)`);
  }
  const index = existsSync(join(dir, 'src/index.ts')) ? readFileSync(join(dir, 'src/index.ts'), 'utf8') : '';
  const statements = index
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  if (statements.some((s) => !/^export\b/.test(s)))
    problems.push(`${dir}: src/index.ts should only re-export`);
}
if (problems.length > 0) {
  console.error(`Repository shape: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`Repository shape: ${dirs.length} packages and plugins look right.`);
