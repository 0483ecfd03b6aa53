import { exerciseSuite } from '../helpers/exercise-suite.ts';

exerciseSuite('ticket-sale');
