import { packageBuild } from '../../config/tsup.js';

// The conformance suites are their own entry so the main one loads without vitest.
export default packageBuild([
  'src/index.ts',
  'src/conformance.ts',
  'src/rules-workload/index.ts',
  'src/postgres.ts',
  'src/mail-server.ts',
]);
