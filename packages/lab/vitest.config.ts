import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTests } from '../../config/vitest.js';

// One Postgres for the run (RAPPORT_TEST_PG_URL, or an embedded server started for it); the test
// of Postgres datasets makes a database of its own there and drops it afterwards.
export default mergeConfig(
  packageTests,
  defineConfig({ test: { globalSetup: ['test/global-setup.ts'], hookTimeout: 60_000 } }),
);
