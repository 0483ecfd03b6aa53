import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './tests/setup/sequencer.ts';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Grading starts real servers; a test grades whole exercises (several seconds each).
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The machine-wide CPU burners of `npm run test:busy` (NETGRADE_TEST_BURNERS; none by default).
    globalSetup: ['tests/setup/burners.ts'],
    // Longest test file first, also on a fresh clone (tests/durations.json).
    sequence: { sequencer: LongestFirstSequencer },
    // Test files at once (env NETGRADE_TEST_WORKERS): a grading mostly waits on deadlines
    // (chat's suite alone: 18 s of CPU in 45 s of wall time), so on 2 cores three files keep
    // the CPUs busier; checks that judge timing run alone within their grading, and the
    // concurrent scheduling starts no further check while the CPUs are contended.
    maxWorkers: Number(process.env.NETGRADE_TEST_WORKERS) || 3,
    reporters: ['default'],
  },
});
