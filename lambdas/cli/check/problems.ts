import { answerTable } from '../../core/datasets/dataset.js';
import { DATASETS } from '../../core/datasets/registry.js';

/** What `check` looks for, in the order it reports them. */
export const CHECKS = {
  unreadable: 'Parquet files that cannot be read',
  schema: 'Parquet files without the expected schema',
  'wrong-partition': 'rows whose partition disagrees with their collected_at (KST)',
  duplicate: 'keys held more than once across files',
  unaccounted: 'raw/ envelopes in no table and not in rejected/',
  'raw-unreadable': 'raw/ files or lines that cannot be read as envelopes',
  'rejected-unreadable': 'rejected/ files or lines that cannot be read',
  'ok-without-row': `collection_outcomes ok without its ${DATASETS.map((d) => answerTable(d).name).join(' or ')} row`,
  'incomplete-run': 'runs with fewer places than asked',
  stale: 'stale data (population_time far behind collected_at)',
  'out-of-window': 'rows dated before the API existed (2022) or more than a day after their collection',
  label: 'congestion labels outside the known set',
  stray: 'stray files',
  'not-followed': 'links, pipes and folders the layout does not expect (never followed or read)',
  catalogue: 'a place catalogue (catalogue/places.json) the collector cannot use',
  'check-failed': 'checks that could not run to the end',
  'missing-run': 'runs missing from the schedule (every RUN_INTERVAL_MINUTES)',
} as const;

export type CheckName = keyof typeof CHECKS;

/** How `--fix` can repair a problem: replay a partition from raw/, or remove a leftover file. */
export type Repair = { readonly replay: string } | { readonly remove: string };

export interface Problem {
  readonly check: CheckName;
  /** One line naming where (partition, file, run) and what. */
  readonly text: string;
  /** Absent: raw/ cannot repair it. */
  readonly repair?: Repair;
}

/**
 * Something check read that is accounted for and needs no repair, reported apart from problems: a
 * record in `rejected/` with its reason is where the writer put what it could not use.
 */
export interface Finding {
  readonly count: number;
  readonly text: string;
}
