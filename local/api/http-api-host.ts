import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { close, createServer, listen } from '../net';

/** One route of the product's HTTP API, as API Gateway would route it. */
export interface ApiRoute {
  /** `METHOD /path/{param}` or `METHOD /prefix/{proxy+}`, as an HTTP API route key. */
  readonly routeKey: string;
  /** The local function that serves it. */
  readonly functionName: string;
  /** Verifies a bearer JWT as the HTTP API JWT authorizer does; absent = open route. */
  readonly authorizer?: JwtAuthorizer;
}

/** Resolves with the token's claims, or rejects when it is missing, invalid or expired. */
export type JwtAuthorizer = (token: string) => Promise<Record<string, unknown>>;

export interface ApiHostOptions {
  readonly port?: number;
  readonly routes: readonly ApiRoute[];
  readonly invoke: (functionName: string, event: unknown) => Promise<unknown>;
  /** Routes the host answers itself, before the product's routes (e.g. the local health check). */
  readonly localRoutes?: Readonly<Record<string, (request: IncomingMessage) => Promise<LocalResponse>>>;
  /** The largest request body accepted, as API Gateway's payload limit. @default 1 MiB */
  readonly maxBodyBytes?: number;
}

export interface LocalResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export interface RunningApiHost {
  readonly url: string;
  close(): Promise<void>;
}

interface CompiledRoute extends ApiRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

/**
 * A local stand-in for an API Gateway HTTP API: it turns each request into a payload format 2.0
 * event, invokes the route's function, and maps the result back as API Gateway does.
 */
export async function startApiHost(options: ApiHostOptions): Promise<RunningApiHost> {
  const routes = options.routes.map(compileRoute);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  const server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, json(500, { message: 'Internal Server Error' })));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    const method = (request.method ?? 'GET').toUpperCase();
    const local = options.localRoutes?.[`${method} ${url.pathname}`];
    if (local) return send(response, await local(request));

    const match = findRoute(routes, method, url.pathname);
    if (!match) return send(response, json(404, { message: 'Not Found' }));

    const body = await readBody(request, maxBodyBytes);
    if (body === 'too-large') return send(response, json(413, { message: 'Request Entity Too Large' }));

    let claims: Record<string, unknown> | undefined;
    if (match.route.authorizer) {
      const token = bearerToken(request.headers.authorization);
      if (!token) return send(response, json(401, { message: 'Unauthorized' }));
      try {
        claims = await match.route.authorizer(token);
      } catch {
        return send(response, json(401, { message: 'Unauthorized' }));
      }
    }

    const event = toHttpApiEvent(request, url, match.route.routeKey, match.pathParameters, body, claims);
    let result: unknown;
    try {
      result = await options.invoke(match.route.functionName, event);
    } catch {
      return send(response, json(500, { message: 'Internal Server Error' }));
    }
    return send(response, fromHandlerResult(result));
  }

  const url = await listen(server, options.port ?? 0);
  return { url, close: () => close(server) };
}

function compileRoute(route: ApiRoute): CompiledRoute {
  // API Gateway's catch-all: any request no other route matches.
  if (route.routeKey === '$default') return { ...route, method: 'ANY', pattern: /^/, params: [] };
  const [method, path] = route.routeKey.split(' ');
  if (!method || !path) throw new Error(`route key "${route.routeKey}" must look like "GET /path"`);
  const params: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy?.[1]) {
        params.push(greedy[1]);
        return '(.+)';
      }
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param?.[1]) {
        params.push(param[1]);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), params };
}

/** Literal and parameter routes first, then greedy ones, then `$default`. */
const specificity = (route: CompiledRoute) =>
  route.routeKey === '$default' ? 2 : Number(route.routeKey.includes('+}'));

function findRoute(routes: readonly CompiledRoute[], method: string, path: string) {
  // API Gateway prefers the most specific route: literal routes before greedy ones.
  const candidates = routes
    .filter((route) => route.method === method || route.method === 'ANY')
    .sort((a, b) => specificity(a) - specificity(b));
  for (const route of candidates) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    const pathParameters: Record<string, string> = {};
    route.params.forEach((name, index) => {
      pathParameters[name] = safeDecode(found[index + 1] ?? '');
    });
    return { route, pathParameters };
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

function toHttpApiEvent(
  request: IncomingMessage,
  url: URL,
  routeKey: string,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: Record<string, unknown> | undefined,
) {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const now = new Date();
  const isText = /^(application\/(json|x-www-form-urlencoded)|text\/)/.test(
    headers['content-type'] ?? 'text/',
  );
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(url.searchParams.size > 0 ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: (request.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: normaliseIp(request.socket.remoteAddress),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims: stringifyClaims(claims), scopes: null } } } : {}),
    },
    ...(body.length > 0
      ? { body: isText ? body.toString('utf8') : body.toString('base64'), isBase64Encoded: !isText }
      : { isBase64Encoded: false }),
  };
}

// The HTTP API JWT authorizer hands claims to the function as strings; arrays become "[a b]".
function stringifyClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(claims)) {
    out[key] = Array.isArray(value) ? `[${value.join(' ')}]` : String(value);
  }
  return out;
}

function normaliseIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Maps a handler's return value to a response, with API Gateway's payload 2.0 inference rules. */
function fromHandlerResult(result: unknown): LocalResponse & { cookies?: readonly string[] } {
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: number;
      headers?: Record<string, string | number | boolean>;
      body?: string;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const body = r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64') : (r.body ?? '');
    return { statusCode: r.statusCode, headers, body, ...(r.cookies ? { cookies: r.cookies } : {}) };
  }
  return json(200, result ?? '');
}

function json(statusCode: number, value: unknown): LocalResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: typeof value === 'string' ? value : JSON.stringify(value),
  };
}

function send(response: ServerResponse, result: LocalResponse & { cookies?: readonly string[] }): void {
  if (response.headersSent) return;
  response.statusCode = result.statusCode;
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value);
  if (result.cookies?.length) response.setHeader('set-cookie', [...result.cookies]);
  response.end(result.body);
}

export { json as jsonResponse };
