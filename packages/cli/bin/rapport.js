#!/usr/bin/env node
// The published entry point runs the built CLI. Inside the monorepo, before a build, say how to
// build it or run it from source instead of failing with a bare module-not-found error.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'rapport: the CLI is not built (no dist/main.js).\n' +
      '  hint: run `npm run build -w @rapport/cli`, or from the repository root run it from source:\n' +
      '        npm run rapport -- <command> …\n',
  );
  process.exitCode = 1;
} else {
  await import(main.href);
}
