import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';

const SECRET = 'x'.repeat(48);

/** The shared HTTP module as a function behind CloudFront loads it (ORIGIN_VERIFY set). */
async function behindCloudFront() {
  vi.resetModules();
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('ORIGIN_VERIFY', SECRET);
  return import('../../functions/shared/http');
}

const event = (headers: Record<string, string>) =>
  ({
    headers,
    routeKey: 'POST /recoveries',
    requestContext: { requestId: 'r', http: { sourceIp: '130.176.0.1', userAgent: 'Amazon CloudFront' } },
  }) as unknown as APIGatewayProxyEventV2;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('behind the product’s CloudFront', () => {
  it('refuses a request that did not pass the WAF (no or a wrong origin secret) with 403, before the handler runs', async () => {
    const { httpHandler, jsonResponse } = await behindCloudFront();
    let ran = 0;
    const handler = httpHandler(async () => {
      ran += 1;
      return jsonResponse(200, {});
    });
    expect((await handler(event({}))).statusCode).toBe(403);
    expect((await handler(event({ 'x-origin-verify': `${SECRET.slice(1)}y` }))).statusCode).toBe(403);
    expect(ran).toBe(0);
    expect((await handler(event({ 'x-origin-verify': SECRET }))).statusCode).toBe(200);
    expect(ran).toBe(1);
  });

  it('takes the client’s address from CloudFront-Viewer-Address, IPv4 and IPv6, and only with the secret', async () => {
    const { clientOf } = await behindCloudFront();
    const through = { 'x-origin-verify': SECRET };
    expect(clientOf(event({ ...through, 'cloudfront-viewer-address': '203.0.113.7:46532' })).sourceIp).toBe(
      '203.0.113.7',
    );
    expect(clientOf(event({ ...through, 'cloudfront-viewer-address': '2001:db8::1:46532' })).sourceIp).toBe(
      '2001:db8::1',
    );
    expect(clientOf(event({ 'cloudfront-viewer-address': '203.0.113.7:1' })).sourceIp).toBe('203.0.113.7');
  });

  it('without CloudFront, keeps API Gateway’s source IP and never trusts a viewer-address header', async () => {
    vi.resetModules();
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('ORIGIN_VERIFY', undefined);
    const { clientOf, cameThroughEdge } = await import('../../functions/shared/http');
    const spoofed = event({ 'cloudfront-viewer-address': '203.0.113.7:1' });
    expect(cameThroughEdge(spoofed)).toBe(true);
    expect(clientOf(spoofed).sourceIp).toBe('130.176.0.1');
  });
});
