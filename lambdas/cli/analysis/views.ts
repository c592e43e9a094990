import type { DuckDBConnection } from '@duckdb/node-api';
import { SETTINGS } from '../../core/settings.js';
import { viewSettingValues } from '../../core/warehouse/apply-sql.js';
import { SqlTemplateError } from '../../core/warehouse/errors.js';
import {
  defaultSqlDir,
  isPortableViewFile,
  loadSqlFiles,
  statementsOf,
} from '../../core/warehouse/sql-files.js';
import { placeholderNames } from '../../core/warehouse/sql-text.js';

/** The analysis views, in creation order (each `sql/NN_view_*.sql` may create several). */
export const ANALYSIS_VIEWS = [
  'v_congestion_over_time',
  'v_population_daily_range',
  'v_age_sex_distribution',
  'v_resident_share',
  'v_forecast_accuracy',
  'v_forecast_accuracy_by_horizon',
  'v_completeness_by_run',
  'v_missing_runs_by_place',
  'v_freshness_by_run',
  'v_resident_share_over_time',
] as const;
export type AnalysisView = (typeof ANALYSIS_VIEWS)[number];

/**
 * Creates the warehouse's analysis views on a DuckDB connection opened by `openLake`, from the
 * very same `sql/NN_view_*.sql` files the SQL runner applies in Redshift. They read the tables
 * `population`, `population_forecast` and `collection_outcomes`, which `openLake` provides under
 * the warehouse's names (empty and typed when the lake has none yet).
 */
export async function applyViews(
  connection: DuckDBConnection,
  sqlDir = defaultSqlDir(),
  runInterval: number = SETTINGS.runIntervalMinutes.default,
): Promise<string[]> {
  const files = loadSqlFiles(sqlDir).filter((file) => isPortableViewFile(file.name));
  const values = viewSettingValues(runInterval);
  for (const file of files) {
    // Portable files take no deployment values, only pipeline settings: the same text runs everywhere.
    const placeholders = placeholderNames(file.text).filter((name) => values[name] === undefined);
    if (placeholders.length > 0) {
      throw new SqlTemplateError(
        `${file.name} is a view file but uses placeholders ${placeholders.join(', ')}`,
      );
    }
    for (const statement of statementsOf(file, values)) {
      try {
        await connection.run(statement);
      } catch (error) {
        throw new SqlTemplateError(`${file.name}: DuckDB refused a statement: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
  }
  return files.map((file) => file.name);
}
