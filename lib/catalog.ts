import { ArnFormat, Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { glueColumns, gluePartitionKeys, type TableSpec } from '../lambdas/core/schema.js';
import { TABLES, type TableName } from '../lambdas/core/tables.js';
import { awsApiCall } from './aws-api-call.js';
import type { Lake } from './lake.js';
import { acknowledgeWildcardResources } from './nag-acknowledgements.js';

export interface CatalogProps {
  readonly lake: Lake;
  /** Glue database name; Redshift's external schema and Athena refer to it. */
  readonly databaseName: string;
  /** When the crawler runs (cron, UTC). */
  readonly crawlerSchedule: string;
  /** @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/** The log group Glue writes every crawler's logs to (one per account and region, named by Glue). */
export const CRAWLER_LOG_GROUP = '/aws-glue/crawlers';

/** How long crawler logs are kept: they are diagnostics, like the functions' logs. */
export const CRAWLER_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: {
    serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    parameters: { 'serialization.format': '1' },
  },
};

/**
 * The Glue Data Catalog side of the lake: one database, one table per entry of `TABLES` in
 * `lambdas/core/schema.ts` (the same definition the writer encodes Parquet with), partitioned by
 * year/month/day/hour/minute. The writer registers partitions as it writes; the crawler is the
 * safety net: incremental, partitions inherit the table schema, schema changes are only logged.
 */
export class Catalog extends Construct {
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  readonly tables: Readonly<Record<TableName, glue.CfnTable>>;
  readonly crawler: glue.CfnCrawler;
  readonly crawlerRole: iam.Role;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.databaseName = props.databaseName;
    const bucketName = props.lake.bucket.bucketName;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: props.databaseName,
        description: "Seoul real-time population of the city's main places, collected every 20 minutes.",
      },
    });
    this.database.applyRemovalPolicy(removalPolicy);

    const tables = {} as Record<TableName, glue.CfnTable>;
    for (const spec of TABLES) {
      tables[spec.name] = this.table(spec, bucketName, removalPolicy);
    }
    this.tables = tables;

    this.crawlerRole = new iam.Role(this, 'CrawlerRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: 'Lets the lake crawler add partitions to the pipeline tables.',
    });
    this.grantCrawl(this.crawlerRole);
    props.lake.grantRead(
      this.crawlerRole,
      TABLES.map((spec) => spec.name),
    );

    this.crawler = new glue.CfnCrawler(this, 'Crawler', {
      description: 'Safety net beside the writer: adds lake partitions it may have missed.',
      role: this.crawlerRole.roleArn,
      databaseName: props.databaseName,
      // Catalog targets: the crawler crawls the tables this stack defines (their S3 locations) and
      // only adds partitions to them; it never creates a table, whatever it finds in the bucket.
      targets: {
        catalogTargets: [{ databaseName: props.databaseName, tables: TABLES.map((spec) => spec.name) }],
      },
      schedule: { scheduleExpression: props.crawlerSchedule },
      // Tables are defined by code; the crawler must never rewrite their schema or drop them (and a
      // crawler with catalog targets may only log deletions).
      schemaChangePolicy: { updateBehavior: 'LOG', deleteBehavior: 'LOG' },
      configuration: JSON.stringify({
        Version: 1.0,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
      }),
    });
    for (const table of Object.values(tables)) this.crawler.addResourceDependency(table);
    this.retainCrawlerLogs();
    Validations.of(this.crawler).acknowledge({
      id: 'AwsSolutions-GL1',
      reason:
        'The crawler logs hold table and partition names only, no collected data; a customer managed ' +
        'KMS key for them would add a monthly key charge and protect nothing.',
    });
  }

  /** `arn:…:glue:region:account:catalog`, needed beside database and table ARNs by every Glue call. */
  get catalogArn(): string {
    return Stack.of(this).formatArn({ service: 'glue', resource: 'catalog' });
  }

  get databaseArn(): string {
    return Stack.of(this).formatArn({
      service: 'glue',
      resource: 'database',
      resourceName: this.databaseName,
    });
  }

  tableArn(table: TableName): string {
    return Stack.of(this).formatArn({
      service: 'glue',
      resource: 'table',
      resourceName: `${this.databaseName}/${table}`,
    });
  }

  /** What the writer needs to register the partitions it writes, on the given tables only. */
  grantRegisterPartitions(grantee: iam.IGrantable, tables: readonly TableName[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetTable', 'glue:BatchCreatePartition'],
      resourceArns: [this.catalogArn, this.databaseArn, ...tables.map((t) => this.tableArn(t))],
    });
  }

  /**
   * Database-level reads name the catalog and the database; table-level ones also the tables (a
   * Glue call on a table is authorized on all three). Kept apart so that no action is granted on
   * an ARN of a type it does not take (the IAM catalogue check).
   */
  private grantDatabaseRead(grantee: iam.IGrantable, actions: readonly string[]): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [this.catalogArn, this.databaseArn],
    });
  }

  /** Read the catalog (database, tables, partitions): what Redshift Spectrum needs. */
  grantReadCatalog(grantee: iam.IGrantable): iam.Grant {
    this.grantDatabaseRead(grantee, ['glue:GetDatabase', 'glue:GetDatabases']);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'glue:GetTable',
        'glue:GetTables',
        'glue:GetPartition',
        'glue:GetPartitions',
        'glue:BatchGetPartition',
      ],
      resourceArns: [this.catalogArn, this.databaseArn, ...TABLES.map((t) => this.tableArn(t.name))],
    });
  }

  private grantCrawl(role: iam.Role): void {
    this.grantDatabaseRead(role, ['glue:GetDatabase']);
    iam.Grant.addToPrincipal({
      grantee: role,
      // Read the tables it targets, and add or refresh their partitions: no table is created,
      // updated or deleted (catalog targets, schema changes only logged).
      actions: [
        'glue:GetTable',
        'glue:GetTables',
        'glue:GetPartition',
        'glue:GetPartitions',
        'glue:BatchGetPartition',
        'glue:CreatePartition',
        'glue:BatchCreatePartition',
        'glue:UpdatePartition',
        'glue:BatchUpdatePartition',
      ],
      resourceArns: [this.catalogArn, this.databaseArn, ...TABLES.map((t) => this.tableArn(t.name))],
    });
    const crawlerLogs = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws-glue/crawlers*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [crawlerLogs],
      }),
    );
    acknowledgeWildcardResources(role, [
      {
        resource: /:log-group:\/aws-glue\/crawlers\*$/,
        reason:
          'Glue writes crawler logs to streams it names itself, in the fixed /aws-glue/crawlers log group.',
      },
    ]);
  }

  /**
   * Glue writes crawler logs to `/aws-glue/crawlers`, a log group it creates on a crawler's first
   * run, never expiring, and shared by every crawler of the account and region. A stack cannot own
   * it (creating it fails where it already exists), so CloudFormation makes two API calls: create
   * it if missing, then set its retention. Nothing happens on delete: other crawlers may log there.
   */
  private retainCrawlerLogs(): void {
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: CRAWLER_LOG_GROUP,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const logGroup = cr.PhysicalResourceId.of(CRAWLER_LOG_GROUP);
    const create = awsApiCall(this, 'CrawlerLogGroup', {
      resourceType: 'Custom::CrawlerLogGroup',
      onCreate: {
        service: 'CloudWatchLogs',
        action: 'CreateLogGroup',
        parameters: { logGroupName: CRAWLER_LOG_GROUP },
        physicalResourceId: logGroup,
        ignoreErrorCodesMatching: 'ResourceAlreadyExistsException',
      },
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogGroup'], resources: [logGroupArn] })],
    });
    const setRetention: cr.AwsSdkCall = {
      service: 'CloudWatchLogs',
      action: 'PutRetentionPolicy',
      parameters: { logGroupName: CRAWLER_LOG_GROUP, retentionInDays: CRAWLER_LOG_RETENTION },
      physicalResourceId: logGroup,
    };
    const retention = awsApiCall(this, 'CrawlerLogRetention', {
      resourceType: 'Custom::CrawlerLogRetention',
      onCreate: setRetention,
      onUpdate: setRetention,
      statements: [
        new iam.PolicyStatement({ actions: ['logs:PutRetentionPolicy'], resources: [logGroupArn] }),
      ],
    });
    retention.node.addDependency(create);
  }

  private table(spec: TableSpec, bucketName: string, removalPolicy: RemovalPolicy): glue.CfnTable {
    const table = new glue.CfnTable(this, tableId(spec.name), {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: spec.name,
        description: spec.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'parquet', 'parquet.compression': 'SNAPPY', EXTERNAL: 'TRUE' },
        partitionKeys: gluePartitionKeys(),
        storageDescriptor: {
          columns: glueColumns(spec),
          location: `s3://${bucketName}/${spec.name}/`,
          ...PARQUET,
          compressed: true,
          storedAsSubDirectories: false,
        },
      },
    });
    table.addResourceDependency(this.database);
    table.applyRemovalPolicy(removalPolicy);
    return table;
  }
}

/** `population_forecast` → `PopulationForecastTable`: stable construct ids from table names. */
function tableId(name: string): string {
  return `${name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}Table`;
}
