import { exerciseSuite } from '../helpers/exercise-suite.ts';

// web-server's suite in three files that run side by side: the reference runs in
// web-server.test.ts, the variants here (every other one) and in web-server.variants-2.test.ts.
exerciseSuite('web-server', { part: 'variants', of: [0, 2] });
