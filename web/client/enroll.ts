/// <reference lib="dom" />
// The re-enrolment page (/enroll) and the recovery-codes page (/recovery-codes): the user signs in
// against Cognito from the page, with the product's public client, sets up a new authenticator
// (QR code drawn here, nothing fetched from anyone else), then saves a new set of recovery codes.

import { encode } from 'uqr';
import { CognitoError, claimsOf, cognitoCaller } from './cognito';
import { dateTime, t } from './i18n';

type Json = Record<string, unknown>;

const SVG = 'http://www.w3.org/2000/svg';

/** The otpauth:// URI authenticator apps read from the QR code (Key Uri Format). */
export function otpauthUri(issuer: string, account: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${query.toString()}`;
}

/** The QR code as an SVG element: one path of dark modules, no style attribute (the CSP allows none). */
function qrSvg(text: string, label: string): SVGSVGElement {
  const { size, data } = encode(text, { ecc: 'M', border: 4 });
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#ffffff');
  const path = document.createElementNS(SVG, 'path');
  let d = '';
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000000');
  svg.append(background, path);
  return svg;
}

/** The secret in groups of four, as people type it into an app by hand. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

export function enrolment(main: HTMLElement): void {
  const cognito = cognitoCaller(main.dataset.cognitoUrl ?? '');
  const clientId = main.dataset.clientId ?? '';
  // The name the authenticator app shows: the operator's product name, or this site's host name.
  const issuer = main.dataset.issuer || window.location.hostname;
  const mode = main.dataset.mode ?? 'enroll';
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const state = byId<HTMLElement>('enroll-state');
  const signInForm = byId<HTMLFormElement>('enroll-sign-in-form');
  const username = byId<HTMLInputElement>('enroll-username');
  const password = byId<HTMLInputElement>('enroll-password');
  const codeField = byId<HTMLElement>('enroll-code-field');
  const signInCode = byId<HTMLInputElement>('enroll-code');
  const signInError = byId<HTMLElement>('enroll-sign-in-error');
  const setup = byId<HTMLElement>('setup');
  const verifyForm = byId<HTMLFormElement>('verify-form');
  const totpCode = byId<HTMLInputElement>('totp-code');
  const verifyError = byId<HTMLElement>('verify-error');
  const codesSection = byId<HTMLElement>('codes');
  let session = '';
  let accessToken = '';
  let secret = '';

  const say = (element: HTMLElement, message: string | undefined) => {
    element.textContent = message ?? '';
    element.hidden = !message;
  };
  const status = (message: string) => {
    state.textContent = message;
  };

  /** Shows the QR code and the key for the secret Cognito associated. */
  function showSetup(account: string) {
    byId<HTMLElement>('enroll-sign-in').hidden = true;
    const qr = byId<HTMLElement>('qr');
    qr.replaceChildren(qrSvg(otpauthUri(issuer, account, secret), t('enroll.qrLabel')));
    byId<HTMLElement>('secret').textContent = grouped(secret);
    setup.hidden = false;
    status(t('enroll.status.scan'));
    totpCode.focus();
  }

  function showCodes(message: string) {
    byId<HTMLElement>('enroll-sign-in').hidden = true;
    setup.hidden = true;
    codesSection.hidden = false;
    status(message);
    byId<HTMLButtonElement>('make-codes').focus();
  }

  async function afterSignIn(result: Json, account: string) {
    const tokens = result.AuthenticationResult as Json | undefined;
    if (tokens?.AccessToken) {
      accessToken = String(tokens.AccessToken);
      const mfa = await cognito('GetUser', { AccessToken: accessToken });
      const enrolled = ((mfa.UserMFASettingList as string[] | undefined) ?? []).includes(
        'SOFTWARE_TOKEN_MFA',
      );
      if (enrolled || mode === 'codes') {
        return showCodes(t(enrolled ? 'enroll.status.enrolled' : 'enroll.status.setUpFirst'));
      }
      // An MFA-optional pool signs the user in with the password alone: associate with the token.
      const association = await cognito('AssociateSoftwareToken', { AccessToken: accessToken });
      secret = String(association.SecretCode ?? '');
      return showSetup(account);
    }
    if (result.ChallengeName === 'MFA_SETUP') {
      const association = await cognito('AssociateSoftwareToken', { Session: String(result.Session ?? '') });
      session = String(association.Session ?? '');
      secret = String(association.SecretCode ?? '');
      return showSetup(account);
    }
    if (result.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
      session = String(result.Session ?? '');
      codeField.hidden = false;
      say(signInError, t('enroll.error.hasAuthenticator'));
      signInCode.focus();
      return;
    }
    say(signInError, t('enroll.error.cannotFinish'));
  }

  signInForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    say(signInError, undefined);
    const account = username.value.trim();
    const button = signInForm.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    try {
      if (session && !codeField.hidden) {
        const answered = await cognito('RespondToAuthChallenge', {
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: { USERNAME: account, SOFTWARE_TOKEN_MFA_CODE: signInCode.value.trim() },
        });
        session = '';
        return await afterSignIn(answered, account);
      }
      if (!account || !password.value) return say(signInError, t('enroll.error.missing'));
      const result = await cognito('InitiateAuth', {
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: account, PASSWORD: password.value },
      });
      password.value = '';
      await afterSignIn(result, account);
    } catch (failure) {
      const name = failure instanceof CognitoError ? failure.message : '';
      say(
        signInError,
        t(
          name === 'NotAuthorizedException' || name === 'UserNotFoundException'
            ? 'enroll.error.wrong'
            : name === 'CodeMismatchException'
              ? 'enroll.error.code'
              : 'enroll.error.unavailable',
        ),
      );
      if (name === 'CodeMismatchException') {
        session = '';
        codeField.hidden = true;
      }
    } finally {
      button.disabled = false;
    }
  });

  verifyForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const digits = totpCode.value.replace(/\s/g, '');
    if (!/^\d{6}$/.test(digits)) {
      say(verifyError, t('enroll.error.sixDigits'));
      return totpCode.focus();
    }
    say(verifyError, undefined);
    const button = verifyForm.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    try {
      if (accessToken) {
        await cognito('VerifySoftwareToken', {
          AccessToken: accessToken,
          UserCode: digits,
          FriendlyDeviceName: 'Authenticator',
        });
        await cognito('SetUserMFAPreference', {
          AccessToken: accessToken,
          SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
        });
      } else {
        const verified = await cognito('VerifySoftwareToken', {
          Session: session,
          UserCode: digits,
          FriendlyDeviceName: 'Authenticator',
        });
        const done = await cognito('RespondToAuthChallenge', {
          ClientId: clientId,
          ChallengeName: 'MFA_SETUP',
          Session: String(verified.Session ?? ''),
          ChallengeResponses: { USERNAME: username.value.trim() },
        });
        accessToken = String((done.AuthenticationResult as Json | undefined)?.AccessToken ?? '');
      }
      secret = '';
      // Every channel of the account hears of the new authenticator; the page does not wait on it.
      void fetch('/authenticator-notices', {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}` },
      }).catch(() => undefined);
      showCodes(t('enroll.status.done'));
    } catch (failure) {
      const name = failure instanceof CognitoError ? failure.message : '';
      say(
        verifyError,
        t(
          name === 'CodeMismatchException' || name === 'EnableSoftwareTokenMFAException'
            ? 'enroll.error.totpWrong'
            : 'enroll.error.startOver',
        ),
      );
      totpCode.select();
    } finally {
      button.disabled = false;
    }
  });

  byId<HTMLButtonElement>('make-codes').addEventListener('click', async () => {
    const button = byId<HTMLButtonElement>('make-codes');
    button.disabled = true;
    try {
      const response = await fetch('/recovery-codes', {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const json = (await response.json().catch(() => ({}))) as Json;
      if (response.status !== 201) {
        status(t(response.status === 401 ? 'enroll.error.tooOld' : 'enroll.error.codesUnavailable'));
        return;
      }
      const codes = (json.codes as string[] | undefined) ?? [];
      const list = byId<HTMLOListElement>('code-list');
      list.replaceChildren(
        ...codes.map((code) => {
          const item = document.createElement('li');
          item.textContent = code;
          return item;
        }),
      );
      byId<HTMLElement>('code-set').hidden = false;
      // Asking again would replace the set just shown: the button goes once the codes are on screen.
      button.hidden = true;
      const account = String(claimsOf(accessToken).username ?? username.value.trim());
      const text = [
        t('enroll.file.title', { account, issuer, date: dateTime(new Date()) }),
        t('enroll.file.keep'),
        '',
        ...codes,
        '',
      ].join('\n');
      const download = byId<HTMLAnchorElement>('download-codes');
      download.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      download.download = 'recovery-codes.txt';
      status(t('enroll.status.saveNow'));
    } finally {
      button.disabled = false;
    }
  });
  byId<HTMLButtonElement>('print-codes').addEventListener('click', () => window.print());
}
