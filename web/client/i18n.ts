/// <reference lib="dom" />
// The pages' script speaks the page's language: the server puts the catalog (with the operator's
// overrides) in <script type="application/json" id="messages">, and `t` formats its ICU messages.

import { formatMessage, type MessageKey, type MessageValues } from '../i18n/format';

const catalog = (() => {
  try {
    return JSON.parse(document.getElementById('messages')?.textContent ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
})();

/** The page's language, as the server chose it. */
export const language = document.documentElement.lang || 'en';

/** One message of the page's catalog, formatted. */
export function t(key: MessageKey, values?: MessageValues): string {
  return formatMessage(catalog[key] ?? key, language, values);
}

/** A date and time as the reader reads them, in the page's language and the browser's time zone. */
export const dateTime = (at: Date) =>
  new Intl.DateTimeFormat(language, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
