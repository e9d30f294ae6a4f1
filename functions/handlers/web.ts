import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { appScript, styleSheet } from '../../web/dist/assets';
import {
  auditPage,
  cancelPage,
  confirmPage,
  enrolmentPage,
  notFoundPage,
  requestPage,
  supportPage,
} from '../../web/pages';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { loadConfig } from '../shared/config';

const config = loadConfig([
  'mailboxUrl',
  'staffClientId',
  'enrollClientId',
  'productName',
  'appSignInUrl',
  'supportUrl',
  'supportContactEmail',
]);
const options = {
  ...(config.mailboxUrl ? { mailboxUrl: config.mailboxUrl } : {}),
  ...(config.supportUrl ? { supportUrl: config.supportUrl } : {}),
  ...(config.supportContactEmail ? { supportEmail: config.supportContactEmail } : {}),
};
// Staff sign in straight against Cognito from the console page: the only other origin any page may call.
const cognitoUrl = config.endpoints.cognito ?? `https://cognito-idp.${config.region}.amazonaws.com/`;
const assets: Record<string, { type: string; body: string }> = {
  'app.js': { type: 'text/javascript; charset=utf-8', body: appScript },
  'styles.css': { type: 'text/css; charset=utf-8', body: styleSheet },
};

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
});

const page = (statusCode: number, body: string, connect?: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: pageHeaders(connect),
  body,
});

/** GET /, /recover/{requestId}, /recover/{requestId}/cancel, /support, /audit and /assets/{file}. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const requestId = event.pathParameters?.requestId ?? '';
  const validId = REQUEST_ID_PATTERN.test(requestId);
  switch (event.routeKey) {
    case 'GET /':
      return page(200, requestPage(options));
    case 'GET /recover/{requestId}':
      return validId ? page(200, confirmPage(requestId, options)) : page(404, notFoundPage(options));
    case 'GET /recover/{requestId}/cancel':
      return validId ? page(200, cancelPage(requestId, options)) : page(404, notFoundPage(options));
    case 'GET /support':
      return page(
        200,
        supportPage({ ...options, cognitoUrl, clientId: config.staffClientId }),
        `'self' ${new URL(cognitoUrl).origin}`,
      );
    case 'GET /audit':
      return page(
        200,
        auditPage({ ...options, cognitoUrl, clientId: config.staffClientId }),
        `'self' ${new URL(cognitoUrl).origin}`,
      );
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
        `'self' ${new URL(cognitoUrl).origin}`,
      );
    case 'GET /assets/{file}': {
      const asset = assets[event.pathParameters?.file ?? ''];
      if (!asset) return page(404, notFoundPage(options));
      return {
        statusCode: 200,
        headers: {
          'content-type': asset.type,
          'x-content-type-options': 'nosniff',
          'cache-control': 'public, max-age=300',
        },
        body: asset.body,
      };
    }
    default:
      return page(404, notFoundPage(options));
  }
}
