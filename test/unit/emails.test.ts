import { describe, expect, it } from 'vitest';
import {
  codeEmail,
  formatTime,
  lockedEmail,
  minutesText,
  signed,
  totpRemovedEmail,
} from '../../functions/domain/emails';
import { requestEndedText, requestStartedText } from '../../functions/domain/texts';

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

  it('carry the product’s name and the support contact, in text and HTML; nothing when none is set', () => {
    const plain = lockedEmail('a@example.com');
    expect(signed(plain, {})).toEqual(plain);
    const email = signed(plain, {
      productName: 'Example App',
      supportUrl: 'https://support.example.com/',
      supportEmail: 'help@example.com',
    });
    expect(email.text).toMatch(
      /Need help\? Contact support: https:\/\/support\.example\.com\/ or help@example\.com\.\n— Example App$/,
    );
    expect(email.html).toContain('<p>— Example App</p></body>');
  });
});

describe('the text messages', () => {
  it('tell the endings the user is told of, signed, never for the endings they caused or that changed nothing', () => {
    const signature = { productName: 'Example App', supportEmail: 'help@example.com' };
    expect(requestEndedText('DENIED', signature)).toBe(
      'Example App: the request to remove your authenticator app was declined. Nothing changed. Help: help@example.com',
    );
    expect(requestEndedText('FAILED', {})).toBe(
      'the request to remove your authenticator app could not be completed. Nothing changed.',
    );
    for (const outcome of ['CANCELLED', 'EXPIRED', 'IGNORED'] as const) {
      expect(requestEndedText(outcome, signature), outcome).toBeUndefined();
    }
    expect(requestStartedText('https://x/recover/r/cancel#token=t', signature)).toMatch(
      /^Example App: someone asked .* cancel now: https:\/\/x\/recover\/r\/cancel#token=t$/,
    );
  });
});
