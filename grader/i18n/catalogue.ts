/**
 * A message catalogue: the same keys in every language, each a whole-sentence template with
 * the same parameters (see message-format.ts). `defineCatalogue` checks both at the type
 * level (a key missing in zh-CN, or a translation whose placeholders differ from the English
 * ones, fails `tsc`) and again at run time (`catalogueProblems`, used by the tests).
 *
 * One catalogue for the grader (grader/i18n/messages.ts) and one per exercise
 * (exercises/<id>/messages.ts).
 */
import { currentLanguage, type Language } from './language.ts';
import { formatMessage, placeholderNames, type ParamNames, type Params, type ParamValue } from './message-format.ts';

/** For each key of `En`: the translation must be a string with exactly the same placeholders. */
export type Translation<En extends Record<string, string>> = {
  readonly [K in keyof En]: string;
};

type SameParams<En extends Record<string, string>, Zh extends Translation<En>> = {
  readonly [K in keyof En]: [ParamNames<En[K]>] extends [ParamNames<Zh[K]>]
    ? [ParamNames<Zh[K]>] extends [ParamNames<En[K]>]
      ? Zh[K]
      : `placeholders differ from the English message: ${En[K]}`
    : `placeholders differ from the English message: ${En[K]}`;
};

export interface Catalogue<En extends Record<string, string>> {
  readonly name: string;
  readonly messages: { readonly [L in Language]: Translation<En> };
  /** The message `key` in the current language (see `currentLanguage`). */
  t<K extends keyof En & string>(key: K, ...params: ParamNames<En[K]> extends never ? [] : [Params<En[K]>]): string;
  /** The message `key` in `language`. */
  in(language: Language): <K extends keyof En & string>(key: K, ...params: ParamNames<En[K]> extends never ? [] : [Params<En[K]>]) => string;
}

export function defineCatalogue<const En extends Record<string, string>, const Zh extends Translation<En>>(
  name: string,
  en: En,
  zh: Zh & SameParams<En, Zh>,
): Catalogue<En> {
  const messages = { en, 'zh-CN': zh as Translation<En> } as const;
  const render = (language: Language, key: string, params: unknown): string => {
    const template = (messages[language] as Record<string, string>)[key];
    if (template === undefined) throw new Error(`message "${key}" is missing from the ${language} catalogue ${name}`);
    return formatMessage(language, template, (params ?? {}) as Record<string, ParamValue>);
  };
  return {
    name,
    messages,
    t: (key, ...params) => render(currentLanguage(), key, params[0]),
    in: (language) => (key, ...params) => render(language, key, params[0]),
  };
}

/** Keys missing in a language, and keys whose placeholders differ from English (run-time check). */
export function catalogueProblems(catalogue: Catalogue<Record<string, string>>): string[] {
  const problems: string[] = [];
  const en = catalogue.messages.en;
  for (const [language, messages] of Object.entries(catalogue.messages) as Array<[Language, Record<string, string>]>) {
    for (const key of Object.keys(en)) {
      const text = messages[key];
      if (text === undefined || text === '') {
        problems.push(`${catalogue.name}: "${key}" is missing in ${language}`);
        continue;
      }
      const want = placeholderNames(en[key]!).join(',');
      const got = placeholderNames(text).join(',');
      if (want !== got) problems.push(`${catalogue.name}: "${key}" in ${language} has placeholders {${got}}, English has {${want}}`);
    }
    for (const key of Object.keys(messages)) {
      if (!(key in en)) problems.push(`${catalogue.name}: "${key}" in ${language} does not exist in English`);
    }
  }
  return problems;
}
