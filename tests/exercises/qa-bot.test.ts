import { exerciseSuite } from '../helpers/exercise-suite.ts';

exerciseSuite('qa-bot');
