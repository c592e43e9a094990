import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DATASET_TABLES } from '../lambdas/core/tables.js';
import { USAGE_LIMIT_ALARM_SHARE } from '../lambdas/core/warehouse/rpu-estimate.js';
import type { Ingest } from './ingest.js';
import type { Warehouse } from './warehouse.js';
import type { Writer } from './writer.js';

/** The share of a run's answers without a field a column reads at which the API is taken to have dropped it. */
export const API_FIELDS_MISSING_SHARE = 0.5;
export interface ObservabilityProps {
  readonly ingest: Ingest;
  readonly writer: Writer;
  readonly warehouse: Warehouse;
  /** Minutes between scheduled runs: a window this long without a run is a missed run. */
  readonly runIntervalMinutes: number;
  /** Share (0..1] of a run's places failed above which the alarm fires. */
  readonly failedPlacesShare: number;
  /**
   * Records waiting for the writer, held for 15 minutes, that mean it is not keeping up.
   * @default 250 (about two runs of all places)
   */
  readonly offsetLagThreshold?: number;
  /** @default - no e-mail subscription; subscribe to the topic yourself */
  readonly alarmEmail?: string;
}

/**
 * The CloudWatch dashboard and alarms, built only from the metric methods of the other
 * constructs (which take names from `lambdas/core/metric-names.ts`), and the SNS topic every
 * alarm notifies, with an optional e-mail subscription.
 */
export class Observability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarmTopic: sns.Topic;
  /** Every alarm, by what it watches. */
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { ingest, writer, warehouse } = props;
    const runWindow = Duration.minutes(props.runIntervalMinutes);
    const functions: Record<string, lambda.IFunction> = {
      fetcher: ingest.fetcher,
      writer: writer.function,
      loader: warehouse.loader,
    };

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Seoul population pipeline alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const placesOk = ingest.metricPlacesOk({ period: runWindow });
    const placesNoData = ingest.metricPlacesNoData({ period: runWindow });
    const placesFailed = ingest.metricPlacesFailed({ period: runWindow });
    const failedShare = new cloudwatch.MathExpression({
      label: 'Share of places failed',
      expression:
        'IF((FILL(ok, 0) + FILL(noData, 0) + FILL(failed, 0)) > 0, ' +
        'FILL(failed, 0) / (FILL(ok, 0) + FILL(noData, 0) + FILL(failed, 0)), 0)',
      usingMetrics: { ok: placesOk, noData: placesNoData, failed: placesFailed },
      period: runWindow,
    });
    // A missed run is a slot the schedule fired that no run recorded. Comparing with the slots,
    // instead of alarming on "no Runs" with missing data as breaching, keeps the alarm quiet from
    // the deploy to the first slot (no slot, nothing missed). The fetcher stamps a run's metrics
    // with its slot, so a slot and its run always fall in the same period; only the newest period
    // can hold a slot whose run has not been published yet, so two of the last three periods must
    // show a slot without a run. Once runs stop, every period but the newest one shows it, so the
    // alarm stays in ALARM while the newest slot's own data point is still on its way.
    const missedSlots = new cloudwatch.MathExpression({
      label: 'Scheduled slots without a run',
      expression: 'FILL(slots, 0) - FILL(runs, 0)',
      usingMetrics: {
        slots: ingest.metricScheduledSlots({ period: runWindow }),
        runs: ingest.metricRuns({ period: runWindow }),
      },
      period: runWindow,
    });
    // A field a column reads missing from at least half a run's answers: the API dropped or renamed
    // it. One place's answer without its forecast list now and then (the recorded 2026-09-07
    // answer) is the API's ordinary behaviour and stays below the line.
    const missingShare = new cloudwatch.MathExpression({
      label: 'Share of answers without a field a column reads',
      expression: 'IF(FILL(ok, 0) > 0, FILL(missing, 0) / FILL(ok, 0), 0)',
      usingMetrics: { ok: placesOk, missing: ingest.metricApiFieldsMissing({ period: runWindow }) },
      period: runWindow,
    });
    const loaderTrouble = new cloudwatch.MathExpression({
      label: 'Loader failures and errors',
      expression: 'FILL(failures, 0) + FILL(errors, 0)',
      usingMetrics: {
        failures: warehouse.metricLoaderFailures(),
        errors: warehouse.loader.metricErrors({ period: Duration.minutes(5) }),
      },
      period: Duration.minutes(5),
    });

    const alarms = {
      missedRun: missedSlots.createAlarm(this, 'MissedRunAlarm', {
        alarmDescription:
          `The schedule fired and no collection run was recorded, in two of the last three ${props.runIntervalMinutes}-minute ` +
          'periods (see the fetcher log and the ingest dead-letter queue).',
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      failedPlaces: failedShare.createAlarm(this, 'FailedPlacesAlarm', {
        alarmDescription: `More than ${Math.round(props.failedPlacesShare * 100)}% of a run's places failed.`,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: props.failedPlacesShare,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      writerErrors: writer.function
        .metricErrors({ period: Duration.minutes(5) })
        .createAlarm(this, 'WriterErrorsAlarm', {
          alarmDescription:
            'The writer failed an invocation: the batch will be redelivered until it succeeds.',
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      offsetLag: writer.metricOffsetLag().createAlarm(this, 'OffsetLagAlarm', {
        alarmDescription: 'Records keep piling up in the topic: the writer is not keeping up or is stuck.',
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: props.offsetLagThreshold ?? 250,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      recordsRejected: writer.metricRecordsRejected().createAlarm(this, 'RecordsRejectedAlarm', {
        alarmDescription: 'The writer quarantined at least one record in rejected/ (see the reason there).',
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      deadLetters: ingest.metricDeadLetters().createAlarm(this, 'DeadLettersAlarm', {
        alarmDescription:
          'A run could not be started or failed as a whole: see the ingest dead-letter queue.',
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      writerFailureDelivery: writer
        .metricFailureDeliveryErrors()
        .createAlarm(this, 'WriterFailureDeliveryAlarm', {
          alarmDescription:
            'The MSK trigger gave up on a batch and could not even store it in its on-failure destination (the lake bucket).',
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      apiFieldsUnknown: ingest
        .metricApiFieldsUnknown({ period: runWindow })
        .createAlarm(this, 'ApiFieldsUnknownAlarm', {
          alarmDescription:
            'The API sends fields no table holds: raw/ keeps them; npm run check lists them with when each was first seen (docs/lake-and-sql.md, "When the API changes").',
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      apiFieldsMissing: missingShare.createAlarm(this, 'ApiFieldsMissingAlarm', {
        alarmDescription: `At least ${API_FIELDS_MISSING_SHARE * 100}% of a run's answers lack a field a column reads: the API dropped or renamed it, and its column stays NULL (docs/lake-and-sql.md, "API drift").`,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: API_FIELDS_MISSING_SHARE,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      loaderFailed: loaderTrouble.createAlarm(this, 'LoaderFailedAlarm', {
        alarmDescription: 'The COPY loader failed to load a partition, or failed as a whole.',
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
    const usageLimit = warehouse.usageLimit;
    const alarmsWithUsage: Record<string, cloudwatch.Alarm> = { ...alarms };
    if (usageLimit) {
      // Well before the limit's breach action (by default: queries turned off until the next
      // period): at the high RPU estimate a normal month ends below this share of the limit.
      const threshold = Math.floor(usageLimit.rpuHours * USAGE_LIMIT_ALARM_SHARE);
      alarmsWithUsage.usageLimitNear = warehouse
        .metricUsageLimitConsumed()
        .createAlarm(this, 'UsageLimitNearAlarm', {
          alarmDescription:
            `Redshift has used ${threshold} of its ${usageLimit.rpuHours} RPU-hours this ${usageLimit.period} period; ` +
            `at the limit it will ${usageLimit.breachAction === 'deactivate' ? 'turn user queries off (the loader stops); raise the limit to load again before the period ends' : usageLimit.breachAction}. ` +
            'See the arithmetic in docs/deploy-aws.md.',
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          threshold,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
    }
    const notify = new actions.SnsAction(this.alarmTopic);
    for (const alarm of Object.values(alarmsWithUsage)) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
    this.alarms = alarmsWithUsage;
    this.allowAlarmsToPublish(Object.values(alarmsWithUsage));

    const fiveMinutes = { period: Duration.minutes(5) };
    const perFunction = (metric: (fn: lambda.IFunction) => cloudwatch.IMetric) =>
      Object.values(functions).map(metric);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Runs',
            left: [
              ingest.metricRuns({ period: runWindow }),
              ingest.metricScheduledSlots({ period: runWindow }),
            ],
            right: [missedSlots],
            rightAnnotations: [alarms.missedRun.toAnnotation()],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Places per run',
            left: [placesOk, placesNoData, placesFailed],
            stacked: true,
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Share of places failed',
            left: [failedShare],
            leftAnnotations: [alarms.failedPlaces.toAnnotation()],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Run duration (ms)',
            left: [ingest.metricRunDuration()],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'API drift: answers with fields unknown / missing',
            left: [
              ingest.metricApiFieldsUnknown({ period: runWindow }),
              ingest.metricApiFieldsMissing({ period: runWindow }),
            ],
            leftAnnotations: [alarms.apiFieldsUnknown.toAnnotation()],
            width: 6,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Records',
            left: [
              ingest.metricRecordsPublished(),
              ...DATASET_TABLES.map((table) => writer.metricRowsWritten(table.name)),
            ],
            right: [writer.metricRecordsRejected()],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Data freshness (s, now − newest population_time)',
            left: [writer.metricDataFreshness()],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'MSK trigger offset lag (records)',
            left: [writer.metricOffsetLag()],
            leftAnnotations: [alarms.offsetLag.toAnnotation()],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function errors',
            left: perFunction((fn) => fn.metricErrors(fiveMinutes)),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function duration (max, ms)',
            left: perFunction((fn) => fn.metricDuration({ ...fiveMinutes, statistic: 'Maximum' })),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function throttles',
            left: perFunction((fn) => fn.metricThrottles(fiveMinutes)),
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Dead letters',
            left: [ingest.metricDeadLetters(), writer.metricFailureDeliveryErrors()],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Loader',
            left: [warehouse.metricPartitionsLoaded()],
            right: [warehouse.metricLoaderFailures()],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Partitions registered by the writer',
            left: [writer.metricPartitionsRegistered()],
            width: 8,
          }),
        ],
        ...(alarmsWithUsage.usageLimitNear
          ? [
              [
                new cloudwatch.GraphWidget({
                  title: 'Redshift RPU-hours used this usage-limit period',
                  left: [warehouse.metricUsageLimitConsumed()],
                  leftAnnotations: [alarmsWithUsage.usageLimitNear.toAnnotation()],
                  width: 12,
                }),
              ],
            ]
          : []),
      ],
    });
  }

  /**
   * `enforceSSL` gives the topic a resource policy that holds only its TLS Deny, and a topic
   * policy replaces SNS's default one: without an Allow, CloudWatch may not publish and every
   * alarm action fails ("… is not authorized to perform: SNS:Publish", AWS Knowledge Center,
   * "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?"). CloudWatch
   * publishes as the service principal `cloudwatch.amazonaws.com` and names the alarm in
   * `aws:SourceArn`; the Allow names exactly this stack's alarms and this account, so no other
   * account's alarm can use the topic (the confused-deputy guard of the SNS developer guide,
   * "Example cases for Amazon SNS access control"). The TLS Deny stays.
   */
  private allowAlarmsToPublish(alarms: readonly cloudwatch.Alarm[]): void {
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStacksAlarmsToPublish',
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
  }

  /** The dashboard in the CloudWatch console. */
  dashboardUrl(region: string): string {
    return (
      `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
      `#dashboards:name=${this.dashboard.dashboardName}`
    );
  }
}
