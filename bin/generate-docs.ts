/**
 * Writes the documentation files generated from the code (docs/configuration.md from the settings,
 * docs/columns.md from the schema). `--check`: writes nothing, exits 1 naming every file that is
 * missing or differs (CI runs this).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedDocFiles, staleDocFiles } from '../lib/docs/generated-docs.js';

const USAGE = `Usage: npm run generate:docs [-- --check]

Writes the documentation generated from the code: docs/configuration.md (the settings) and
docs/columns.md (the schema).
  --check      write nothing; exit 1 naming every file that is missing or differs (CI runs this)
  -h, --help   this text`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const root = join(import.meta.dirname, '..');
const files = generatedDocFiles();
const stale = staleDocFiles(root, files);
if (process.argv.includes('--check')) {
  if (stale.length > 0) {
    console.error(
      `stale generated docs, run \`npm run generate:docs\` and commit: ${stale.join(', ')} ` +
        '(they are generated from lambdas/core/settings.ts, lib/docs/cdk-context.ts and lambdas/core/schema.ts)',
    );
    process.exit(1);
  }
  console.log(`${[...files.keys()].join(', ')} match the code`);
} else {
  for (const path of stale) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), files.get(path) as string);
    console.log(`wrote ${path}`);
  }
}
