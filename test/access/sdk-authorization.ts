/**
 * Which IAM actions, on which resources, an AWS API operation is authorized against. Named from
 * the Service Authorization Reference ("Actions, resources, and condition keys for …") and each
 * API reference's "Permissions" section; an operation missing here has no simulation, and the
 * access proof fails until it is added with its page.
 */

/** The resources an operation reaches, already resolved to what the deployed stack names. */
export interface ResolvedParams {
  readonly bucket?: string;
  readonly key?: string;
  readonly prefix?: string;
  readonly database?: string;
  readonly table?: string;
  readonly secretArn?: string;
  readonly clusterArn?: string;
  readonly workgroupArn?: string;
  /** The Data API call names a secret to sign in with (SecretArn). */
  readonly dataApiSecretArn?: string;
  /** A CloudWatch Logs log group, by name. */
  readonly logGroupName?: string;
}

export interface Access {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
  /** Why this access is needed beyond the call's own action (an implied call), with its page. */
  readonly implied?: string;
}

const REGION_ACCOUNT = (region: string, account: string) => `${region}:${account}`;

type Rule = (p: ResolvedParams, where: { region: string; account: string }) => Access[];

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined || value === '') throw new Error(`the call names no ${what}`);
  return value;
};

const object = (p: ResolvedParams) => `arn:aws:s3:::${need(p.bucket, 'bucket')}/${need(p.key, 'key')}`;
const bucket = (p: ResolvedParams) => `arn:aws:s3:::${need(p.bucket, 'bucket')}`;
const logGroup = (p: ResolvedParams, region: string, account: string) =>
  `arn:aws:logs:${region}:${account}:log-group:${need(p.logGroupName, 'log group')}`;

/**
 * Glue Data Catalog operations are authorized on the catalog, the database and (for table-level
 * calls) the table, all three (AWS Glue developer guide, "Specifying AWS Glue resource ARNs").
 */
const glueTable =
  (action: string): Rule =>
  (p, { region, account }) => {
    const at = REGION_ACCOUNT(region, account);
    const db = need(p.database, 'Glue database');
    return [
      `arn:aws:glue:${at}:catalog`,
      `arn:aws:glue:${at}:database/${db}`,
      `arn:aws:glue:${at}:table/${db}/${need(p.table, 'Glue table')}`,
    ].map((resource) => ({ action, resource }));
  };
const glueDatabase =
  (action: string): Rule =>
  (p, { region, account }) => {
    const at = REGION_ACCOUNT(region, account);
    return [
      `arn:aws:glue:${at}:catalog`,
      `arn:aws:glue:${at}:database/${need(p.database, 'Glue database')}`,
    ].map((resource) => ({ action, resource }));
  };

/**
 * Redshift Data API calls on a serverless workgroup: the action on the workgroup, plus how the
 * Data API signs in to the database on the caller's behalf ("Authorizing access to the Amazon
 * Redshift Data API"): with a secret it reads the secret as the caller (GetSecretValue on it);
 * without one it gets temporary credentials as the caller (redshift-serverless:GetCredentials).
 */
const dataApiStatement =
  (action: string): Rule =>
  (p) => {
    const workgroup = need(p.workgroupArn, 'Redshift Serverless workgroup');
    return [
      { action, resource: workgroup },
      p.dataApiSecretArn
        ? {
            action: 'secretsmanager:GetSecretValue',
            resource: p.dataApiSecretArn,
            implied: 'the Data API reads the sign-in secret with the caller’s identity',
          }
        : {
            action: 'redshift-serverless:GetCredentials',
            resource: workgroup,
            implied: 'the Data API gets temporary database credentials with the caller’s identity',
          },
    ];
  };

/** The Service Authorization Reference lists no resource type: only "*" matches these. */
const anyResource =
  (action: string): Rule =>
  () => [{ action, resource: '*' }];

export const SDK_OPERATIONS: Readonly<Record<string, Readonly<Record<string, Rule>>>> = {
  // Amazon S3 API Reference, "Permissions" of each operation.
  S3Client: {
    PutObject: (p) => [{ action: 's3:PutObject', resource: object(p) }],
    GetObject: (p) => [{ action: 's3:GetObject', resource: object(p) }],
    HeadObject: (p) => [{ action: 's3:GetObject', resource: object(p) }],
    DeleteObject: (p) => [{ action: 's3:DeleteObject', resource: object(p) }],
    CreateMultipartUpload: (p) => [{ action: 's3:PutObject', resource: object(p) }],
    UploadPart: (p) => [{ action: 's3:PutObject', resource: object(p) }],
    CompleteMultipartUpload: (p) => [{ action: 's3:PutObject', resource: object(p) }],
    AbortMultipartUpload: (p) => [{ action: 's3:AbortMultipartUpload', resource: object(p) }],
    // ListObjectsV2 is authorized as s3:ListBucket on the bucket, with the prefix as s3:prefix.
    ListObjectsV2: (p) => [
      {
        action: 's3:ListBucket',
        resource: bucket(p),
        context: p.prefix ? { 's3:prefix': p.prefix } : ({} as Record<string, string>),
      },
    ],
  },
  GlueClient: {
    GetTable: glueTable('glue:GetTable'),
    GetPartition: glueTable('glue:GetPartition'),
    GetPartitions: glueTable('glue:GetPartitions'),
    BatchGetPartition: glueTable('glue:BatchGetPartition'),
    CreatePartition: glueTable('glue:CreatePartition'),
    BatchCreatePartition: glueTable('glue:BatchCreatePartition'),
    UpdatePartition: glueTable('glue:UpdatePartition'),
    GetDatabase: glueDatabase('glue:GetDatabase'),
  },
  SecretsManagerClient: {
    GetSecretValue: (p) => [
      { action: 'secretsmanager:GetSecretValue', resource: need(p.secretArn, 'secret') },
    ],
  },
  KafkaClient: {
    GetBootstrapBrokers: anyResource('kafka:GetBootstrapBrokers'),
    DescribeClusterV2: (p) => [
      { action: 'kafka:DescribeClusterV2', resource: need(p.clusterArn, 'cluster') },
    ],
  },
  // The calls CDK's AwsCustomResource makes during a deploy (deploy-calls.ts). CloudWatch Logs: the
  // Service Authorization Reference authorizes both on the log-group resource type,
  // arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}.
  CloudWatchLogsClient: {
    CreateLogGroup: (p, { region, account }) => [
      { action: 'logs:CreateLogGroup', resource: logGroup(p, region, account) },
    ],
    PutRetentionPolicy: (p, { region, account }) => [
      { action: 'logs:PutRetentionPolicy', resource: logGroup(p, region, account) },
    ],
  },
  // Redshift Serverless usage limits: the Service Authorization Reference lists no resource type.
  RedshiftServerlessClient: {
    CreateUsageLimit: anyResource('redshift-serverless:CreateUsageLimit'),
    UpdateUsageLimit: anyResource('redshift-serverless:UpdateUsageLimit'),
    DeleteUsageLimit: anyResource('redshift-serverless:DeleteUsageLimit'),
  },
  RedshiftDataClient: {
    ExecuteStatement: dataApiStatement('redshift-data:ExecuteStatement'),
    BatchExecuteStatement: dataApiStatement('redshift-data:BatchExecuteStatement'),
    // The Data API lets a caller see only its own statements; these take no resource.
    DescribeStatement: anyResource('redshift-data:DescribeStatement'),
    GetStatementResult: anyResource('redshift-data:GetStatementResult'),
    CancelStatement: anyResource('redshift-data:CancelStatement'),
  },
};
