/**
 * Class-level results: what `netgrade batch` writes as `<out>/results.json` and what
 * `netgrade merge` reads back from shards. Every class output (overview, CSV, per-student
 * HTML) is rendered from this serialised form only.
 *
 * Versioned like `SubmissionResult`: `schemaVersion` changes when a field changes meaning,
 * including the embedded `SubmissionResult`'s (version 2: results schema 2, `flaky` checks).
 */
import { z } from 'zod';
import { SubmissionResult } from './results.ts';

export const CLASS_SCHEMA_VERSION = 2;

/** One student of the class: graded (result) or not gradable (error), never both. */
export const StudentEntry = z.object({
  /** The sub-folder's name, or the archive's name without `.zip` / `.tar.gz`. */
  name: z.string().min(1),
  /** How the submission came: a folder, or an archive extracted safely first. */
  source: z.enum(['folder', 'zip', 'tar.gz']),
  /** sha256 of the submission's content (every file's relative path and bytes). */
  contentHash: z.string(),
  /** sha256 of contentHash, the grader's version and the grading options: the resume key. */
  key: z.string(),
  /** Entries of an archive that were not extracted (path escaping, links, limits). */
  extractionNotes: z.array(z.string()),
  result: SubmissionResult.optional(),
  /** Why the submission could not be graded (unreadable archive, grader failure). */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type StudentEntry = z.infer<typeof StudentEntry>;

/** An exercise as graded for the class: its checks in order, with their points. */
export const ClassExercise = z.object({
  id: z.string(),
  title: z.string(),
  maxScore: z.number(),
  checks: z.array(z.object({ id: z.string(), title: z.string(), maxPoints: z.number() })),
});
export type ClassExercise = z.infer<typeof ClassExercise>;

export const ClassResult = z.object({
  schemaVersion: z.literal(CLASS_SCHEMA_VERSION),
  grader: z.object({ name: z.literal('netgrade'), version: z.string() }),
  /** Fingerprint of the grading options (exercises, checks, seed, time scale, retries): shards must agree. */
  optionsHash: z.string(),
  /** Present when this is one shard of a class (1-based index). */
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
  exercises: z.array(ClassExercise),
  /** Sorted by name. */
  students: z.array(StudentEntry),
});
export type ClassResult = z.infer<typeof ClassResult>;
