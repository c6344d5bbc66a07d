import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTests } from '../../config/vitest.js';

// Each test file starts a real Dovecot; the first one on a fresh machine installs it with apt-get
// (about 20 s, longer on a slow mirror), so hooks get minutes.
export default mergeConfig(
  packageTests,
  defineConfig({ test: { hookTimeout: 300_000, testTimeout: 60_000, teardownTimeout: 30_000 } }),
);
