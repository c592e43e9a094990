/**
 * Old and new files in one lake: after a column is added, the files written before it have one
 * column fewer. COPY from Parquet puts a file's columns into the table's by position and needs
 * their number to match ("COPY from columnar data formats", Amazon Redshift Database Developer
 * Guide), so a table with the new column cannot take an old file. The choice made here is a
 * staging table per file version (`stagePartition` in staging-fill.ts): each version's files are
 * copied into a table of exactly that version's columns, in that order, which the rule holds for by
 * construction, and moved into the table's staging table with NULL for the columns the version
 * lacks. A file says its version by its name: `<stem>.parquet` is version 1 (every file written before the first migration), and
 * `<stem>.v2.parquet` version 2, named by the writer from the migration journal.
 */

/** `<stem>.parquet` for version 1, `<stem>.v<n>.parquet` after the table's n−1th migration. */
export function versionedFileName(stem: string, version: number): string {
  return version <= 1 ? `${stem}.parquet` : `${stem}.v${version}.parquet`;
}

/** The version a table file's name says (1 when it says none). */
export function versionOfFile(name: string): number {
  const match = /\.v(\d+)\.parquet$/.exec(name);
  return match ? Number(match[1]) : 1;
}
