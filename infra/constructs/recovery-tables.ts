import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  auditTableSchema,
  recoveryTableSchema,
  type TableSchema,
} from '../../functions/shared/table-schemas';

export interface RecoveryTablesProps {
  /** @default RemovalPolicy.RETAIN */
  readonly auditTableRemovalPolicy?: RemovalPolicy;
}

/** The recovery and audit tables, built from the same schemas as the local stack's. */
export class RecoveryTables extends Construct {
  readonly recoveries: ITable;
  readonly audit: ITable;

  constructor(scope: Construct, id: string, props: RecoveryTablesProps = {}) {
    super(scope, id);
    this.recoveries = table(this, 'Recoveries', recoveryTableSchema, RemovalPolicy.DESTROY);
    // Append-only for everyone, whatever IAM says: events are only ever put, never changed or removed.
    const appendOnly = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'AuditIsAppendOnly',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
          resources: ['*'],
        }),
      ],
    });
    this.audit = table(
      this,
      'Audit',
      auditTableSchema,
      props.auditTableRemovalPolicy ?? RemovalPolicy.RETAIN,
      appendOnly,
    );
  }
}

function table(
  scope: Construct,
  id: string,
  schema: TableSchema,
  removalPolicy: RemovalPolicy,
  resourcePolicy?: PolicyDocument,
) {
  const created = new Table(scope, id, {
    partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
    ...(schema.sortKey ? { sortKey: { name: schema.sortKey, type: AttributeType.STRING } } : {}),
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    removalPolicy,
    ...(schema.timeToLiveAttribute ? { timeToLiveAttribute: schema.timeToLiveAttribute } : {}),
    ...(resourcePolicy ? { resourcePolicy } : {}),
    ...(schema.stream === 'NEW_IMAGE' ? { stream: StreamViewType.NEW_IMAGE } : {}),
  });
  for (const index of schema.globalSecondaryIndexes ?? []) {
    created.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      ...(index.sortKey ? { sortKey: { name: index.sortKey, type: AttributeType.STRING } } : {}),
    });
  }
  return created;
}
