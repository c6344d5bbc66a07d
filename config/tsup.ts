import { defineConfig } from 'tsup';

/**
 * The build every package shares: ESM + CJS + type declarations for Node 20. A package passes its
 * entry points when it has more than `src/index.ts`.
 */
export function packageBuild(entry: string[] = ['src/index.ts']) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
  });
}
