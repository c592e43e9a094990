import type { PartitionValues } from '../schema.js';
import type { TableName } from '../tables.js';

/**
 * Registers new lake partitions in a catalog as they are written, so a run is queryable within a
 * minute instead of at the crawler's next pass. Registration is idempotent: "already there" is
 * success. The Glue implementation lives in `glue-catalog.ts` beside it; locally DuckDB reads the
 * folders directly and {@link NO_CATALOG} is used.
 */
export interface PartitionCatalog {
  registerPartitions(table: TableName, partitions: readonly PartitionValues[]): Promise<void>;
}

export const NO_CATALOG: PartitionCatalog = {
  registerPartitions: async () => undefined,
};
