/// <reference lib="dom" />
// Staff sign-in shared by the support console and the audit viewer: USER_PASSWORD_AUTH against the
// pool, then the TOTP challenge. The access token lives in page memory only: a reload signs out.

import { claimsOf, cognitoCaller } from './cognito';
import { t } from './i18n';

type Json = Record<string, unknown>;

export interface StaffSession {
  /** Calls the product's API with the token; a 401 signs the person out. */
  api(
    method: 'GET' | 'POST',
    path: string,
    body?: Json,
  ): Promise<{ status: number; json: Json; response: Response }>;
  token(): string;
  signOut(message?: string): void;
}

/** Wires the sign-in form (`#sign-in-form` and its fields) and the sign-out button of a staff page. */
export function staffSession(
  main: HTMLElement,
  onSignedIn: (username: string) => void,
  onSignedOut: () => void,
): StaffSession {
  const cognitoUrl = main.dataset.cognitoUrl ?? '';
  const clientId = main.dataset.clientId ?? '';
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const section = byId<HTMLElement>('sign-in');
  const form = byId<HTMLFormElement>('sign-in-form');
  const username = byId<HTMLInputElement>('staff-username');
  const password = byId<HTMLInputElement>('staff-password');
  const codeField = byId<HTMLElement>('staff-code-field');
  const code = byId<HTMLInputElement>('staff-code');
  const error = byId<HTMLElement>('sign-in-error');
  let token = '';
  let session = '';

  const cognito = cognitoCaller(cognitoUrl);

  const showError = (message: string | undefined) => {
    error.textContent = message ?? '';
    error.hidden = !message;
  };

  function signedIn(result: Json) {
    token = String((result.AuthenticationResult as Json | undefined)?.AccessToken ?? '');
    const claims = claimsOf(token);
    password.value = '';
    code.value = '';
    codeField.hidden = true;
    session = '';
    section.hidden = true;
    onSignedIn(String(claims.username ?? ''));
  }

  function signOut(message?: string) {
    token = '';
    onSignedOut();
    section.hidden = false;
    showError(message);
    username.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(undefined);
    const button = form.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    try {
      if (session) {
        return signedIn(
          await cognito('RespondToAuthChallenge', {
            ClientId: clientId,
            ChallengeName: 'SOFTWARE_TOKEN_MFA',
            Session: session,
            ChallengeResponses: {
              USERNAME: username.value.trim(),
              SOFTWARE_TOKEN_MFA_CODE: code.value.trim(),
            },
          }),
        );
      }
      if (!username.value.trim() || !password.value) return showError(t('staff.error.missing'));
      const result = await cognito('InitiateAuth', {
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username.value.trim(), PASSWORD: password.value },
      });
      if (result.AuthenticationResult) return signedIn(result);
      if (result.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
        session = String(result.Session ?? '');
        codeField.hidden = false;
        code.focus();
        return;
      }
      showError(t('staff.error.setup'));
    } catch (failure) {
      const name = failure instanceof Error ? failure.message : '';
      if (name === 'CodeMismatchException') {
        session = '';
        codeField.hidden = true;
        return showError(t('staff.error.code'));
      }
      showError(
        t(
          name === 'NotAuthorizedException' || name === 'UserNotFoundException'
            ? 'staff.error.wrong'
            : 'staff.error.unavailable',
        ),
      );
    } finally {
      button.disabled = false;
    }
  });
  byId<HTMLButtonElement>('sign-out').addEventListener('click', () => signOut());

  return {
    token: () => token,
    signOut,
    async api(method, path, body) {
      const response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (response.headers.get('content-type') ?? '').includes('application/json')
        ? ((await response
            .clone()
            .json()
            .catch(() => ({}))) as Json)
        : {};
      if (response.status === 401) signOut(t('staff.sessionEnded'));
      return { status: response.status, json, response };
    },
  };
}
