/**
 * The names a local lake holds besides its data areas: what the command line itself keeps at the
 * lake's top. Declared here, below both the lake-folder rule and the pipeline, so either can name
 * them without importing the other.
 */

/** One writer per lake: the lock file `start`, `demo`, `replay` and `check --fix` hold (see pipeline/lake-lock.ts). */
export const LAKE_LOCK = '_writer.lock';

/**
 * Runs in progress, one small JSON file each, under this folder of the lake. A run is noted before
 * it asks the API and forgotten once its `collection_outcomes` file is written; a note still there
 * at the next start is a run that a crash, a kill or a full disk cut short (see pipeline/run-journal.ts).
 */
export const PENDING_RUNS = '_pending_runs/';

/** A file at the root of a lake that the simulator wrote into. */
export const SIMULATED_MARKER = '_SIMULATED';
