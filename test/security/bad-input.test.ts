import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';

const stack = inject('stack');
const api = httpClient(stack.apiUrl, freshSourceIp());
const id = 'AAAAAAAAAAAAAAAAAAAAAA';

describe('malformed requests', () => {
  it.each([
    ['not JSON', '{"username": '],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['a JSON string', '"alice"'],
    ['a number for the username', { username: 5, password: 'x' }],
    ['a missing password', { username: 'alice' }],
    ['an unknown field', { username: 'alice', password: 'x', admin: true }],
    ['both username and email', { username: 'alice', email: 'a@example.com', password: 'x' }],
    ['an invalid email', { email: 'not-an-email', password: 'x' }],
    ['an empty username', { username: '', password: 'x' }],
  ])('POST /recoveries with %s answers 400 with a JSON error', async (_, body) => {
    const answer = await api.post('/recoveries', body);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'INVALID_REQUEST', message: expect.any(String) });
  });

  it('refuses a body over 4 KB with 413', async () => {
    const answer = await api.post('/recoveries', { username: 'alice', password: 'x'.repeat(5000) });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
  });

  it.each([
    ['too short', 'abc'],
    ['with a bad character', 'AAAAAAAAAAAAAAAAAAAAA$'],
    ['too long', `${id}A`],
  ])('answers a request id %s with 400 on every route', async (_, bad) => {
    const path = `/recoveries/${encodeURIComponent(bad)}`;
    for (const answer of [
      await api.get(path),
      await api.post(`${path}/confirm`, { code: '12345678' }),
      await api.post(`${path}/cancel`, { token: 'x'.repeat(43) }),
    ]) {
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: 'INVALID_REQUEST' });
    }
  });

  it.each([
    ['7 digits', '1234567'],
    ['letters', 'abcdefgh'],
    ['a number instead of a string', 12345678],
  ])('answers a code with %s with 400, without counting an attempt', async (_, code) => {
    const answer = await api.post(`/recoveries/${id}/confirm`, { code });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'INVALID_REQUEST' });
  });

  it('answers 404, not 500, for an asset named like something every object has (found by the fuzzer)', async () => {
    for (const file of ['valueOf', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const answer = await api.get(`/assets/${file}`);
      expect(answer.status).toBe(404);
    }
    expect((await api.get('/assets/styles.css')).status).toBe(200);
  });

  it('answers an unknown request id with 404 on the status route', async () => {
    const answer = await api.get(`/recoveries/${id}`);
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('puts no-store and no-referrer on every answer that names a request', async () => {
    const answer = await api.get(`/recoveries/${id}`);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });
});
