/**
 * Scoring is pure: an exercise's score is the sum of the points of its passed checks,
 * per part and in total. Only `passed` earns points: a `flaky` check (failed, then passed on
 * a re-run with the same seed) earns none.
 */
import type { CheckResult, PartResult } from '../model/results.ts';

export function scoreChecks(checks: Pick<CheckResult, 'status' | 'maxPoints' | 'part'>[], parts: string[]): {
  score: number;
  maxScore: number;
  parts: PartResult[];
} {
  const points = (c: Pick<CheckResult, 'status' | 'maxPoints'>) => (c.status === 'passed' ? c.maxPoints : 0);
  const sum = (list: typeof checks, f: (c: (typeof checks)[number]) => number) => list.reduce((acc, c) => acc + f(c), 0);
  return {
    score: sum(checks, points),
    maxScore: sum(checks, (c) => c.maxPoints),
    parts: parts.map((id) => {
      const inPart = checks.filter((c) => c.part === id);
      return { id, score: sum(inPart, points), maxScore: sum(inPart, (c) => c.maxPoints) };
    }),
  };
}
