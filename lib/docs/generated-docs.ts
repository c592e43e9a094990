import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { columnsDoc } from './columns-doc.js';
import { configurationDoc } from './configuration-doc.js';

/**
 * The documentation files generated from the code, by path from the repository's root: written by
 * `npm run generate:docs`, checked by `npm run generate:docs -- --check` in CI and by
 * test/unit/generated-docs.test.ts.
 */
export function generatedDocFiles(): Map<string, string> {
  return new Map([
    ['docs/configuration.md', configurationDoc()],
    ['docs/columns.md', columnsDoc()],
  ]);
}

/** The generated files that are missing under `root` or differ from what the code gives. */
export function staleDocFiles(root: string, files: Map<string, string> = generatedDocFiles()): string[] {
  return [...files]
    .filter(([path, text]) => {
      const file = join(root, path);
      return !existsSync(file) || readFileSync(file, 'utf8') !== text;
    })
    .map(([path]) => path);
}
