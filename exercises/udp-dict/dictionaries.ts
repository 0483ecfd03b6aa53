/**
 * The dictionaries the checks write as fixtures, besides BASIC (protocol.ts): the edge cases
 * of each parsing clause, and the big files of the start and load checks (seeded).
 */
import type { Random } from '../../grader/probes/segmentation.ts';
import { text } from './messages.ts';
import { syntheticMeaning, syntheticWord, type Entry } from './protocol.ts';

const { t } = text;

/** Runs of spaces and tabs between word and meaning; inner spacing kept; trailing spaces trimmed. */
export const SPACING_LINES: { line: string; word: string; meaning: string; readonly how: string }[] = [
  { line: 'abandon    v. go away from; forsake', word: 'abandon', meaning: 'v. go away from; forsake', get how() { return t('spacing.abandon'); } },
  { line: 'ability\tn. 能力; 才能', word: 'ability', meaning: 'n. 能力; 才能', get how() { return t('spacing.ability'); } },
  { line: 'able \t \tadj. 能够的', word: 'able', meaning: 'adj. 能够的', get how() { return t('spacing.able'); } },
  { line: 'abroad\t\t\tadv. 在国外', word: 'abroad', meaning: 'adv. 在国外', get how() { return t('spacing.abroad'); } },
  { line: 'absence n.  the  state   of being away', word: 'absence', meaning: 'n.  the  state   of being away', get how() { return t('spacing.absence'); } },
  { line: 'abstract   adj.\tthinking\t\tof ideas', word: 'abstract', meaning: 'adj.\tthinking\t\tof ideas', get how() { return t('spacing.abstract'); } },
  { line: 'academic  adj. 学术的   \t ', word: 'academic', meaning: 'adj. 学术的', get how() { return t('spacing.academic'); } },
  { line: 'accent n. 口音 ;  腔调  ', word: 'accent', meaning: 'n. 口音 ;  腔调', get how() { return t('spacing.accent'); } },
  { line: 'x\t\ty', word: 'x', meaning: 'y', get how() { return t('spacing.x'); } },
];

/** A file with blank lines and words without a meaning (LF). */
export const SKIPPED_TEXT = [
  'apple n. 苹果',
  '',
  'lonely',
  'banana n. 香蕉',
  '   ',
  '\t',
  'kiwi',
  'alone   ',
  'cherry n. 樱桃',
  '',
  '',
  'kiwi n. 猕猴桃',
  'solo\t',
  'date n. 枣; 日期',
  '',
].join('\n');

/** Two or more entries for one word (also in another ASCII case): the first counts. */
export const DUPLICATE_TEXT = [
  'bank n. 银行',
  'river n. 河',
  'Bank n. 河岸',
  'apple n. 苹果',
  'bank n. 长凳',
  'river n. 河流',
  'BANK n. 库',
  '',
].join('\n');

export const CASE_ASCII: readonly Entry[] = [
  { word: 'apple', meaning: 'n. 苹果' },
  { word: 'Banana', meaning: 'n. 香蕉' },
  { word: 'iPhone', meaning: 'n. 苹果手机' },
  { word: 'GPS', meaning: 'abbr. 全球定位系统' },
  { word: 'ok', meaning: 'adj. 好的' },
];

export const CASE_NON_ASCII: readonly Entry[] = [
  { word: 'ärger', meaning: 'n. 愤怒 (German)' },
  { word: 'Straße', meaning: 'n. 街道 (German)' },
  { word: 'кот', meaning: 'n. 猫 (Russian)' },
  { word: 'kiwi', meaning: 'n. 猕猴桃' },
  { word: 'Émile', meaning: 'n. 人名 (French)' },
];

/** Queries of robust.survives: valid queries that trip a plain-object dictionary or a regex, and what they get. */
export const TRICKY_QUERIES: { query: string; word?: string }[] = [
  { query: 'constructor', word: 'constructor' },
  { query: 'toString' },
  { query: '__proto__' },
  { query: 'hasOwnProperty' },
  { query: 'valueOf' },
  { query: "' OR '1'='1" },
  { query: '(' },
  { query: '.*' },
  { query: '[a-z]+' },
  { query: '%s%s%s%n' },
  { query: '\0' },
  { query: '\\' },
];

export const TRICKY_ENTRIES: readonly Entry[] = [{ word: 'constructor', meaning: 'n. 构造者; 建造者' }];

/**
 * A big dictionary: `lines` entries (every 200th meaning ~1,000 bytes, the others short),
 * at most `maxBytes` in all. Returns the text and the entries.
 */
export function bigDictionary(random: Random, lines: number, meaningBytes: number, maxBytes: number): { text: string; entries: Entry[] } {
  // A pool of meanings to pick from (building each line's meaning afresh is slow for 200,000 lines).
  const pool = Array.from({ length: 512 }, () => syntheticMeaning(meaningBytes + random.int(-8, 8), random));
  const long = Array.from({ length: 16 }, () => {
    let meaning = syntheticMeaning(990, random);
    while (Buffer.byteLength(meaning) > 1000) meaning = meaning.slice(0, meaning.lastIndexOf(' '));
    return meaning;
  });
  const poolBytes = pool.map((m) => Buffer.byteLength(m));
  const longBytes = long.map((m) => Buffer.byteLength(m));
  const entries: Entry[] = [];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; i < lines; i++) {
    const word = syntheticWord(i, random);
    const pick = random.int(0, 511);
    const isLong = i % 200 === 199;
    const meaning = isLong ? long[pick % 16]! : pool[pick]!;
    size += word.length + 2 + (isLong ? longBytes[pick % 16]! : poolBytes[pick]!);
    entries.push({ word, meaning });
    parts.push(`${word} ${meaning}\n`);
  }
  if (size > maxBytes) throw new Error(`big dictionary of ${size} bytes exceeds ${maxBytes}`);
  return { text: parts.join(''), entries };
}
