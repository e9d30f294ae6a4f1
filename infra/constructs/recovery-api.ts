import { Stack, Validations } from 'aws-cdk-lib';
import {
  DomainName,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiRoutes, type FunctionName } from '../../functions/catalog';

export interface RecoveryApiProps {
  readonly functions: Readonly<Record<FunctionName, IFunction>>;
  /** The pool staff sign in to: the JWT authorizer trusts its tokens only. */
  readonly staffUserPool: IUserPool;
  /** The staff app client: the audience the JWT authorizer accepts. */
  readonly staffClient: IUserPoolClient;
  /** The user pool: a user's own routes (recovery codes) take its access tokens. */
  readonly userPool: IUserPool;
  /** The app client ids whose access tokens a user's own routes accept. */
  readonly userClientIds: readonly string[];
  readonly throttle: { readonly rate: number; readonly burst: number };
  readonly logRetention: RetentionDays;
  readonly domain?: { readonly domainName: string; readonly certificate: ICertificate };
}

/** The HTTP API: every route of the catalog; staff routes and a user's own routes each behind a Cognito JWT authorizer. */
export class RecoveryApi extends Construct {
  readonly httpApi: HttpApi;
  /** Where the pages and the API are reached (the custom domain when there is one). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: RecoveryApiProps) {
    super(scope, id);
    const domainName = props.domain
      ? new DomainName(this, 'Domain', {
          domainName: props.domain.domainName,
          certificate: props.domain.certificate,
        })
      : undefined;
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Self-service TOTP recovery: pages, recovery API, support and audit API',
      createDefaultStage: false,
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rate, burstLimit: props.throttle.burst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', { retention: props.logRetention }),
        ),
      },
      ...(domainName ? { domainMapping: { domainName } } : {}),
    });
    const region = Stack.of(this).region;
    const authorizer = new HttpJwtAuthorizer(
      'StaffJwt',
      `https://cognito-idp.${region}.amazonaws.com/${props.staffUserPool.userPoolId}`,
      { jwtAudience: [props.staffClient.userPoolClientId] },
    );
    const userAuthorizer = new HttpJwtAuthorizer(
      'UserJwt',
      `https://cognito-idp.${region}.amazonaws.com/${props.userPool.userPoolId}`,
      { jwtAudience: [...props.userClientIds] },
    );
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of apiRoutes) {
      const [method, path] = route.routeKey.split(' ') as [keyof typeof HttpMethod, string | undefined];
      let integration = integrations.get(route.functionName);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${route.functionName}-integration`,
          props.functions[route.functionName],
        );
        integrations.set(route.functionName, integration);
      }
      const created = new HttpRoute(this, route.routeKey, {
        httpApi: this.httpApi,
        routeKey:
          route.routeKey === '$default'
            ? HttpRouteKey.DEFAULT
            : HttpRouteKey.with(path ?? '/', HttpMethod[method]),
        integration,
        ...(route.auth === 'cognito-jwt' ? { authorizer } : {}),
        ...(route.auth === 'user-jwt' ? { authorizer: userAuthorizer } : {}),
      });
      if (route.auth === 'none') {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason:
            'A public route by design: people who lost their authenticator cannot sign in. The handler proves the password (or sends the request to support review), then the emailed code; rate limits per IP and user apply.',
        });
      }
    }
    this.url = props.domain ? `https://${props.domain.domainName}` : (this.httpApi.apiEndpoint as string);
  }
}
