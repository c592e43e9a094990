import { PARTITION_KEYS, redshiftType, type TableSpec } from '../../lambdas/core/schema.js';
import { TABLES, WAREHOUSE_TABLES } from '../../lambdas/core/tables.js';
import { ddlFileName } from '../../lambdas/core/warehouse/ddl.js';
import { code, generatedNotice, table } from './markdown.js';

/** docs/columns.md: every column of every table, from the one schema definition. */

function where(spec: TableSpec): string {
  if (!TABLES.some((t) => t.name === spec.name)) {
    return 'A warehouse table, not in the lake.';
  }
  return (
    `In the lake as Parquet under ${code(`${spec.name}/`)}, in the Glue catalog (with the partition ` +
    `columns ${PARTITION_KEYS.map(code).join(', ')}: strings, in KST), in DuckDB and in Redshift.`
  );
}

function placement(spec: TableSpec): string {
  const { distribution, sortKey } = spec.redshift;
  const dist = distribution === 'ALL' ? 'DISTSTYLE ALL' : `DISTKEY (${distribution.key})`;
  return (
    `Redshift: ${code(dist)}, ${code(`COMPOUND SORTKEY (${sortKey.join(', ')})`)}; why: ` +
    `[${code(`sql/${ddlFileName(spec)}`)}](../sql/${ddlFileName(spec)}).`
  );
}

function tableSection(spec: TableSpec): string {
  const rows = spec.columns.map((c) => [
    code(c.name),
    c.type,
    redshiftType(c),
    c.nullable ? 'yes' : '',
    c.source,
  ]);
  return [
    `## ${spec.name}`,
    '',
    `${spec.description} Key (one row per key): ${code(spec.key.join(', '))}.`,
    where(spec),
    placement(spec),
    '',
    table(['column', 'type', 'Redshift', 'NULL', 'from'], rows),
  ].join('\n');
}

export function columnsDoc(): string {
  return `${[
    generatedNotice(['lambdas/core/datasets/', 'lambdas/core/schema.ts']),
    '',
    '# Columns',
    '',
    'Every table, every column, in its order (COPY from Parquet maps columns by position). Every',
    '`timestamp` holds a UTC instant: see [the time-zone rule](../README.md#a-first-query-and-the-time-zone-rule).',
    'Redshift strings are sized in bytes (Korean text is 3 bytes a character); a longer value is cut',
    'and its record flagged. How the tables are used: [lake-and-sql.md](lake-and-sql.md).',
    '',
    // The lake's tables first (what a reader queries), then the warehouse's own.
    [...TABLES, ...WAREHOUSE_TABLES.filter((t) => !(TABLES as readonly TableSpec[]).includes(t))]
      .map(tableSection)
      .join('\n\n'),
  ].join('\n')}\n`;
}
