/**
 * Custom metric names, shared by the functions that emit them (Powertools Metrics, EMF) and the
 * CDK constructs that chart and alarm on them, so a renamed metric cannot silently break a dashboard.
 * Every metric is emitted in {@link METRICS_NAMESPACE} with the single dimension
 * `service` = {@link METRICS_SERVICE} (Powertools' default dimension, set by POWERTOOLS_SERVICE_NAME).
 */
export const METRICS_NAMESPACE = 'SeoulPopulation';
export const METRICS_SERVICE = 'seoul-population';

export const METRIC = {
  // fetcher, one data point per run
  runs: 'Runs',
  /** A run that published nothing: no place answered, the key was refused, or Kafka was unreachable. */
  runsFailed: 'RunsFailed',
  placesOk: 'PlacesOk',
  placesNoData: 'PlacesNoData',
  placesFailed: 'PlacesFailed',
  recordsPublished: 'RecordsPublished',
  runDuration: 'RunDurationMs',
  /** Answers of the run carrying a field no table holds (API drift: the API says more than the tables). */
  apiFieldsUnknown: 'ApiFieldsUnknown',
  /** Answers of the run without a field a column reads. */
  apiFieldsMissing: 'ApiFieldsMissing',
  // writer, one data point per batch (and one per table of the datasets: rowsWrittenMetric)
  recordsRejected: 'RecordsRejected',
  recordsFlagged: 'RecordsFlagged',
  /** Seconds between now and the newest data written (each dataset's `observedAt`): how stale it is. */
  dataFreshness: 'DataFreshnessSeconds',
  partitionsRegistered: 'PartitionsRegistered',
  // loader, one data point per scheduled load
  partitionsLoaded: 'PartitionsLoaded',
  loaderFailures: 'LoaderFailures',
} as const;

/**
 * The writer's count of rows written to a table of a dataset, one data point per batch, named
 * after the table (`population_forecast` → `PopulationForecastRowsWritten`): a new dataset's tables
 * are counted with no name to add here.
 */
export function rowsWrittenMetric(table: string): string {
  const pascal = table
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
  return `${pascal}RowsWritten`;
}
