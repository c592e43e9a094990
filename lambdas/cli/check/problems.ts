/** What `check` looks for, in the order it reports them. */
export const CHECKS = {
  unreadable: 'Parquet files that cannot be read',
  schema: 'Parquet files without the expected schema',
  'wrong-partition': 'rows whose partition disagrees with their collected_at (KST)',
  duplicate: 'keys held more than once across files',
  unaccounted: 'raw/ envelopes in no table and not in rejected/',
  'raw-unreadable': 'raw/ lines that are not envelopes',
  'ok-without-row': 'collection_outcomes ok without its population row',
  'incomplete-run': 'runs with fewer places than asked',
  stale: 'stale data (population_time far behind collected_at)',
  label: 'congestion labels outside the known set',
  stray: 'stray files',
  'missing-run': 'runs missing from the 20-minute schedule',
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
