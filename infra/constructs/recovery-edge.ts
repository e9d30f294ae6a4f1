import { Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface RecoveryEdgeProps {
  readonly httpApi: HttpApi;
  /** The public name and its certificate (ACM in us-east-1, as CloudFront requires). */
  readonly domain?: { readonly domainName: string; readonly certificate: ICertificate };
  /**
   * A web ACL made elsewhere (CLOUDFRONT scope exists in us-east-1 only).
   * @default - one is made here, which needs this stack in us-east-1
   */
  readonly webAclArn?: string;
  /** Requests per client IP per 5 minutes before WAF blocks it. @default 300 */
  readonly rateLimit?: number;
}

/**
 * CloudFront with AWS WAF in front of the HTTP API (an HTTP API cannot take a web ACL itself, and
 * the public form takes passwords). Nothing is cached. CloudFront adds a secret header; the
 * functions refuse requests without it, so nothing bypasses the WAF through the execute-api URL,
 * and trust CloudFront's viewer address for the per-IP limits only with it.
 */
export class RecoveryEdge extends Construct {
  readonly distribution: Distribution;
  /** The value the functions expect in `x-origin-verify` (a CloudFormation dynamic reference). */
  readonly originVerify: string;
  readonly url: string;

  constructor(scope: Construct, id: string, props: RecoveryEdgeProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (!props.webAclArn && !Token.isUnresolved(region) && region !== 'us-east-1') {
      throw new Error(
        `RecoveryEdge: a CloudFront web ACL can only be made in us-east-1 (this stack is in ${region}): create it there and pass edge.webAclArn`,
      );
    }
    const rateLimit = props.rateLimit ?? 300;
    if (!Number.isInteger(rateLimit) || rateLimit < 10 || rateLimit > 2_000_000_000) {
      throw new Error(
        `RecoveryEdge: rateLimit must be a whole number from 10 to 2000000000 (got ${rateLimit})`,
      );
    }
    const secret = new Secret(this, 'OriginVerify', {
      description:
        'Header value CloudFront adds so the recovery API accepts only traffic that passed the WAF',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    this.originVerify = secret.secretValue.unsafeUnwrap();
    const webAclArn = props.webAclArn ?? this.webAcl(rateLimit).attrArn;
    const origin = new HttpOrigin(Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      customHeaders: { 'x-origin-verify': this.originVerify },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Self-service TOTP recovery: pages and API behind AWS WAF',
      defaultBehavior: {
        origin,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: this.cachePolicy(),
        originRequestPolicy: this.originRequestPolicy(),
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      webAclId: webAclArn,
      ...(props.domain
        ? {
            domainNames: [props.domain.domainName],
            certificate: props.domain.certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Not a credential of anyone: it only proves a request came through this distribution. Rotate it by changing the secret and redeploying (docs/deploy.md).',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-CFR1',
        reason: 'People who lost their phone may be anywhere; the WAF rate and bot rules apply everywhere.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR3',
        reason:
          'Every request is logged by the HTTP API stage access logs and by each function; WAF keeps metrics and sampled requests. Standard logging would need an S3 bucket with ACLs.',
      },
      ...(props.domain
        ? []
        : [
            {
              id: 'AwsSolutions::AwsSolutions-CFR4',
              reason:
                'Without a custom domain CloudFront serves its default certificate, whose TLS policy cannot be chosen; with one, TLSv1.2_2021 is set.',
            },
          ]),
    );
    this.url = props.domain
      ? `https://${props.domain.domainName}`
      : `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Every answer is `Cache-Control: no-store`, so nothing is kept; the policy exists to send the
   * `Authorization` header of staff and user routes to the origin, which CloudFront allows only
   * through a cache key (with the header in the key, no two callers could share an answer anyway).
   */
  private cachePolicy(): CachePolicy {
    return new CachePolicy(this, 'NoStore', {
      comment: 'TOTP recovery: Authorization in the key, answers never stored (no-store at the origin)',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      cookieBehavior: CacheCookieBehavior.none(),
    });
  }

  /**
   * What the functions read, and nothing else: never `Host` (API Gateway answers 403 for another
   * host name), and CloudFront's `CloudFront-Viewer-Address`, the client's own address.
   */
  private originRequestPolicy(): OriginRequestPolicy {
    return new OriginRequestPolicy(this, 'Forward', {
      comment: 'TOTP recovery: the headers the functions read, and the viewer address',
      headerBehavior: OriginRequestHeaderBehavior.allowList(
        'Accept',
        'Accept-Language',
        'Content-Type',
        'User-Agent',
        'CloudFront-Viewer-Address',
      ),
      queryStringBehavior: OriginRequestQueryStringBehavior.all(),
      cookieBehavior: OriginRequestCookieBehavior.none(),
    });
  }

  /** A rate-based rule per client IP, then the AWS managed common and bot-control rule groups. */
  private webAcl(rateLimit: number): CfnWebACL {
    const visibility = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: name,
      sampledRequestsEnabled: true,
    });
    const managed = (name: string, priority: number) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    return new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('totp-recovery'),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate-per-ip'),
        },
        managed('AWSManagedRulesCommonRuleSet', 1),
        managed('AWSManagedRulesBotControlRuleSet', 2),
      ],
    });
  }
}
