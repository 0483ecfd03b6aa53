/**
 * Message templates with typed parameters, formatted through Intl.
 *
 * A template is a whole sentence with placeholders, so each language orders its words as it
 * must (no sentence assembled from translated fragments):
 *   `{name}`                     a parameter, formatted by its type (below)
 *   `{n|one:# line|other:# lines}` a plural choice by Intl.PluralRules (`#` is the number);
 *                                 categories the language lacks fall back to `other`
 * Parameter values, by type:
 *   string                 as it is
 *   number                 Intl.NumberFormat (1,048,576)
 *   readonly string[]      Intl.ListFormat, conjunction ("a, b, and c" / "a、b和c")
 *   { or: string[] }       Intl.ListFormat, disjunction ("a or b" / "a或b")
 *   { ms: number }         a duration: "1,500 ms" / "1,500毫秒"
 *   { seconds: number }    a longer duration, one decimal: "25.9s" / "25.9秒"
 *   { bytes: number }      a size: "1 byte", "12 bytes" / "12字节"
 *   Date                   Intl.DateTimeFormat, medium date and short time
 * Write identifiers that must not be grouped (ports, seeds, ids) as strings.
 *
 * The parameter names of a template are computed at the type level (`ParamNames`), so a call
 * without a parameter, or a translation that drops or invents one, fails to type-check.
 */
import type { Language } from './language.ts';

type IdentifierChar =
  | 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z'
  | 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'N' | 'O' | 'P' | 'Q' | 'R' | 'S' | 'T' | 'U' | 'V' | 'W' | 'X' | 'Y' | 'Z'
  | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '_';
type IsIdentifier<S extends string> = S extends '' ? false : S extends `${infer C}${infer Rest}` ? (C extends IdentifierChar ? (Rest extends '' ? true : IsIdentifier<Rest>) : false) : false;
type PlaceholderName<Inner extends string> = (Inner extends `${infer Name}|${string}` ? Name : Inner) extends infer Name extends string
  ? IsIdentifier<Name> extends true
    ? Name
    : never
  : never;

/**
 * The names of the placeholders of a template literal type. Only `{identifier}` and
 * `{identifier|forms}` are placeholders: braces around anything else (code such as
 * `{ Red: "red" }` or `import { x }`) are text.
 */
export type ParamNames<S extends string> = S extends `${string}{${infer Inner}}${infer Rest}` ? PlaceholderName<Inner> | ParamNames<Rest> : never;

export type ParamValue = string | number | readonly string[] | { or: readonly string[] } | { ms: number } | { seconds: number } | { bytes: number } | Date;

/** The parameters a template needs: an object with one value per placeholder. */
export type Params<S extends string> = [ParamNames<S>] extends [never] ? Record<string, never> : { readonly [K in ParamNames<S>]: ParamValue };

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(language: Language, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${language}\0${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(language, options);
    numberFormats.set(key, format);
  }
  return format;
}

export function formatValue(language: Language, value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberFormat(language).format(value);
  if (value instanceof Date) return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(value);
  if (isList(value)) return new Intl.ListFormat(language, { type: 'conjunction' }).format(value);
  if ('or' in value) return new Intl.ListFormat(language, { type: 'disjunction' }).format(value.or);
  if ('ms' in value) return numberFormat(language, { style: 'unit', unit: 'millisecond', unitDisplay: 'short' }).format(value.ms);
  if ('seconds' in value) {
    return numberFormat(language, { style: 'unit', unit: 'second', unitDisplay: 'narrow', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value.seconds);
  }
  return numberFormat(language, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(value.bytes);
}

function isList(value: ParamValue): value is readonly string[] {
  return Array.isArray(value);
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([^{}]*))?\}/g;

/** Fills a template's placeholders (see the module comment); a missing parameter throws. */
export function formatMessage(language: Language, template: string, params: Record<string, ParamValue>): string {
  return template.replace(PLACEHOLDER, (_whole, name: string, choices: string | undefined) => {
    if (!(name in params)) throw new Error(`message parameter "${name}" is missing in: ${template}`);
    const value = params[name]!;
    if (choices === undefined) return formatValue(language, value);
    if (typeof value !== 'number') throw new Error(`plural parameter "${name}" must be a number in: ${template}`);
    const forms = new Map(
      choices.split('|').map((choice) => {
        const colon = choice.indexOf(':');
        return [choice.slice(0, colon), choice.slice(colon + 1)] as const;
      }),
    );
    const category = new Intl.PluralRules(language).select(value);
    const form = forms.get(category) ?? forms.get('other') ?? '';
    return form.replaceAll('#', formatValue(language, value));
  });
}

/** The placeholder names of a template at run time (the twin of `ParamNames`). */
export function placeholderNames(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}
