// The catalogs' languages and the checks of an operator's overrides: what every function's config
// needs, without the five catalogs themselves (only English, to know the keys and their variables).

import { IntlMessageFormat } from 'intl-messageformat';
import en from './en.json' with { type: 'json' };

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];
export type Catalog = Readonly<Record<string, string>>;
/** An operator's own wording: any message of any catalog, by language and key. */
export type MessageOverrides = Readonly<Partial<Record<Language, Readonly<Record<string, string>>>>>;

const isLanguage = (value: string): value is Language => (LANGUAGES as readonly string[]).includes(value);

/** The catalog language of a BCP 47 tag or a Cognito `locale` (`fr`, `fr-CA`, `fr_FR`), if we have it. */
export function languageOf(tag: string | undefined): Language | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return isLanguage(primary) ? primary : undefined;
}

/** The best catalog language an `Accept-Language` header asks for (q-values honoured), if any. */
export function negotiateLanguage(acceptLanguage: string | undefined): Language | undefined {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { language: languageOf(tag), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.language && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked[0]?.language;
}

/** The names of the variables an ICU message uses (`{code}`, `{left, plural, ...}`), sorted. */
export function placeholdersOf(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: unknown): void => {
    for (const element of elements as { type: number; value?: unknown; options?: unknown }[]) {
      // Types 1 (argument), 2-5 (number, date, time, select), 6 (plural) name a variable.
      if (element.type >= 1 && element.type <= 6 && typeof element.value === 'string')
        names.add(element.value);
      if (element.options && typeof element.options === 'object') {
        for (const option of Object.values(element.options as Record<string, { value: unknown }>)) {
          walk(option.value);
        }
      }
    }
  };
  walk(new IntlMessageFormat(message, 'en', undefined, { ignoreTag: true }).getAst());
  return [...names].sort();
}

/**
 * What is wrong with a set of overrides: an unknown language or key, a message that does not parse,
 * or one that uses other variables than the message it replaces. Empty when all is well.
 */
export function overrideProblems(overrides: unknown): string[] {
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) {
    return ['messages must be an object of languages, each an object of message keys'];
  }
  const problems: string[] = [];
  for (const [language, messages] of Object.entries(overrides)) {
    if (!isLanguage(language)) {
      problems.push(`messages.${language}: not a language of the catalogs (${LANGUAGES.join(', ')})`);
      continue;
    }
    if (!messages || typeof messages !== 'object' || Array.isArray(messages)) {
      problems.push(`messages.${language}: must be an object of message keys`);
      continue;
    }
    for (const [key, message] of Object.entries(messages)) {
      const original = (en as Catalog)[key];
      if (original === undefined) {
        problems.push(`messages.${language}.${key}: no such message`);
        continue;
      }
      if (typeof message !== 'string' || message.trim() === '') {
        problems.push(`messages.${language}.${key}: must be a non-empty string`);
        continue;
      }
      let used: string[];
      try {
        used = placeholdersOf(message);
      } catch (error) {
        problems.push(`messages.${language}.${key}: not ICU MessageFormat (${(error as Error).message})`);
        continue;
      }
      const expected = placeholdersOf(original);
      if (used.join() !== expected.join()) {
        problems.push(
          `messages.${language}.${key}: uses {${used.join('}, {')}} but the message takes {${expected.join('}, {')}}`,
        );
      }
    }
  }
  return problems;
}
