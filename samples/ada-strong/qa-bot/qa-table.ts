// The keyword table of the bot: which answer a question gets.
//
// The course keeps the table in a dict and asks `if key in q` for each key in turn. Here
// it comes from a JSON file, an array of [keyword, answer] pairs. We keep it as that array,
// in file order: an object or a Map would lose one of two pairs with the same keyword and
// (an object) move keywords that look like numbers to the front.
import { readFileSync } from 'node:fs';

/** The answer when no keyword occurs in the question (no 。 at the end). */
export const FALLBACK = '人家还小不知道啦';

export type Pair = [keyword: string, answer: string];

/** Reads the table once, at start: the file in env QA_FILE, else ./qa.json. */
export function loadTable(): Pair[] {
  const file = process.env['QA_FILE'] || './qa.json';
  const table = JSON.parse(readFileSync(file, 'utf8')) as Pair[];
  console.error(`loaded ${table.length} keyword(s) from ${file}`);
  return table;
}

/**
 * The answer of the first pair, in file order, whose keyword occurs anywhere in the
 * question (case-sensitive). Not the longest keyword, not the one that occurs first.
 */
export function answerFor(table: Pair[], question: string): string {
  for (const [keyword, answer] of table) {
    if (question.includes(keyword)) return answer;
  }
  return FALLBACK;
}
