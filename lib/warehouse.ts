import { join } from 'node:path';
import { CustomResource, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as redshift from 'aws-cdk-lib/aws-redshiftserverless';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { environmentOf, type SettingValues } from '../lambdas/core/settings.js';
import { loadMigrations } from '../lambdas/core/warehouse/migrations/files.js';
import { loadSqlFiles, sqlFilesDigest } from '../lambdas/core/warehouse/sql-files.js';
import { awsApiCall } from './aws-api-call.js';
import type { Catalog } from './catalog.js';
import type { FunctionLogLevel, RedshiftUsageLimit } from './config.js';
import type { Lake } from './lake.js';
import { PROJECT_ROOT, ProjectFunction } from './project-function.js';
import { projectMetric } from './project-metric.js';
import { ProjectProvider } from './project-provider.js';
import type { WarehouseNamespace } from './warehouse-namespace.js';

/** The Redshift Serverless usage-limit actions, which take no resource-level permission. */
export const USAGE_LIMIT_ACTIONS = [
  'redshift-serverless:CreateUsageLimit',
  'redshift-serverless:UpdateUsageLimit',
  'redshift-serverless:DeleteUsageLimit',
] as const;

export interface WarehouseProps {
  readonly namespace: WarehouseNamespace;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly lake: Lake;
  readonly catalog: Catalog;
  /** RPUs the workgroup starts queries with: 4, or a multiple of 8 from 8 to 512. */
  readonly baseCapacity: number;
  /** @default - no usage limit */
  readonly usageLimit?: RedshiftUsageLimit;
  /** EventBridge schedule expression of the COPY loader. */
  readonly loaderSchedule: string;
  /** Minutes between collection runs: the completeness view counts skipped slots with it. */
  readonly runIntervalMinutes: number;
  readonly logLevel: FunctionLogLevel;
}

/**
 * The compute half of Redshift Serverless and what runs on it: the workgroup (private subnets,
 * not publicly accessible, billed only while it runs queries), an optional usage limit, the SQL
 * runner custom resource that applies `sql/` (external schema, native tables, views) in order at
 * every deploy that changes them, and the scheduled loader that COPYs new lake partitions.
 */
export class Warehouse extends Construct {
  readonly workgroup: redshift.CfnWorkgroup;
  readonly workgroupName: string;
  readonly securityGroup: ec2.SecurityGroup;
  readonly sqlRunner: ProjectFunction;
  readonly sqlResource: CustomResource;
  readonly loader: ProjectFunction;
  readonly loaderRule: events.Rule;
  /** The loader's IAM role name: fixed and lower case, so its database user is known in advance. */
  readonly loaderRoleName: string;
  /** The database user Redshift Serverless maps the loader's role to. */
  readonly loaderDatabaseUser: string;
  /** The usage limit, when one is configured. */
  readonly usageLimit: RedshiftUsageLimit | undefined;

  constructor(scope: Construct, id: string, props: WarehouseProps) {
    super(scope, id);
    // Query Editor v2 and the Data API reach the workgroup through Redshift, not through the VPC:
    // nothing needs to come in, and Redshift's S3 and Glue traffic does not use this group.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Redshift Serverless workgroup: no inbound rule, no outbound rule',
      allowAllOutbound: false,
    });
    this.workgroupName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }).toLowerCase();
    this.workgroup = new redshift.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: this.workgroupName,
      namespaceName: props.namespace.namespaceName,
      baseCapacity: props.baseCapacity,
      publiclyAccessible: false,
      enhancedVpcRouting: false,
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
    });
    this.usageLimit = props.usageLimit;
    if (props.usageLimit) this.limitUsage(props.usageLimit);

    const environment = {
      workgroupName: this.workgroupName,
      database: props.namespace.databaseName,
      glueDatabase: props.catalog.databaseName,
      spectrumRoleArn: props.namespace.spectrumRole.roleArn,
      lakeBucket: props.lake.bucket.bucketName,
      runIntervalMinutes: props.runIntervalMinutes,
    } satisfies SettingValues;

    // The loader signs in with its role's temporary credentials, which Redshift Serverless maps to
    // the database user `IAMR:<role name>`. A fixed, lower-case role name makes that user known
    // before the first call, so sql/30_grants_loader.sql can create it and grant it its tables.
    this.loaderRoleName =
      `${Stack.of(this).stackName.slice(0, 40)}-loader-${Stack.of(this).region}`.toLowerCase();
    this.loaderDatabaseUser = `IAMR:${this.loaderRoleName}`;

    this.sqlRunner = new ProjectFunction(this, 'SqlRunner', {
      handlerFolder: 'sql-runner',
      description: 'Custom resource: runs the sql/ files in order through the Redshift Data API.',
      logLevel: props.logLevel,
      timeout: Duration.minutes(15),
      includeSqlFolder: true,
      environment: environmentOf({
        ...environment,
        adminSecretArn: props.namespace.adminSecretArn,
        loaderDbUser: this.loaderDatabaseUser,
      }),
    });
    this.grantDataApi(this.sqlRunner);
    // The runner signs in as the namespace's admin user (a superuser: CREATE EXTERNAL SCHEMA and
    // CREATE USER need one) with the admin secret. That secret is encrypted with the account's AWS
    // managed key for Secrets Manager (aws/secretsmanager), so reading it needs no KMS grant.
    this.sqlRunner.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.namespace.adminSecretArn],
      }),
    );
    const provider = new ProjectProvider(this, 'SqlProvider', { onEventHandler: this.sqlRunner });
    this.sqlResource = new CustomResource(this, 'Sql', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::RedshiftSql',
      properties: {
        WorkgroupName: this.workgroupName,
        Database: props.namespace.databaseName,
        // A new digest when any sql/ file changes: CloudFormation then sends an Update and the
        // runner applies the files again (they are idempotent).
        SqlDigest: sqlFilesDigest(
          loadSqlFiles(join(PROJECT_ROOT, 'sql')),
          loadMigrations(join(PROJECT_ROOT, 'sql')).map((m) => `${m.id}:${m.checksum}`),
        ),
        // The views take the cadence as a value: a new cadence re-applies them too.
        RunIntervalMinutes: String(props.runIntervalMinutes),
      },
    });
    this.sqlResource.node.addDependency(this.workgroup);

    this.loader = new ProjectFunction(this, 'Loader', {
      handlerFolder: 'loader',
      description: 'COPYs lake partitions not loaded yet into the native Redshift tables (merge by key).',
      logLevel: props.logLevel,
      timeout: Duration.minutes(15),
      includeSqlFolder: true,
      environment: environmentOf(environment),
    });
    const loaderRole = this.loader.role?.node.defaultChild;
    if (!(loaderRole instanceof iam.CfnRole)) throw new Error("the loader's role was not created");
    loaderRole.roleName = this.loaderRoleName;
    this.grantDataApi(this.loader);
    // Temporary credentials for the loader's own database user; the runner signs in with a secret.
    this.loader.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['redshift-serverless:GetCredentials'],
        resources: [this.workgroup.attrWorkgroupWorkgroupArn],
      }),
    );
    // The loader lists partitions to find new files; COPY itself reads them with the Spectrum role.
    this.loader.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.lake.bucket.bucketArn] }),
    );
    this.loaderRule = new events.Rule(this, 'LoaderSchedule', {
      description: 'Loads new lake partitions into Redshift.',
      schedule: events.Schedule.expression(props.loaderSchedule),
      targets: [
        new targets.LambdaFunction(this.loader, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
    // The tables must exist before the first load.
    this.loaderRule.node.addDependency(this.sqlResource);
  }

  /**
   * RPU-hours this workgroup has used in the current period of its usage limit (Redshift
   * Serverless's `UsageLimitConsumed`, dimensions UsageLimitId, UsageType and Workgroup: "Audit
   * logging for Amazon Redshift Serverless", CloudWatch metrics). A Metrics Insights query selects
   * it by workgroup, so neither the limit's generated id nor the UsageType value has to be known
   * when the template is written.
   */
  metricUsageLimitConsumed(props: { readonly period?: Duration } = {}): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'RPU-hours used this usage-limit period',
      expression:
        'SELECT MAX(UsageLimitConsumed) FROM SCHEMA("AWS/Redshift-Serverless", UsageLimitId, UsageType, Workgroup) ' +
        `WHERE Workgroup = '${this.workgroupName}'`,
      period: props.period ?? Duration.hours(1),
    });
  }

  /** Partitions loaded per scheduled load. */
  metricPartitionsLoaded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('partitionsLoaded', props);
  }

  /** Partitions the loader could not load. */
  metricLoaderFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('loaderFailures', props);
  }

  /**
   * Run statements on this workgroup with the Data API. DescribeStatement, GetStatementResult and
   * CancelStatement take no resource: the Data API only lets a caller see the statements it ran
   * itself. How the function signs in to the database is granted beside each call of this.
   */
  private grantDataApi(fn: ProjectFunction): void {
    const workgroupArn = this.workgroup.attrWorkgroupWorkgroupArn;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
        resources: [workgroupArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'redshift-data:DescribeStatement',
          'redshift-data:GetStatementResult',
          'redshift-data:CancelStatement',
        ],
        resources: ['*'],
      }),
    );
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'redshift-data DescribeStatement, GetStatementResult and CancelStatement support no resource-level ' +
        'permission; the Data API itself restricts them to the statements the caller ran.',
    });
  }

  /**
   * A usage limit in RPU-hours per period. CloudFormation has no resource for it, so it is made
   * through the Redshift Serverless API. The period is part of the construct id: changing it
   * creates the new limit before the old one is deleted.
   */
  private limitUsage(limit: RedshiftUsageLimit): void {
    const workgroupArn = this.workgroup.attrWorkgroupWorkgroupArn;
    const usageLimit = awsApiCall(this, `UsageLimit-${limit.period}`, {
      resourceType: 'Custom::RedshiftServerlessUsageLimit',
      onCreate: {
        service: 'redshift-serverless',
        action: 'CreateUsageLimit',
        parameters: {
          resourceArn: workgroupArn,
          usageType: 'serverless-compute',
          amount: limit.rpuHours,
          period: limit.period,
          breachAction: limit.breachAction,
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId'),
      },
      onUpdate: {
        service: 'redshift-serverless',
        action: 'UpdateUsageLimit',
        parameters: {
          usageLimitId: new cr.PhysicalResourceIdReference(),
          amount: limit.rpuHours,
          breachAction: limit.breachAction,
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId'),
      },
      onDelete: {
        service: 'redshift-serverless',
        action: 'DeleteUsageLimit',
        parameters: { usageLimitId: new cr.PhysicalResourceIdReference() },
        ignoreErrorCodesMatching: 'ResourceNotFoundException',
      },
      // The Service Authorization Reference lists no resource type for these three actions: a
      // statement that names an ARN never matches them, so they can only be granted on "*".
      statements: [new iam.PolicyStatement({ actions: [...USAGE_LIMIT_ACTIONS], resources: ['*'] })],
    });
    Validations.of(usageLimit).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'redshift-serverless CreateUsageLimit, UpdateUsageLimit and DeleteUsageLimit support no resource-level ' +
        'permission (Service Authorization Reference): "*" is the only resource they match.',
    });
  }
}
