import { packageBuild } from '../../config/tsup.js';

// main.ts is the executable that bin/rapport.js loads; index.ts is the library.
export default packageBuild(['src/index.ts', 'src/main.ts']);
