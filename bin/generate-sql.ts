/**
 * Writes the native tables' DDL files of `sql/` from the one schema definition.
 * `--check`: writes nothing, exits 1 naming every file that is missing or differs (CI runs this).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedSqlFiles, staleSqlFiles } from '../lambdas/core/warehouse/ddl.js';

const USAGE = `Usage: npm run generate:sql [-- --check]

Writes the native tables' DDL files of sql/ from the one schema definition (lambdas/core/schema.ts).
  --check      write nothing; exit 1 naming every file that is missing or differs (CI runs this)
  -h, --help   this text`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const sqlDir = join(import.meta.dirname, '..', 'sql');
const stale = staleSqlFiles(sqlDir);
if (process.argv.includes('--check')) {
  if (stale.length > 0) {
    console.error(
      `stale generated SQL, run \`npm run generate:sql\` and commit: ${stale.map((n) => `sql/${n}`).join(', ')}`,
    );
    process.exit(1);
  }
  console.log('sql/ generated files match the table declarations');
} else {
  const files = generatedSqlFiles();
  for (const name of stale) {
    writeFileSync(join(sqlDir, name), files.get(name) as string);
    console.log(`wrote sql/${name}`);
  }
}
