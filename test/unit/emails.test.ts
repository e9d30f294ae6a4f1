import { describe, expect, it } from 'vitest';
import {
  codeEmail,
  createVoices,
  formatTime,
  lockedEmail,
  minutesText,
  supportLine,
  totpRemovedEmail,
} from '../../functions/domain/emails';
import { requestEndedText, requestStartedText } from '../../functions/domain/texts';
import { CATALOGS } from '../../web/i18n';

const at = new Date('2026-12-07T15:50:00.000Z');

describe('the emails', () => {
  it('give times in the reader’s time zone and locale when known, in UTC otherwise, always naming the zone', () => {
    expect(formatTime(at)).toBe('7 December 2026 at 15:50 UTC');
    expect(formatTime(at, { timeZone: 'America/New_York', locale: 'en-US' })).toBe(
      'December 7, 2026 at 10:50 AM EST',
    );
    expect(formatTime(at, { timeZone: 'Europe/Berlin', locale: 'de_DE' })).toMatch(
      /^7\. Dezember 2026 um 16:50 MEZ$/,
    );
    // A malformed attribute never breaks the email: it falls back.
    expect(formatTime(at, { timeZone: 'Mars/Olympus', locale: '!!' })).toBe('7 December 2026 at 15:50 UTC');
  });

  it('use plural rules, and never say "1 minutes"', () => {
    expect(minutesText(1)).toBe('1 minute');
    expect(minutesText(10)).toBe('10 minutes');
    const email = codeEmail({
      to: 'a@example.com',
      code: '12345678',
      expiresAt: new Date(Date.now() + 60_000),
      confirmUrl: 'https://x/recover/r',
      cancelUrl: 'https://x/recover/r/cancel#token=t',
    });
    expect(email.text).toContain('expires in 1 minute (');
    expect(email.text).not.toContain('1 minutes');
  });

  it('link the completion email to the re-enrolment page', () => {
    const email = totpRemovedEmail('a@example.com', { enrollUrl: 'https://x/enroll' });
    expect(email.text).toContain('Set up your new authenticator: https://x/enroll');
    expect(email.html).toContain('href="https://x/enroll"');
  });

  it('carry the product’s name, the support contact and the logo, in text and HTML; nothing when none is set', () => {
    const plain = lockedEmail('a@example.com');
    expect(plain.text).not.toContain('Need help');
    expect(plain.html).not.toContain('<img');
    const voice = createVoices({
      signature: {
        productName: 'Example App',
        supportUrl: 'https://support.example.com/',
        supportEmail: 'help@example.com',
        logoUrl: 'https://id.example.com/assets/logo.svg',
      },
    })();
    const email = lockedEmail('a@example.com', {}, voice);
    expect(email.text).toMatch(
      /Need help\? Contact support: https:\/\/support\.example\.com\/ or help@example\.com\.\n— Example App$/,
    );
    expect(email.html).toContain('<p>— Example App</p></body>');
    expect(email.html).toContain('<img src="https://id.example.com/assets/logo.svg" alt="Example App"');
  });

  it('speak the account’s language (Cognito `locale`), else the operator’s default, with its plural rules and dates', () => {
    const voices = createVoices({ defaultLanguage: 'de', signature: { supportEmail: 'help@example.com' } });
    const input = {
      to: 'a@example.com',
      code: '12345678',
      expiresAt: new Date(Date.now() + 60_000),
      confirmUrl: 'https://x/recover/r',
      cancelUrl: 'https://x/recover/r/cancel#token=t',
    };
    const french = codeEmail(input, voices('fr_FR'));
    expect(french.subject).toBe(CATALOGS.fr['email.code.subject']);
    expect(french.html).toContain('<html lang="fr">');
    expect(french.text).toContain('1234 5678');
    expect(french.text).toContain(minutesText(1, voices('fr')));
    expect(french.text).toContain(supportLine(voices('fr')) as string);
    expect(supportLine(voices('fr'))).not.toBe(supportLine(voices('en')));
    const german = codeEmail(input, voices(undefined));
    expect(german.subject).toBe(CATALOGS.de['email.code.subject']);
    expect(german.html).toContain('<html lang="de">');
    // A locale the catalogs lack falls back to the default language, never to nothing.
    expect(codeEmail(input, voices('xx-YY')).subject).toBe(CATALOGS.de['email.code.subject']);
    expect(formatTime(at, {}, 'fr')).toMatch(/^7 décembre 2026 (à )?15:50 UTC$/);
  });

  it('apply the operator’s overrides to the language they name only', () => {
    const voices = createVoices({
      overrides: { en: { 'email.locked.subject': 'Your Example App recovery was locked' } },
    });
    expect(lockedEmail('a@example.com', {}, voices('en')).subject).toBe(
      'Your Example App recovery was locked',
    );
    expect(lockedEmail('a@example.com', {}, voices('fr')).subject).toBe(CATALOGS.fr['email.locked.subject']);
  });
});

describe('the text messages', () => {
  it('tell the endings the user is told of, signed, never for the endings they caused or that changed nothing', () => {
    const voice = createVoices({
      signature: { productName: 'Example App', supportEmail: 'help@example.com' },
    })();
    expect(requestEndedText('DENIED', voice)).toBe(
      'Example App: The request to remove your authenticator app was declined. Nothing changed. Help: help@example.com',
    );
    expect(requestEndedText('FAILED', createVoices()())).toBe(
      'The request to remove your authenticator app could not be completed. Nothing changed.',
    );
    for (const outcome of ['CANCELLED', 'EXPIRED', 'IGNORED'] as const) {
      expect(requestEndedText(outcome, voice), outcome).toBeUndefined();
    }
    expect(requestStartedText('https://x/recover/r/cancel#token=t', voice)).toMatch(
      /^Example App: Someone asked .* cancel now: https:\/\/x\/recover\/r\/cancel#token=t$/,
    );
    const japanese = createVoices({ signature: { productName: 'Example App' } })('ja-JP');
    expect(requestStartedText('https://x/c', japanese)).toContain(
      String(CATALOGS.ja['sms.started']).replace('{url}', 'https://x/c'),
    );
  });
});
