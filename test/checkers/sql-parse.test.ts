import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TABLES } from '../../lambdas/core/tables.js';
import { defaultSqlDir, loadSqlFiles } from '../../lambdas/core/warehouse/sql-files.js';
import { parseWithSqlfluff, sqlToParse } from './sql-parse.js';

describe('sqlfluff (Redshift dialect) parses everything sent to Redshift', () => {
  const files = sqlToParse();

  it('covers every sql/ file and the loader statements of every table', () => {
    const names = files.map((f) => f.name);
    for (const file of loadSqlFiles(defaultSqlDir())) assert.ok(names.includes(file.name), file.name);
    for (const table of TABLES) assert.ok(names.includes(`loader_merge_${table.name}.sql`), table.name);
    // Placeholders and parameters are filled: sqlfluff sees what Redshift will see.
    for (const file of files) assert.doesNotMatch(file.text, /\{\{|(?<![:\w]):[a-z_]+\b(?!\/)/, file.name);
  });

  it('finds no parse error, and reports one with its file and text when there is', () => {
    const broken = [
      { name: 'broken_table.sql', text: 'CREATE TABLE IF NOT EXISTS t (a INTEGER,);\n' },
      { name: 'broken_copy.sql', text: "COPY t FROM 's3://b/k/' IAM_ROLE FORMAT AS PARQUET;\n" },
    ];
    const results = parseWithSqlfluff([...files, ...broken]);
    const failed = results.filter((r) => r.unparsable.length > 0);
    assert.deepEqual(
      failed.map((r) => r.name),
      ['broken_table.sql', 'broken_copy.sql'],
      JSON.stringify(failed),
    );
    assert.match(failed[0]?.unparsable.join(' ') ?? '', /INTEGER/);
  });
});
