import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { appScript, styleSheet } from '../../web/dist/assets';
import { cancelPage, confirmPage, notFoundPage, requestPage } from '../../web/pages';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { loadConfig } from '../shared/config';

const config = loadConfig(['mailboxUrl']);
const options = config.mailboxUrl ? { mailboxUrl: config.mailboxUrl } : {};
const assets: Record<string, { type: string; body: string }> = {
  'app.js': {
    type: 'text/javascript; charset=utf-8',
    body: appScript,
  },
  'styles.css': {
    type: 'text/css; charset=utf-8',
    body: styleSheet,
  },
};

// Same origin only, no inline code, no third party: the pages work with nothing else allowed.
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

const page = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: PAGE_HEADERS,
  body,
});

/** GET /, /recover/{requestId}, /recover/{requestId}/cancel and /assets/{file}. */
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
