import journal from '../../../../sql/migrations/journal.json' with { type: 'json' };
import { currentVersion, type Journal } from './journal.js';

/**
 * The migration journal of this build (`sql/migrations/journal.json`, bundled into every function
 * that needs it): the writer names its files with the current version of their table, the loader
 * knows the columns of every older version.
 */
export const JOURNAL = journal as Journal;

/** The version of a table's files written now. */
export function writtenVersion(table: string): number {
  return currentVersion(JOURNAL, table);
}
