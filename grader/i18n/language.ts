/**
 * The language a grading speaks: chosen once per command (`--lang`, env `NETGRADE_LANG`, else
 * the locale), recorded in results.json, and used for every text a person reads.
 *
 * Messages are rendered when they are made (a check's failure message is written in the
 * language of its grading), so the language travels with the work: `withLanguage` runs a
 * grading in an AsyncLocalStorage context, and `currentLanguage()` reads it anywhere below
 * (a probe's expectation, a sandbox verdict) without threading it through every call.
 * Two gradings in one process (tests, batch workers) may speak different languages.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Language, LANGUAGES } from '../model/language.ts';

export { Language, LANGUAGES };

export const DEFAULT_LANGUAGE: Language = 'en';

/**
 * The language of a locale string as POSIX and browsers write it (`zh_CN.UTF-8`, `zh-TW`,
 * `zh`, `en_US.UTF-8`, `C`): any Chinese locale → zh-CN (the course's only Chinese
 * catalogue), anything else → undefined.
 */
export function languageOfLocale(locale: string | undefined): Language | undefined {
  if (!locale) return undefined;
  if (/^zh(?:[_-]|$|\.)/i.test(locale)) return 'zh-CN';
  if (/^en(?:[_-]|$|\.)/i.test(locale)) return 'en';
  return undefined;
}

/**
 * `--lang` wins, then `NETGRADE_LANG`, then the first set of `LC_ALL`, `LC_MESSAGES`, `LANG`
 * (as POSIX orders them): a `zh*` locale gives zh-CN, any other gives en.
 * An explicit value that is not a known language throws (a usage error for the CLI).
 */
export function resolveLanguage(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Language {
  const explicit = flag ?? env.NETGRADE_LANG;
  if (explicit !== undefined && explicit !== '') {
    const parsed = Language.safeParse(explicit);
    if (parsed.success) return parsed.data;
    const fromLocale = languageOfLocale(explicit);
    if (fromLocale) return fromLocale;
    throw new UnknownLanguageError(explicit);
  }
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  return languageOfLocale(locale) ?? DEFAULT_LANGUAGE;
}

export class UnknownLanguageError extends Error {
  override readonly name = 'UnknownLanguageError';
  readonly value: string;
  constructor(value: string) {
    super(`unknown language "${value}" (known: ${LANGUAGES.join(', ')})`);
    this.value = value;
  }
}

const storage = new AsyncLocalStorage<Language>();
let processLanguage: Language = DEFAULT_LANGUAGE;

/** Runs `work` with `language` as the current language of everything it calls. */
export function withLanguage<T>(language: Language, work: () => T): T {
  return storage.run(language, work);
}

/** The language of the process outside any `withLanguage` (the CLI sets it once). */
export function setProcessLanguage(language: Language): void {
  processLanguage = language;
}

export function currentLanguage(): Language {
  return storage.getStore() ?? processLanguage;
}
