import { CITYDATA_PPLTN } from './citydata-ppltn/index.js';
import type { Dataset } from './dataset.js';

/**
 * Every dataset the pipeline collects, writes and loads: the one list. A new dataset of the same
 * API family is a folder beside `citydata-ppltn/` and a line here.
 */
export const DATASETS = [CITYDATA_PPLTN] as const;

/**
 * The dataset a collection run asks the API for. A run collects one service: a run of a second
 * dataset needs `collection_outcomes` to say which dataset an outcome is for (docs/decisions.md).
 */
export const COLLECTED: Dataset = CITYDATA_PPLTN;

/** The dataset of an envelope's `dataset` (its API service), if one is registered. */
export function datasetOf(service: string): Dataset | undefined {
  return DATASETS.find((dataset) => dataset.service === service);
}

/** The dataset whose lake tables include this one. */
export function datasetOfTable(table: string): Dataset | undefined {
  return DATASETS.find((dataset) => dataset.tables.some((t) => t.name === table));
}
