/** The grader's version, from package.json: results of different versions are never merged. */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
export const GRADER_VERSION: string = pkg.version;
