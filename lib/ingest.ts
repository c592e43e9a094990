import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { environmentOf } from '../lambdas/core/settings.js';
import type { Catalog } from './catalog.js';
import type { FunctionLogLevel } from './config.js';
import type { Lake } from './lake.js';
import { ProjectFunction } from './project-function.js';
import { projectMetric } from './project-metric.js';
import type { Stream } from './stream.js';

export interface IngestProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly stream: Stream;
  readonly lake: Lake;
  readonly catalog: Catalog;
  readonly apiKeySecret: secretsmanager.ISecret;
  /** EventBridge schedule expression of the runs. */
  readonly schedule: string;
  /** Place codes; empty means every place. */
  readonly places: readonly string[];
  readonly apiBaseUrl: string;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  readonly runTimeoutMs: number;
  readonly logLevel: FunctionLogLevel;
}

/**
 * Collection: a schedule that starts the fetcher, the fetcher (in the VPC: it publishes to MSK)
 * with the API key secret, and a dead-letter queue that receives a run EventBridge could not
 * deliver or that failed as a whole, so no run disappears without a trace.
 */
export class Ingest extends Construct {
  readonly fetcher: ProjectFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const api = new URL(props.apiBaseUrl);
    const apiPort = Number(api.port || (api.protocol === 'https:' ? 443 : 80));
    const apiSecurityGroup = new ec2.SecurityGroup(this, 'ApiEgress', {
      vpc: props.vpc,
      description: `Fetcher: outbound to the Seoul open data API (${api.protocol}//${api.hostname}:${apiPort}) only`,
      allowAllOutbound: false,
    });
    apiSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(apiPort), 'Seoul open data API');

    this.fetcher = new ProjectFunction(this, 'Fetcher', {
      handlerFolder: 'fetcher',
      description:
        'Collects every configured place from the Seoul API and publishes one message per place to MSK.',
      logLevel: props.logLevel,
      // The run is bounded by RUN_TIMEOUT_MS; a minute more covers publishing and the outcomes file.
      timeout: Duration.millis(props.runTimeoutMs).plus(Duration.seconds(60)),
      memorySize: 512,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.stream.clientSecurityGroup, apiSecurityGroup],
      environment: environmentOf({
        apiKeySecretArn: props.apiKeySecret.secretArn,
        apiBaseUrl: props.apiBaseUrl,
        mskClusterArn: props.stream.clusterArn,
        kafkaTopic: props.stream.topicName,
        ...(props.places.length > 0 ? { places: props.places } : {}),
        concurrency: props.concurrency,
        requestTimeoutMs: props.requestTimeoutMs,
        runTimeoutMs: props.runTimeoutMs,
        lakeBucket: props.lake.bucket.bucketName,
        glueDatabase: props.catalog.databaseName,
      }),
    });
    props.apiKeySecret.grantRead(this.fetcher);
    props.stream.grantProduce(this.fetcher);
    props.lake.grantWrite(this.fetcher, ['collection_outcomes']);
    // The place catalogue, read at every run: a changed catalogue needs no deploy.
    props.lake.grantReadCatalogue(this.fetcher);
    props.catalog.grantRegisterPartitions(this.fetcher, ['collection_outcomes']);
    // The topic must exist before the first run publishes to it.
    this.fetcher.node.addDependency(props.stream.topic);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the schedule target and of the fetcher.',
    });

    // A run that fails as a whole (Kafka unreachable, the API down) published nothing, and a
    // snapshot not collected is lost for good: Lambda tries it again (after 1, then 2 minutes)
    // with the same scheduled time, while the data is still that slot's. A retry after a partial
    // publish can repeat rows; the loader and the local views keep one row per key. What still
    // fails lands in the dead-letter queue (and its alarm).
    this.fetcher.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.minutes(10),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Starts a collection run of the Seoul real-time population API.',
      schedule: events.Schedule.expression(props.schedule),
      targets: [
        new targets.LambdaFunction(this.fetcher, {
          // Retries of the delivery itself (throttling, service errors), within the run's window.
          retryAttempts: 2,
          maxEventAge: Duration.minutes(10),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }

  metricRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('runs', props);
  }

  /**
   * Scheduled slots: how often the schedule fired (EventBridge's `TriggeredRules` of the rule,
   * "Monitoring Amazon EventBridge"). Compared with {@link metricRuns}, it tells a missed run from
   * a deployment that has not reached its first slot yet.
   */
  metricScheduledSlots(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: this.rule.ruleName },
      statistic: cloudwatch.Stats.SUM,
      label: 'Scheduled slots',
      ...props,
    });
  }

  metricPlacesOk(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('placesOk', props);
  }

  metricPlacesNoData(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('placesNoData', props);
  }

  metricPlacesFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('placesFailed', props);
  }

  metricRecordsPublished(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('recordsPublished', props);
  }

  /** Answers of a run that carry a field no table holds (API drift). */
  metricApiFieldsUnknown(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('apiFieldsUnknown', props);
  }

  /** Answers of a run without a field a column reads. */
  metricApiFieldsMissing(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('apiFieldsMissing', props);
  }

  metricRunDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return projectMetric('runDuration', { statistic: 'Maximum', ...props });
  }

  /** Runs that never started or failed as a whole, waiting in the dead-letter queue. */
  metricDeadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', ...props });
  }
}
