import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StackInfo } from '../../local/stack-info';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Real AWS SDK clients pointed at the local stack's endpoints, as an operator's tools would be. */
export function stackClients(stack: StackInfo) {
  const dynamodb = new DynamoDBClient({
    endpoint: stack.endpoints.dynamodb,
    region: stack.region,
    credentials,
  });
  return {
    cognito: new CognitoIdentityProviderClient({
      endpoint: stack.endpoints.cognito,
      region: stack.region,
      credentials,
    }),
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb),
    sfn: new SFNClient({ endpoint: stack.endpoints.stepfunctions, region: stack.region, credentials }),
  };
}
