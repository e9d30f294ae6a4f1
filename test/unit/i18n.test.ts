import { describe, expect, it } from 'vitest';
import {
  CATALOGS,
  LANGUAGES,
  languageOf,
  negotiateLanguage,
  overrideProblems,
  placeholdersOf,
  translator,
} from '../../web/i18n';

const english = CATALOGS.en;

describe('the message catalogs', () => {
  it.each(LANGUAGES.filter((language) => language !== 'en'))(
    '%s has every key of English, no other, each with the same variables',
    (language) => {
      const catalog = CATALOGS[language];
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(english).sort());
      for (const [key, message] of Object.entries(english)) {
        expect(placeholdersOf(String(catalog[key])), `${language} ${key}`).toEqual(placeholdersOf(message));
      }
    },
  );

  it.each(LANGUAGES.filter((language) => language !== 'en'))(
    '%s is translated, not a copy of English',
    (language) => {
      const same = Object.keys(english).filter(
        (key) =>
          CATALOGS[language][key] === english[key as keyof typeof english] &&
          !/^[{—]/.test(String(english[key as keyof typeof english])),
      );
      // A few words stay the same across languages (a product name, "Support"), never a whole catalog.
      expect(same.length, same.join(', ')).toBeLessThan(5);
    },
  );

  it('format plurals and variables by each language’s rules', () => {
    expect(translator('en').t('email.minutes', { minutes: 1 })).toBe('1 minute');
    expect(translator('en').t('email.minutes', { minutes: 2 })).toBe('2 minutes');
    expect(translator('de').t('email.minutes', { minutes: 1 })).toMatch(/^1 Minute$/);
    expect(translator('fr').t('email.minutes', { minutes: 0 })).toMatch(/^0 minute$/);
    expect(translator('ja').t('email.minutes', { minutes: 5 })).toContain('5');
  });
});

describe('choosing a language', () => {
  it('reads Accept-Language with its q-values, and Cognito locales with either separator', () => {
    expect(negotiateLanguage('de-CH,de;q=0.9,en;q=0.8')).toBe('de');
    expect(negotiateLanguage('it, fr;q=0.5, ja;q=0.7')).toBe('ja');
    expect(negotiateLanguage('en;q=0, es')).toBe('es');
    expect(negotiateLanguage('it, pt')).toBeUndefined();
    expect(negotiateLanguage(undefined)).toBeUndefined();
    expect(languageOf('fr_FR')).toBe('fr');
    expect(languageOf('ja-JP')).toBe('ja');
    expect(languageOf('xx')).toBeUndefined();
  });
});

describe('an operator’s message overrides', () => {
  it('replace the message in the language they name', () => {
    const t = translator('de', { de: { 'request.submit': 'Code anfordern' } });
    expect(t.t('request.submit')).toBe('Code anfordern');
    expect(translator('de').t('request.submit')).toBe(CATALOGS.de['request.submit']);
  });

  it('are refused, each problem named, for an unknown language or key, bad ICU, or other variables', () => {
    expect(overrideProblems({ en: { 'request.submit': 'Go' } })).toEqual([]);
    expect(
      overrideProblems({
        it: { 'request.submit': 'Vai' },
        en: {
          'no.such.key': 'x',
          'request.error.tooMany': 'Wait {minutes, plural, one {a minute}',
          'confirm.error.wrong': 'Wrong code, {count} left',
          'request.submit': '',
        },
      }),
    ).toEqual([
      'messages.it: not a language of the catalogs (en, de, fr, es, ja)',
      'messages.en.no.such.key: no such message',
      expect.stringMatching(/^messages\.en\.request\.error\.tooMany: not ICU MessageFormat/),
      'messages.en.confirm.error.wrong: uses {count} but the message takes {left}',
      'messages.en.request.submit: must be a non-empty string',
    ]);
    expect(overrideProblems([])).toHaveLength(1);
  });
});
