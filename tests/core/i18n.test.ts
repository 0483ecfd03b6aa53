/**
 * Languages: every catalogue has every key in both languages with the same placeholders;
 * the language is chosen as the CLI documents; numbers, lists, units and plurals go through
 * Intl; the reports' own words follow the grading's language.
 */
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { catalogueProblems, type Catalogue } from '../../grader/i18n/catalogue.ts';
import { cliMessages } from '../../grader/i18n/cli-messages.ts';
import { resolveLanguage, withLanguage, currentLanguage, UnknownLanguageError } from '../../grader/i18n/language.ts';
import { formatMessage } from '../../grader/i18n/message-format.ts';
import { expectSilence } from '../../grader/probes/expect.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import { messages } from '../../grader/i18n/messages.ts';
import { EXERCISES_DIR, exerciseIds } from '../../grader/exercise/registry.ts';
import type { SubmissionResult } from '../../grader/model/results.ts';
import { renderReport } from '../../grader/reporters/html.ts';
import { TerminalReporter, padToWidth, wrap } from '../../grader/reporters/terminal.ts';
import stringWidth from 'string-width';

async function allCatalogues(): Promise<Array<Catalogue<Record<string, string>>>> {
  const catalogues: Array<Catalogue<Record<string, string>>> = [messages, cliMessages];
  for (const id of await exerciseIds()) {
    const file = join(EXERCISES_DIR, id, 'messages.ts');
    if (!existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (value && typeof value === 'object' && 'messages' in value && 'in' in value) catalogues.push(value as Catalogue<Record<string, string>>);
    }
  }
  return catalogues;
}

describe('message catalogues', () => {
  test('every key exists in both languages with the same placeholders (run time; tsc checks the same)', async () => {
    const problems = (await allCatalogues()).flatMap(catalogueProblems);
    expect(problems).toEqual([]);
  });

  test('a translation that drops a placeholder is found', () => {
    const broken = { name: 'broken', messages: { en: { a: 'Got {n} lines' }, 'zh-CN': { a: '收到若干行' } } } as unknown as Catalogue<Record<string, string>>;
    expect(catalogueProblems(broken)).toEqual(['broken: "a" in zh-CN has placeholders {}, English has {n}']);
  });
});

describe('choosing the language', () => {
  test('--lang, then NETGRADE_LANG, then LC_ALL, LC_MESSAGES, LANG; a zh locale gives zh-CN, anything else en', () => {
    expect(resolveLanguage('zh-CN', { NETGRADE_LANG: 'en' })).toBe('zh-CN');
    expect(resolveLanguage(undefined, { NETGRADE_LANG: 'zh-CN', LANG: 'en_US.UTF-8' })).toBe('zh-CN');
    expect(resolveLanguage(undefined, { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' })).toBe('zh-CN');
    expect(resolveLanguage(undefined, { LC_ALL: '', LC_MESSAGES: 'zh_TW.UTF-8', LANG: 'en_US.UTF-8' })).toBe('zh-CN');
    expect(resolveLanguage(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(resolveLanguage(undefined, { LANG: 'de_DE.UTF-8' })).toBe('en');
    expect(resolveLanguage(undefined, { LANG: 'C' })).toBe('en');
    expect(resolveLanguage(undefined, {})).toBe('en');
    expect(() => resolveLanguage('fr', {})).toThrow(UnknownLanguageError);
  });

  test('withLanguage scopes the current language to the work it runs', async () => {
    const seen = await Promise.all([
      withLanguage('zh-CN', async () => {
        await new Promise((r) => setTimeout(r, 5));
        return currentLanguage();
      }),
      withLanguage('en', async () => currentLanguage()),
    ]);
    expect(seen).toEqual(['zh-CN', 'en']);
  });
});

describe('formatting through Intl', () => {
  test('numbers, lists, units, durations and plurals in each language', () => {
    const params = { n: 1, bytes: { bytes: 1048576 }, ms: { ms: 1500 }, names: ['a', 'b', 'c'], or: { or: ['x', 'y'] } };
    const template = '{n|one:# line|other:# lines}; {bytes}; {ms}; {names}; {or}';
    expect(formatMessage('en', template, params)).toBe('1 line; 1,048,576 bytes; 1,500 ms; a, b, and c; x or y');
    expect(formatMessage('en', template, { ...params, n: 2 })).toBe('2 lines; 1,048,576 bytes; 1,500 ms; a, b, and c; x or y');
    expect(formatMessage('zh-CN', '{n|other:# 行}；{bytes}；{ms}；{names}；{or}', params)).toBe('1 行；1,048,576字节；1,500毫秒；a、b和c；x或y');
  });

  test('braces around anything but a name are text (code in a message)', () => {
    expect(formatMessage('en', 'write `const C = { Red: "red" }` or `import { x }`, not {what}', { what: 'an enum' })).toBe(
      'write `const C = { Red: "red" }` or `import { x }`, not an enum',
    );
  });

  test('a missing parameter throws instead of printing a hole', () => {
    expect(() => formatMessage('en', 'sent {what}', {})).toThrow(/"what" is missing/);
  });
});

function minimalResult(language: 'en' | 'zh-CN'): SubmissionResult {
  return {
    schemaVersion: 2,
    grader: { name: 'netgrade', version: '0.1.0', node: 'v24.21.0' },
    submission: { name: 'ada', path: '/tmp/ada' },
    seed: 7,
    isolation: 'none',
    language,
    startedAt: '2026-12-01T04:00:00.000Z',
    durationMs: 1234,
    score: 0,
    maxScore: 10,
    exercises: [
      {
        id: 'demo',
        title: 'Demo (演示)',
        submitted: true,
        score: 0,
        maxScore: 10,
        parts: [],
        notes: [],
        checks: [
          { id: 'a.b', title: '检查', status: 'timeout', points: 0, maxPoints: 10, message: '服务器没有回答。', transcript: [{ at: 1, conn: 'c1', kind: 'open' }], durationMs: 3, seed: 1 },
        ],
        durationMs: 3,
      },
    ],
  } as SubmissionResult;
}

describe('shared expectations', () => {
  /** A probe that receives `x` whenever it listens. */
  const chatty = { label: 'c1', peerEnded: false, isClosed: false, collectFor: async () => Buffer.from('x') } as unknown as TcpProbe;

  test('a Chinese grading writes the whole sentence in Chinese when the caller’s words are Chinese', async () => {
    const error = await withLanguage('zh-CN', () => expectSilence(chatty, { after: '发送 "PING\\n"', ms: 100 })).then(() => new Error("no failure"), (e: unknown) => e as Error);
    expect(error.message).toBe('在 c1 上发送 "PING\\n"之后，期望 100毫秒内什么也不收到，但服务器发送了 1 字节："x"。');
  });

  test('an exercise still writing English gets a whole English sentence, never English inside Chinese', async () => {
    const error = await withLanguage('zh-CN', () => expectSilence(chatty, { after: 'after sending "PING\\n"', ms: 100 })).then(() => new Error("no failure"), (e: unknown) => e as Error);
    expect(error.message).toBe('After sending "PING\\n" on c1, expected nothing within 100 ms, but the server sent 1 byte: "x".');
  });
});

describe('reports speak the grading language', () => {
  test('HTML: <html lang>, a CJK font stack, and the chrome in Chinese', () => {
    const html = renderReport(minimalResult('zh-CN'), 'npx netgrade grade ada --seed 7');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toMatch(/font: [^;]*"Noto Sans CJK SC"/);
    for (const word of ['随机种子', '超时', '通信记录', '建立连接', '由 netgrade 生成']) expect(html).toContain(word);
    for (const word of ['Seed', 'timed out', 'Transcript', 'Generated by']) expect(html).not.toContain(word);
    const en = renderReport(minimalResult('en'), 'x');
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('timed out');
  });

  test('terminal: status words in the language, columns by display width, Chinese wrapped without spaces', async () => {
    expect(stringWidth(padToWidth('超时', 9))).toBe(9);
    expect(stringWidth(padToWidth('timed out', 9))).toBe(9);
    const long = '服务器没有回答'.repeat(20);
    expect(wrap(long, 40).every((line) => stringWidth(line) <= 40)).toBe(true);
    // A short quoted reply is never broken at its space (seen: "FAIL bad⏎name" read as two replies).
    const message = 'c1 上 GET "../secret.txt" 收到 "OK 20"和 20 字节；期望 "FAIL not found" 或 "FAIL bad name"。在访问磁盘之前先检查文件名。';
    for (const width of [60, 70, 80, 90]) {
      const lines = wrap(message, width);
      expect(lines.every((line) => stringWidth(line) <= width), lines.join('\n')).toBe(true);
      expect(lines.some((line) => line.includes('"FAIL bad name"')), lines.join('\n')).toBe(true);
      expect(lines.join(' ')).not.toContain('\u00a0');
    }
    let out = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString('utf8');
        done();
      },
    });
    const reporter = new TerminalReporter({ stream });
    await withLanguage('zh-CN', () => {
      const result = minimalResult('zh-CN');
      reporter.onCheckEnd('demo', result.exercises[0]!.checks[0]!);
      reporter.onSubmissionEnd(result);
    });
    expect(out).toContain('超时');
    expect(out).toContain('总分 0/10');
    expect(out).toContain('1.2秒');
    expect(out).not.toMatch(/timed out|Total/);
  });
});
