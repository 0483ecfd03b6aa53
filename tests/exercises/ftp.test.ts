import { exerciseSuite } from '../helpers/exercise-suite.ts';

exerciseSuite('ftp');
