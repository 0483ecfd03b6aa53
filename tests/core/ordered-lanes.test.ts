/** Exercises graded at the same time still reach reporters one after another. */
import { describe, expect, test } from 'vitest';
import { Multiplexer, type Reporter } from '../../grader/reporters/reporter.ts';
import { OrderedLanes } from '../../grader/runner/ordered-lanes.ts';
import type { CheckResult } from '../../grader/model/results.ts';

const check = (id: string) => ({ id }) as CheckResult;

describe('OrderedLanes', () => {
  test('a later lane finishing first is played back after the earlier lanes, in order', async () => {
    const seen: string[] = [];
    const reporter: Reporter = {
      onExerciseBegin: (e) => void seen.push(`begin ${e.id}`),
      onCheckEnd: (exerciseId, c) => void seen.push(`${exerciseId}:${c.id}`),
    };
    const lanes = new OrderedLanes(new Multiplexer([reporter]), 3);
    const [a, b, c] = [lanes.lane(0), lanes.lane(1), lanes.lane(2)];
    await a('onExerciseBegin', { id: 'a', title: 'A' });
    await c('onExerciseBegin', { id: 'c', title: 'C' });
    await b('onExerciseBegin', { id: 'b', title: 'B' });
    await c('onCheckEnd', 'c', check('1'));
    await lanes.finish(2);
    await a('onCheckEnd', 'a', check('1'));
    // Lane a is the head: its events go out live, the others wait.
    expect(seen).toEqual(['begin a', 'a:1']);
    await b('onCheckEnd', 'b', check('1'));
    await lanes.finish(0);
    // b becomes the head: its recorded events go out, and it reports live from now on.
    expect(seen).toEqual(['begin a', 'a:1', 'begin b', 'b:1']);
    await b('onCheckEnd', 'b', check('2'));
    await lanes.finish(1);
    expect(seen).toEqual(['begin a', 'a:1', 'begin b', 'b:1', 'b:2', 'begin c', 'c:1']);
  });
});
