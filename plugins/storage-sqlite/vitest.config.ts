import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@rapport/source'] },
  ssr: { resolve: { conditions: ['@rapport/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
