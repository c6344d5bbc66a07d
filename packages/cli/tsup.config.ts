import { defineConfig } from 'tsup';

export default defineConfig({
  // main.ts is the executable that bin/rapport.js loads; index.ts is the library.
  entry: ['src/index.ts', 'src/main.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
