/**
 * A program that does nothing earns 0 in every check (tests/helpers/do-nothing.ts), every
 * exercise that do-nothing.test.ts does not grade.
 */
import { doNothingSuite, FIRST_HALF } from '../helpers/do-nothing.ts';

await doNothingSuite((id) => !FIRST_HALF.includes(id));
