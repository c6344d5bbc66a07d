import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTests } from '../../config/vitest.js';

// The round trip starts a real Dovecot (installed on first use), so hooks and tests get time.
export default mergeConfig(
  packageTests,
  defineConfig({ test: { hookTimeout: 180_000, testTimeout: 180_000 } }),
);
