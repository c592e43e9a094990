import { Duration, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ManagedKafkaEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { rowsWrittenMetric } from '../lambdas/core/metric-names.js';
import { environmentOf } from '../lambdas/core/settings.js';
import { DATASET_TABLES, type TableName } from '../lambdas/core/tables.js';
import type { Catalog } from './catalog.js';
import type { FunctionLogLevel } from './config.js';
import type { Lake } from './lake.js';
import { ProjectFunction } from './project-function.js';
import { projectMetric } from './project-metric.js';
import type { Stream } from './stream.js';

/** The writer's consumer group. Named, so its IAM grant can name the group ARN exactly. */
export const WRITER_CONSUMER_GROUP = 'seoul-population-writer';

export interface WriterProps {
  readonly stream: Stream;
  readonly lake: Lake;
  readonly catalog: Catalog;
  /** Most records per invocation. */
  readonly batchSize: number;
  /** How long the trigger gathers records before invoking, in seconds (0: no wait). */
  readonly batchWindowSeconds: number;
  readonly logLevel: FunctionLogLevel;
}

/**
 * The writer: a Lambda function triggered by MSK (from the oldest record, so nothing published
 * before the trigger existed is skipped) that turns batches into Parquet, raw and rejected files
 * and registers the partitions.
 *
 * A failing batch is retried by the trigger without end (on-demand pollers accept no retry or age
 * limit: those need provisioned mode), which blocks its partition until the writer succeeds or the
 * records expire from the topic; the writer-errors alarm fires at the first failed invocation and
 * the offset-lag alarm as records pile up. Records the trigger finally gives up on are written to
 * the lake bucket under `aws/lambda/…` (the on-failure destination): S3 is reachable from the
 * cluster's subnets through the VPC's S3 gateway endpoint, as Lambda requires for MSK destinations.
 */
export class Writer extends Construct {
  readonly function: ProjectFunction;
  readonly eventSourceMapping: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: WriterProps) {
    super(scope, id);
    this.function = new ProjectFunction(this, 'Function', {
      handlerFolder: 'writer',
      description: 'Writes batches of Kafka records to the Parquet lake and registers their partitions.',
      logLevel: props.logLevel,
      timeout: Duration.minutes(5),
      memorySize: 1024,
      environment: environmentOf({
        lakeBucket: props.lake.bucket.bucketName,
        glueDatabase: props.catalog.databaseName,
      }),
    });
    const tables = DATASET_TABLES.map((table) => table.name);
    props.lake.grantWrite(this.function, [...tables, 'raw', 'rejected']);
    props.catalog.grantRegisterPartitions(this.function, tables);

    // The MSK trigger polls with the function's role: it needs these before its first poll.
    props.stream.grantConsume(this.function, WRITER_CONSUMER_GROUP);

    this.function.addEventSource(
      new ManagedKafkaEventSource({
        clusterArn: props.stream.clusterArn,
        topic: props.stream.topicName,
        consumerGroupId: WRITER_CONSUMER_GROUP,
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize,
        maxBatchingWindow:
          props.batchWindowSeconds > 0 ? Duration.seconds(props.batchWindowSeconds) : undefined,
        onFailure: props.lake.failedBatchDestination(),
      }),
    );
    const mapping = this.function.node.children.find(
      (child): child is lambda.EventSourceMapping => child instanceof lambda.EventSourceMapping,
    );
    if (!mapping) throw new Error('the MSK event source mapping was not created');
    this.eventSourceMapping = mapping;
    // CloudFormation would create the mapping as soon as the function exists, and its first poll
    // would fail on permissions: make it wait for the role and every policy under it (a dependency
    // on a construct covers its whole subtree), which hold the consume grant, the failure-
    // destination grant and the describe/bootstrap actions ManagedKafkaEventSource adds.
    if (!this.function.role) throw new Error('the writer function has no role');
    mapping.node.addDependency(this.function.role);
    // Consume the topic only once it exists.
    mapping.node.addDependency(props.stream.topic);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]',
      reason:
        'ManagedKafkaEventSource attaches the AWS managed MSK execution policy (ENI and cluster describe actions the ' +
        'trigger pollers need); the data-plane kafka-cluster actions come only from Stream.grantConsume.',
    });
  }

  /** Rows the writer wrote to one table of a dataset (one data point per batch). */
  metricRowsWritten(table: TableName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric({ metricName: rowsWrittenMetric(table) }, props);
  }

  metricRecordsRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('recordsRejected', props);
  }

  metricPartitionsRegistered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('partitionsRegistered', props);
  }

  /** Seconds between now and the newest data written (each dataset's `observedAt`): how stale the lake is. */
  metricDataFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('dataFreshness', { statistic: 'Maximum', ...props });
  }

  /** Records in the topic that the MSK trigger has not yet handed to the writer. */
  metricOffsetLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metric('OffsetLag', { statistic: 'Maximum', period: Duration.minutes(5), ...props });
  }

  /** Batches the trigger gave up on and could not store in its on-failure destination. */
  metricFailureDeliveryErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metric('DestinationDeliveryFailures', {
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }
}
