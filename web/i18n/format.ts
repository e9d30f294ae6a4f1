// What the pages' script and the server share to format messages, without the catalogs themselves
// (the script gets only its page's language, inside the page).

import { IntlMessageFormat } from 'intl-messageformat';
import type en from './en.json';

export type MessageKey = keyof typeof en;
export type MessageValues = Readonly<Record<string, string | number>>;

/** Formats one ICU message; a message that fails to format shows its text rather than breaking a page. */
export function formatMessage(message: string, language: string, values?: MessageValues): string {
  try {
    return String(new IntlMessageFormat(message, language, undefined, { ignoreTag: true }).format(values));
  } catch {
    return message;
  }
}
