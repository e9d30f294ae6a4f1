import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { appScript, styleSheet } from '../../web/dist/assets';
import { type Language, languageOf, negotiateLanguage, translator } from '../../web/i18n';
import {
  auditPage,
  cancelPage,
  confirmPage,
  enrolmentPage,
  notFoundPage,
  type PageOptions,
  requestPage,
  supportPage,
} from '../../web/pages';
import { brandStyleSheet, DEFAULT_COLOURS } from '../domain/brand';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { loadConfig } from '../shared/config';
import { perEnvironment } from '../shared/environment';
import { cameThroughEdge } from '../shared/http';

type Asset = { type: string; body: string; base64?: boolean; maxAge?: number };

/** What the pages are built from: the operator's configuration, read once per environment. */
const site = perEnvironment(() => {
  const config = loadConfig([
    'mailboxUrl',
    'staffClientId',
    'enrollClientId',
    'productName',
    'appSignInUrl',
    'supportUrl',
    'supportContactEmail',
    'defaultLanguage',
    'messageOverrides',
    'brandColours',
    'brandLogoFile',
  ]);

  // The logo is read once per environment (at cold start in AWS): in AWS it sits in the function's bundle (infra copies it there).
  const logo = config.brandLogoFile
    ? config.brandLogoFile.toLowerCase().endsWith('.png')
      ? {
          name: 'logo.png',
          type: 'image/png',
          body: readFileSync(config.brandLogoFile).toString('base64'),
          base64: true,
        }
      : {
          name: 'logo.svg',
          type: 'image/svg+xml',
          body: readFileSync(config.brandLogoFile, 'utf8'),
          base64: false,
        }
    : undefined;

  const brand = {
    ...(config.productName ? { productName: config.productName } : {}),
    ...(logo ? { logoUrl: `/assets/${logo.name}` } : {}),
  };
  const shared = {
    brand,
    ...(config.mailboxUrl ? { mailboxUrl: config.mailboxUrl } : {}),
    ...(config.supportUrl ? { supportUrl: config.supportUrl } : {}),
    ...(config.supportContactEmail ? { supportEmail: config.supportContactEmail } : {}),
  };
  // Staff sign in straight against Cognito from the console page: the only other origin any page may call.
  const cognitoUrl = config.endpoints.cognito ?? `https://cognito-idp.${config.region}.amazonaws.com/`;

  /** A shield in the brand's primary colour: every page's icon, so no browser asks for a missing favicon. */
  const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="${
    config.brandColours.primary ?? DEFAULT_COLOURS.primary
  }" d="M16 2 4 6v9c0 7.4 5.1 13.4 12 15 6.9-1.6 12-7.6 12-15V6z"/><path fill="#fff" d="M14.5 20.5 9.8 15.8l2.1-2.1 2.6 2.6 5.6-5.6 2.1 2.1z"/></svg>`;

  // A Map, not an object: a file named `valueOf` or `__proto__` must find nothing, not Object's own.
  const assets = new Map<string, Asset>([
    ['app.js', { type: 'text/javascript; charset=utf-8', body: appScript }],
    ['styles.css', { type: 'text/css; charset=utf-8', body: styleSheet }],
    ['brand.css', { type: 'text/css; charset=utf-8', body: brandStyleSheet(config.brandColours) }],
    ['favicon.svg', { type: 'image/svg+xml', body: favicon, maxAge: 86_400 }],
    ...(logo
      ? [[logo.name, { type: logo.type, body: logo.body, base64: logo.base64, maxAge: 86_400 }] as const]
      : []),
  ]);
  return { config, shared, cognitoUrl, assets };
});

// No inline code, no third party: the pages work with nothing else allowed.
const contentSecurityPolicy = (connect: string) =>
  `default-src 'none'; script-src 'self'; style-src 'self'; connect-src ${connect}; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

const pageHeaders = (connect = "'self'") => ({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': contentSecurityPolicy(connect),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  vary: 'Accept-Language',
});

const page = (statusCode: number, body: string, connect?: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: pageHeaders(connect),
  body,
});

/** The page's language: `?lang=`, then the browser's `Accept-Language`, then the operator's default. */
const languageOfRequest = (event: APIGatewayProxyEventV2, defaultLanguage: Language): Language =>
  languageOf(event.queryStringParameters?.lang) ??
  negotiateLanguage(event.headers?.['accept-language']) ??
  defaultLanguage;

/** Unknown paths: a page for people, the API's own `{"message":"Not Found"}` for programs. */
function notFound(event: APIGatewayProxyEventV2, options: PageOptions): APIGatewayProxyStructuredResultV2 {
  if ((event.headers?.accept ?? '').includes('text/html')) return page(404, notFoundPage(options));
  return {
    statusCode: 404,
    headers: {
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
    body: JSON.stringify({ message: 'Not Found' }),
  };
}

/** GET /, /recover/{requestId}, /recover/{requestId}/cancel, /support, /audit, /enroll, /recovery-codes, /assets/{file}, and $default. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  if (!cameThroughEdge(event)) {
    return { statusCode: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Forbidden' };
  }
  const { config, shared, cognitoUrl, assets } = site();
  const options: PageOptions = {
    ...shared,
    t: translator(languageOfRequest(event, config.defaultLanguage), config.messageOverrides),
  };
  const requestId = event.pathParameters?.requestId ?? '';
  const validId = REQUEST_ID_PATTERN.test(requestId);
  const staffPage = { ...options, cognitoUrl, clientId: config.staffClientId };
  const withCognito = `'self' ${new URL(cognitoUrl).origin}`;
  switch (event.routeKey) {
    case 'GET /':
      return page(200, requestPage(options));
    case 'GET /recover/{requestId}':
      return validId ? page(200, confirmPage(requestId, options)) : page(404, notFoundPage(options));
    case 'GET /recover/{requestId}/cancel':
      return validId ? page(200, cancelPage(requestId, options)) : page(404, notFoundPage(options));
    case 'GET /support':
      return page(200, supportPage(staffPage), withCognito);
    case 'GET /audit':
      return page(200, auditPage(staffPage), withCognito);
    case 'GET /enroll':
    case 'GET /recovery-codes':
      return page(
        200,
        enrolmentPage(event.routeKey === 'GET /enroll' ? 'enroll' : 'codes', {
          ...options,
          cognitoUrl,
          clientId: config.enrollClientId,
          issuer: config.productName ?? '',
          ...(config.appSignInUrl ? { appSignInUrl: config.appSignInUrl } : {}),
        }),
        withCognito,
      );
    case 'GET /assets/{file}': {
      const asset = assets.get(event.pathParameters?.file ?? '');
      if (!asset) return page(404, notFoundPage(options));
      return {
        statusCode: 200,
        headers: {
          'content-type': asset.type,
          'x-content-type-options': 'nosniff',
          'cache-control': `public, max-age=${asset.maxAge ?? 300}`,
          // An SVG opened on its own runs no script and loads nothing.
          ...(asset.type.startsWith('image/')
            ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }
            : {}),
        },
        body: asset.body,
        isBase64Encoded: asset.base64 ?? false,
      };
    }
    default:
      return notFound(event, options);
  }
}
