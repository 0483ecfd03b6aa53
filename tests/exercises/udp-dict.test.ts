import { exerciseSuite } from '../helpers/exercise-suite.ts';

exerciseSuite('udp-dict');
