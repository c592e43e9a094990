import { encodeParquet } from '../../../lambdas/core/lake/parquet.js';
import { COLLECTION_OUTCOMES, type CollectionOutcomeRow } from '../../../lambdas/core/schema.js';

/**
 * A probe bundled exactly like the project functions (test/e2e/bundles.test.ts): it encodes a
 * Parquet file with the bundled parquetjs-lite, whose CommonJS code must work inside an ESM bundle.
 */
export const handler = async (): Promise<string> => {
  const row: CollectionOutcomeRow = {
    collected_at: new Date('2026-07-16T14:20:00Z'),
    run_id: '20260716T1420Z-abcdef',
    area_code: 'POI072',
    status: 'failed',
    reason: 'ERROR-500 after 3 attempts',
    attempts: 3,
    duration_ms: 4321,
  };
  return (await encodeParquet(COLLECTION_OUTCOMES, [row])).toString('base64');
};
