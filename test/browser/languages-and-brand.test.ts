import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CATALOGS, LANGUAGES, type Language } from '../../web/i18n';
import { axeViolations, launchBrowser, screenshots } from '../support/browser';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { stackClients } from '../support/stack-clients';
import { createUser } from '../support/users';

const stack = inject('stack');
const repoRoot = join(import.meta.dirname, '..', '..');

// An operator's brand that is not the product's: another name, logo, colours, default language and wording.
const brandDir = mkdtempSync(join(tmpdir(), 'totp-recovery-brand-'));
writeFileSync(
  join(brandDir, 'nordlicht.svg'),
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40"><circle cx="20" cy="20" r="19" fill="#6b2fa0"/><path d="M8 26c6-12 18-12 24 0" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round"/></svg>',
);
const NORDLICHT = {
  productName: 'Nordlicht Konto',
  logo: 'nordlicht.svg',
  primaryColour: '#6b2fa0',
  accentColour: '#8a4b08',
  defaultLanguage: 'de',
  fromName: 'Nordlicht Sicherheit',
  supportContactEmail: 'hilfe@nordlicht.example',
  messages: { de: { 'request.submit': 'Code per E-Mail anfordern' } },
};
writeFileSync(join(brandDir, 'brand.json'), JSON.stringify(NORDLICHT));
const branded = ownStack({ brandFile: join(brandDir, 'brand.json') });

/** The language whose catalog is longest: the one most likely to overflow a small screen. */
const longest = [...LANGUAGES].sort(
  (a, b) => Object.values(CATALOGS[b]).join('').length - Object.values(CATALOGS[a]).join('').length,
)[0] as Language;

const PAGES = [
  '/',
  '/recover/AAAAAAAAAAAAAAAAAAAAAA',
  '/recover/AAAAAAAAAAAAAAAAAAAAAA/cancel',
  '/enroll',
  '/recovery-codes',
  '/support',
  '/audit',
  '/no-such-page',
];

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

describe('the pages speak the reader’s language', () => {
  it('pick ?lang=, then Accept-Language, then the default, and say so in <html lang>', async () => {
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const german = await api.get('/', { accept: 'text/html', 'accept-language': 'de-CH,de;q=0.9,en;q=0.5' });
    expect(german.text).toContain('<html lang="de">');
    expect(german.text).toContain(CATALOGS.de['request.heading']);
    expect(german.headers.vary).toContain('Accept-Language');
    const asked = await api.get('/?lang=ja', { 'accept-language': 'de' });
    expect(asked.text).toContain('<html lang="ja">');
    expect(asked.text).toContain(CATALOGS.ja['request.submit']);
    const unknown = await api.get('/', { 'accept-language': 'it, pt;q=0.8' });
    expect(unknown.text).toContain('<html lang="en">');
    expect(unknown.text).toContain(CATALOGS.en['request.heading']);
  });

  it('send the emails of an account whose Cognito locale is fr in French', async () => {
    const { cognito } = stackClients(stack);
    const user = await createUser(cognito, stack, { locale: 'fr_FR' });
    const api = httpClient(stack.apiUrl, freshSourceIp());
    expect((await api.post('/recoveries', { username: user.username, password: user.password })).status).toBe(
      202,
    );
    const email = await mailbox(stack.endpoints.ses).waitFor(user.email, /./);
    expect(email.subject).toBe(CATALOGS.fr['email.code.subject']);
    expect(email.body.html).toContain('<html lang="fr">');
    expect(email.body.text).toContain(codeFrom(email));
  });

  it(`fit 320 px with no horizontal scroll, axe clean, on every page in the longest language (${longest})`, async () => {
    const small = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await small.newPage();
    for (const path of PAGES) {
      await page.goto(`${stack.apiUrl}${path}${path.includes('?') ? '&' : '?'}lang=${longest}`);
      await page.waitForLoadState('networkidle');
      expect(await page.getAttribute('html', 'lang'), path).toBe(longest);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, path).toBeLessThanOrEqual(0);
      expect(await axeViolations(page), path).toEqual([]);
    }
    await small.close();
  });
});

describe('unknown paths and the icon', () => {
  it('answer a page for people and the API’s JSON for programs, both 404', async () => {
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const person = await api.get('/no/such/page', { accept: 'text/html,*/*', 'accept-language': 'es' });
    expect(person.status).toBe(404);
    expect(String(person.headers['content-type'])).toContain('text/html');
    expect(person.text).toContain('<html lang="es">');
    expect(person.text).toContain(CATALOGS.es['notFound.heading']);
    const program = await api.get('/no/such/route', { accept: 'application/json' });
    expect(program.status).toBe(404);
    expect(program.json).toEqual({ message: 'Not Found' });
    expect((await api.post('/no/such/route', {})).status).toBe(404);
  });

  it('serve the favicon every page links to', async () => {
    const api = httpClient(stack.apiUrl, freshSourceIp());
    expect((await api.get('/')).text).toContain('<link rel="icon" href="/assets/favicon.svg"');
    const icon = await api.get('/assets/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.text).toMatch(/^<svg /);
  });
});

describe('an operator’s brand', () => {
  it('puts the product name and logo on every page, in the brand’s colours and default language', async () => {
    const info = branded.current.info;
    // A reader whose language the catalogs lack gets the operator's default.
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    for (const path of PAGES) {
      await page.goto(`${info.apiUrl}${path}`);
      expect(await page.locator('.brand-name').textContent(), path).toBe(NORDLICHT.productName);
      const logo = await page.locator('img.brand-logo').evaluate((img: HTMLImageElement) => img.naturalWidth);
      expect(logo, `${path}: the logo loads`).toBeGreaterThan(0);
      expect(await page.getAttribute('html', 'lang'), path).toBe('de');
      const primary = await page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--primary').trim(),
      );
      expect(primary, path).toBe(NORDLICHT.primaryColour);
    }
    await page.goto(`${info.apiUrl}/`);
    expect(await page.locator('#request-form button[type=submit]').textContent()).toBe(
      'Code per E-Mail anfordern',
    );
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'brand-nordlicht-form');
    await context.close();
  });

  it('signs every email with the name and the logo, from the brand’s from-name', async () => {
    const info = branded.current.info;
    const { cognito } = stackClients(info);
    const user = await createUser(cognito, info);
    const api = httpClient(info.apiUrl, freshSourceIp());
    const answer = await api.post('/recoveries', { username: user.username, password: user.password });
    const email = await mailbox(info.endpoints.ses).waitFor(user.email, /./);
    expect(email.subject).toBe(CATALOGS.de['email.code.subject']);
    expect(email.from).toBe(`"${NORDLICHT.fromName}" <${info.fromAddress}>`);
    expect(email.body.text).toContain(`— ${NORDLICHT.productName}`);
    expect(email.body.html).toContain(
      `<img src="${info.apiUrl}/assets/logo.svg" alt="${NORDLICHT.productName}"`,
    );
    expect(email.body.text).toContain(NORDLICHT.supportContactEmail);
    const { requestId } = answer.json as { requestId: string };
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${info.apiUrl}/recover/${requestId}`);
    await page.locator('#confirm-form').waitFor();
    await screenshots(page, 'brand-nordlicht-code');
    await context.close();
  });

  it('is refused at start when a colour pair is below WCAG AA, naming the pair', () => {
    const bad = join(brandDir, 'low-contrast.json');
    writeFileSync(bad, JSON.stringify({ primaryColour: '#8ab4f8' }));
    const started = spawnSync(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['local/start.ts'], {
      cwd: repoRoot,
      env: { ...process.env, BRAND_FILE: bad, PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(started.status).toBe(2);
    expect(started.stderr).toMatch(
      /brand file .*low-contrast\.json: brand: primaryColour #8ab4f8 on #ffffff has contrast 2\.\d\d:1; WCAG AA needs 4\.5:1/,
    );
  });
});
