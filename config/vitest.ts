import { defineConfig } from 'vitest/config';

/**
 * The test setup every package shares: workspace packages resolve to their TypeScript sources
 * (the `@rapport/source` export condition), so tests need no build.
 */
export const packageTests = defineConfig({
  resolve: { conditions: ['@rapport/source'] },
  ssr: { resolve: { conditions: ['@rapport/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
