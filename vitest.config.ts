import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Grading starts real servers; a test grades whole exercises (several seconds each).
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The machine-wide pair of CPU burners the reference solutions are graded beside.
    globalSetup: ['tests/setup/burners.ts'],
    // Test files at once (env NETGRADE_TEST_WORKERS): a grading mostly waits on deadlines
    // (chat's suite alone: 18 s of CPU in 45 s of wall time), so on 2 cores three files keep
    // the CPUs busier; checks that judge timing run alone within their grading, and the
    // concurrent scheduling starts no further check while the CPUs are contended.
    maxWorkers: Number(process.env.NETGRADE_TEST_WORKERS) || 3,
    reporters: ['default'],
  },
});
