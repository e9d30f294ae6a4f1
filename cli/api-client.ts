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

/** The CliError for a refused call, with the API's reason. */
function refusal(status: number, json: Record<string, unknown>): CliError {
  // The API names each bad field: keep its words, not only "the request is not valid".
  const fields = Array.isArray(json.fields)
    ? (json.fields as { path?: unknown; message?: unknown }[])
        .map((field) => `${String(field.path ?? '?')}: ${String(field.message ?? '')}`)
        .join('; ')
    : '';
  const said = (typeof json.message === 'string' ? `: ${json.message}` : '') + (fields ? ` (${fields})` : '');
  const what = EXPLAINED[status] ?? `the API answered ${status}`;
  return new CliError(`${what} (${status} ${String(json.error ?? '')})${said}`);
}

/**
 * The product's API with the staff token: `call` for JSON answers, `response` for other bodies
 * (exports). A refusal becomes a CliError with the API's reason.
 */
export function apiClient(apiUrl: string, token: string) {
  async function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
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
    if (response.status >= 400) {
      throw refusal(response.status, (await response.json().catch(() => ({}))) as Record<string, unknown>);
    }
    return response;
  }
  return {
    async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
      const response = await send(method, path, body);
      return {
        status: response.status,
        json: (await response.json().catch(() => ({}))) as Record<string, unknown>,
      };
    },
    response: (path: string) => send('GET', path),
  };
}
