/**
 * Where the functions' cores put their metrics. Powertools' `Metrics` satisfies it on Lambda (EMF
 * in the function's log); tests keep them in memory (test/support/memory-metrics.ts). Names come from metric-names.ts.
 */
export type MetricUnitName = 'Count' | 'Seconds' | 'Milliseconds';

export interface MetricSink {
  addMetric(name: string, unit: MetricUnitName, value: number): void;
  /** The time the invocation's metrics are recorded at (EMF `Timestamp`); default: when flushed. */
  setTimestamp?(at: Date): void;
}
