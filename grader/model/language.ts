/** The languages netgrade speaks (a results.json records the one its grading used). */
import { z } from 'zod';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;
