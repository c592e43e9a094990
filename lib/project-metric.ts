import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../lambdas/core/metric-names.js';

export type ProjectMetricName = keyof typeof METRIC;

/**
 * A custom metric the functions emit through Powertools Metrics (EMF): namespace, metric name and
 * the `service` dimension come from `lambdas/core/metric-names.ts`, the same constants the
 * handlers use, so a renamed metric cannot leave a chart or an alarm watching nothing.
 */
export function projectMetric(
  name: ProjectMetricName | { readonly metricName: string },
  props: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: typeof name === 'string' ? METRIC[name] : name.metricName,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    ...props,
  });
}
