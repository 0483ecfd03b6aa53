import { exerciseSuite } from '../helpers/exercise-suite.ts';

exerciseSuite('process-pool');
