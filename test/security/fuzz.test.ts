import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, type HttpAnswer, httpClient } from '../support/http-client';
import { staffToken } from '../support/staff';

// Property-based fuzzing of every public route. CI runs FUZZ_RUNS (default 40) cases per property;
// `FUZZ_RUNS=1000 npx vitest run --project e2e test/security/fuzz.test.ts` (or `npm run bench -- --fuzz`)
// runs more. A failure prints the seed and the shrunk input to replay it.
const stack = inject('stack');
const runs = Number(process.env.FUZZ_RUNS ?? 40);
const settings = { numRuns: runs, endOnFailure: true };
const ERROR_CODE = /^[A-Z][A-Z_]+$/;

/** Any JSON value, with strings that favour the characters parsers and templates trip on. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    `\${7*7}`,
    '\u0000',
    '../../etc/passwd',
    '%00',
    '\ud800',
    'a'.repeat(300),
  ),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        nastyString,
        fc.constantFrom(
          'username',
          'email',
          'password',
          'lostPassword',
          'code',
          'token',
          'reason',
          '__proto__',
          'constructor',
        ),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;
const body = fc.oneof(
  jsonValue.map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const pathSegment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{22}$/),
  nastyString.filter((s) => s.length > 0).map((s) => encodeURIComponent(s.toWellFormed())),
);
const query = fc
  .dictionary(fc.constantFrom('status', 'limit', 'cursor', 'x', 'username'), nastyString, { maxKeys: 3 })
  .map((entries) =>
    new URLSearchParams(Object.entries(entries).map(([k, v]) => [k, v.toWellFormed()])).toString(),
  );

// API Gateway's JWT authorizer answers a missing or bad token itself, with this body and no way to
// change it (HTTP APIs have no gateway responses); the local host answers the same.
const AUTHORIZER_REFUSAL = { message: 'Unauthorized' };
// The same for a path no route matches (an id of "." or ".." is resolved away by the client).
const NO_ROUTE = { message: 'Not Found' };

function expectJsonAnswer(answer: HttpAnswer, staffRoute = false) {
  expect(answer.status).toBeLessThan(500);
  expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
  if (staffRoute && answer.status === 401) return expect(answer.json).toEqual(AUTHORIZER_REFUSAL);
  if (answer.status === 404 && (answer.json as { error?: unknown }).error === undefined) {
    return expect(answer.json).toEqual(NO_ROUTE);
  }
  if (answer.status >= 400) expect((answer.json as { error?: unknown }).error).toMatch(ERROR_CODE);
}

describe('fuzzing the public routes', () => {
  it('the support API behind a valid token: any body, id, query and cursor -> never 5xx, JSON errors', async () => {
    const token = await staffToken(stack, 'sam');
    const auth = { authorization: `Bearer ${token}` };
    await fc.assert(
      fc.asyncProperty(
        body,
        pathSegment,
        query,
        fc.constantFrom('approve', 'deny'),
        async (payload, id, search, verb) => {
          const api = httpClient(stack.apiUrl, freshSourceIp());
          expectJsonAnswer(await api.post(`/support/approvals/${id}/${verb}`, payload, auth));
          expectJsonAnswer(await api.get(`/support/approvals?${search}`, auth));
        },
      ),
      settings,
    );
  });

  it.each([
    'POST /recoveries',
    'POST /recoveries/{id}/confirm',
    'POST /recoveries/{id}/cancel',
    'POST /support/approvals/{id}/approve',
    'POST /support/approvals/{id}/deny',
  ])('%s: any body and id -> never 5xx, always JSON, errors with a stable code', async (route) => {
    await fc.assert(
      fc.asyncProperty(body, pathSegment, async (payload, id) => {
        const api = httpClient(stack.apiUrl, freshSourceIp());
        const path = route.split(' ')[1]?.replace('{id}', id) ?? '/';
        expectJsonAnswer(await api.post(path, payload), path.startsWith('/support/'));
      }),
      settings,
    );
  });

  it('GET /recoveries/{id} and GET /support/approvals: any id, query and token -> never 5xx, JSON errors', async () => {
    await fc.assert(
      fc.asyncProperty(pathSegment, query, fc.option(nastyString), async (id, search, token) => {
        const api = httpClient(stack.apiUrl, freshSourceIp());
        expectJsonAnswer(await api.get(`/recoveries/${id}?${search}`));
        const headers: Record<string, string> =
          token === null ? {} : { authorization: `Bearer ${token.replace(/[^\x20-\x7e]/g, '')}` };
        const support = await api.get(`/support/approvals?${search}`, headers);
        expectJsonAnswer(support, true);
        expect(support.status).toBe(401);
      }),
      settings,
    );
  });

  it('the pages: any path and query -> never 5xx, and never the input back unescaped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/recover/', '/recover/{id}/cancel', '/assets/', '/', '/support'),
        nastyString,
        query,
        async (prefix, raw, search) => {
          const api = httpClient(stack.apiUrl, freshSourceIp());
          const segment = encodeURIComponent(raw.toWellFormed());
          const path = prefix.includes('{id}') ? prefix.replace('{id}', segment) : `${prefix}${segment}`;
          const answer = await api.get(`${path}?${search}`);
          expect(answer.status).toBeLessThan(500);
          if (/[<>"']/.test(raw) && raw.length > 3) expect(answer.text).not.toContain(raw);
          if (String(answer.headers['content-type']).startsWith('text/html')) {
            expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
          }
        },
      ),
      settings,
    );
  });
});
