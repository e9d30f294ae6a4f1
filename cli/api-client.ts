import { CliError } from './errors';

/** What the API said, with the reason a person should read when it refused. */
export interface ApiAnswer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

const EXPLAINED: Record<number, string> = {
  401: 'not signed in (the token was missing, invalid or expired)',
  403: 'not allowed',
  404: 'no such request',
  409: 'someone decided this request already',
};

/** Calls the product's API with the staff token; a refusal becomes a CliError with the API's reason. */
export function apiClient(apiUrl: string, token: string) {
  return async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new CliError(`cannot reach ${apiUrl}: is the stack running?`);
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status >= 400) {
      const said = typeof json.message === 'string' ? `: ${json.message}` : '';
      const what = EXPLAINED[response.status] ?? `the API answered ${response.status}`;
      throw new CliError(`${what} (${response.status} ${String(json.error ?? '')})${said}`);
    }
    return { status: response.status, json };
  };
}
