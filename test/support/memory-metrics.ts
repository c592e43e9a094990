import type { MetricSink, MetricUnitName } from '../../lambdas/core/metric-sink.js';

/** Keeps metrics in memory: for tests that assert what a function reported. */
export class MemoryMetrics implements MetricSink {
  readonly points: { name: string; unit: MetricUnitName; value: number }[] = [];
  /** The timestamp the metrics were given, if any. */
  timestamp: Date | undefined;

  setTimestamp(at: Date): void {
    this.timestamp = at;
  }

  addMetric(name: string, unit: MetricUnitName, value: number): void {
    this.points.push({ name, unit, value });
  }

  /** The value of a metric reported once; undefined when it was not reported. */
  value(name: string): number | undefined {
    const matches = this.points.filter((point) => point.name === name);
    if (matches.length > 1) throw new Error(`metric ${name} was reported ${matches.length} times`);
    return matches[0]?.value;
  }
}
