import { exerciseSuite } from '../helpers/exercise-suite.ts';

// The other half of web-server's variants (see web-server.variants.test.ts).
exerciseSuite('web-server', { part: 'variants', of: [1, 2] });
