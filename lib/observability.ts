import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Ingest } from './ingest.js';
import type { Warehouse } from './warehouse.js';
import type { Writer } from './writer.js';

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
      missedRun: ingest.metricRuns({ period: runWindow }).createAlarm(this, 'MissedRunAlarm', {
        alarmDescription: `No collection run was recorded in the last ${props.runIntervalMinutes} minutes.`,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
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
      loaderFailed: loaderTrouble.createAlarm(this, 'LoaderFailedAlarm', {
        alarmDescription: 'The COPY loader failed to load a partition, or failed as a whole.',
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
    const notify = new actions.SnsAction(this.alarmTopic);
    for (const alarm of Object.values(alarms)) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
    this.alarms = alarms;

    const fiveMinutes = { period: Duration.minutes(5) };
    const perFunction = (metric: (fn: lambda.IFunction) => cloudwatch.IMetric) =>
      Object.values(functions).map(metric);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Runs',
            left: [ingest.metricRuns({ period: runWindow })],
            leftAnnotations: [alarms.missedRun.toAnnotation()],
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
              writer.metricPopulationRowsWritten(),
              writer.metricForecastRowsWritten(),
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
      ],
    });
  }

  /** The dashboard in the CloudWatch console. */
  dashboardUrl(region: string): string {
    return (
      `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
      `#dashboards:name=${this.dashboard.dashboardName}`
    );
  }
}
