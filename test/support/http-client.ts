import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
}

/**
 * A tiny HTTP client that can send from any loopback address (127.0.0.0/8), so each test acts as
 * its own client IP and per-IP rate limits do not leak between tests.
 */
export function httpClient(baseUrl: string, sourceIp = '127.0.0.1') {
  const send = (method: string, path: string, body?: string | object, headers: Record<string, string> = {}) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const url = new URL(path, baseUrl);
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        url,
        {
          method,
          localAddress: sourceIp,
          headers: {
            ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
            'user-agent': 'e2e-test',
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  return {
    get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
    post: (path: string, body?: string | object, headers?: Record<string, string>) =>
      send('POST', path, body, headers),
  };
}

let nextAddress = 2 + Math.floor(Math.random() * 200);
/** A loopback address no other test in this run uses. */
export function freshSourceIp(): string {
  nextAddress += 1;
  return `127.${(process.pid % 200) + 1}.${Math.floor(nextAddress / 250) % 250}.${(nextAddress % 250) + 2}`;
}
