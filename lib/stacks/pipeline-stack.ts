import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PipelineConfig } from '../config.js';
import { Ingest } from '../ingest.js';
import { Observability } from '../observability.js';
import { Warehouse } from '../warehouse.js';
import { Writer } from '../writer.js';
import type { DataStack } from './data-stack.js';

export interface PipelineStackProps extends StackProps {
  readonly config: PipelineConfig;
  /** The stateful resources this stack's functions read and write. */
  readonly data: Pick<DataStack, 'network' | 'lake' | 'catalog' | 'stream' | 'apiKey' | 'warehouseNamespace'>;
}

/**
 * Everything that can be deleted and deployed again without losing data: the functions, their
 * schedules and triggers, the Redshift workgroup (compute only) and the dashboard and alarms.
 */
export class PipelineStack extends Stack {
  readonly ingest: Ingest;
  readonly writer: Writer;
  readonly warehouse: Warehouse;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const subnets = data.network.privateSubnets;

    this.ingest = new Ingest(this, 'Ingest', {
      vpc: data.network.vpc,
      subnets,
      stream: data.stream,
      lake: data.lake,
      catalog: data.catalog,
      apiKeySecret: data.apiKey.secret,
      schedule: config.schedule,
      places: config.places,
      apiBaseUrl: config.apiBaseUrl,
      concurrency: config.concurrency,
      requestTimeoutMs: config.requestTimeoutMs,
      runTimeoutMs: config.runTimeoutMs,
      logLevel: config.logLevel,
    });
    this.writer = new Writer(this, 'Writer', {
      stream: data.stream,
      lake: data.lake,
      catalog: data.catalog,
      batchSize: config.writerBatchSize,
      batchWindowSeconds: config.writerBatchWindowSeconds,
      logLevel: config.logLevel,
    });
    this.warehouse = new Warehouse(this, 'Warehouse', {
      namespace: data.warehouseNamespace,
      vpc: data.network.vpc,
      subnets,
      lake: data.lake,
      catalog: data.catalog,
      baseCapacity: config.redshiftBaseCapacity,
      usageLimit: config.redshiftUsageLimit,
      loaderSchedule: config.loaderSchedule,
      runIntervalMinutes: config.runIntervalMinutes,
      logLevel: config.logLevel,
    });
    this.observability = new Observability(this, 'Observability', {
      ingest: this.ingest,
      writer: this.writer,
      warehouse: this.warehouse,
      runIntervalMinutes: config.runIntervalMinutes,
      failedPlacesShare: config.failedPlacesAlarmShare,
      alarmEmail: config.alarmEmail,
    });

    new CfnOutput(this, 'RedshiftWorkgroupName', {
      description:
        'The Redshift Serverless workgroup (Query Editor v2: connect with the RedshiftAdminSecretName secret)',
      value: this.warehouse.workgroupName,
    });
    new CfnOutput(this, 'FetcherFunctionName', {
      description:
        'Invoke once to collect now: aws lambda invoke --function-name <this> --payload <scheduled event>',
      value: this.ingest.fetcher.functionName,
    });
    new CfnOutput(this, 'WriterFunctionName', {
      description: 'The MSK-triggered writer (its log group shows each batch written)',
      value: this.writer.function.functionName,
    });
    new CfnOutput(this, 'LoaderFunctionName', {
      description: 'The COPY loader: invoke with {} to load now instead of at the next scheduled time',
      value: this.warehouse.loader.functionName,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'The CloudWatch dashboard',
      value: this.observability.dashboardUrl(config.region),
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Every alarm notifies this SNS topic',
      value: this.observability.alarmTopic.topicArn,
    });
  }
}
