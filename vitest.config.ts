import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Grading starts real servers; a test grades whole exercises (several seconds each).
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: two test files at once keeps the machine busy without starving the
    // submissions' servers (timing checks carry margins for a loaded machine, not an overloaded one).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
