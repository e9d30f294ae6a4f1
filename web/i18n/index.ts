// The message catalogs of every page, email and text: one JSON file per language, ICU MessageFormat
// (plurals, variables) through FormatJS's intl-messageformat. The server side: the pages' script
// imports ./format only, and receives its page's catalog inside the page.

import { IntlMessageFormat } from 'intl-messageformat';
import de from './de.json' with { type: 'json' };
import en from './en.json' with { type: 'json' };
import es from './es.json' with { type: 'json' };
import type { MessageKey, MessageValues } from './format';
import fr from './fr.json' with { type: 'json' };
import ja from './ja.json' with { type: 'json' };

import type { Catalog, Language, MessageOverrides } from './languages';

export { formatMessage, type MessageKey, type MessageValues } from './format';
export {
  type Catalog,
  LANGUAGES,
  type Language,
  languageOf,
  type MessageOverrides,
  negotiateLanguage,
  overrideProblems,
  placeholdersOf,
} from './languages';

export const CATALOGS: Readonly<Record<Language, Catalog>> = { en, de, fr, es, ja };

/** Speaks one language: every message of its catalog, with the operator's overrides applied. */
export interface Translator {
  readonly language: Language;
  t(key: MessageKey, values?: MessageValues): string;
  /** The catalog as shown (overrides applied), for the pages' script. */
  readonly messages: Catalog;
}

const NO_OVERRIDES: MessageOverrides = {};
// By the overrides object itself: a process reads its overrides once (config), so a page or an email
// finds its translator without serialising them again on every request.
const cache = new WeakMap<MessageOverrides, Map<Language, Translator>>();

/** The translator of a language; missing messages (none, by test) fall back to English. */
export function translator(language: Language, overrides: MessageOverrides = NO_OVERRIDES): Translator {
  let byLanguage = cache.get(overrides);
  if (!byLanguage) {
    byLanguage = new Map();
    cache.set(overrides, byLanguage);
  }
  const known = byLanguage.get(language);
  if (known) return known;
  const messages: Catalog = { ...en, ...CATALOGS[language], ...overrides[language] };
  const compiled = new Map<string, IntlMessageFormat>();
  const made: Translator = {
    language,
    messages,
    t(key, values) {
      let format = compiled.get(key);
      if (!format) {
        format = new IntlMessageFormat(messages[key] ?? key, language, undefined, { ignoreTag: true });
        compiled.set(key, format);
      }
      return String(format.format(values));
    },
  };
  byLanguage.set(language, made);
  return made;
}
