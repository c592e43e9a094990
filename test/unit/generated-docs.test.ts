import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lambdas/core/errors.js';
import { SETTINGS } from '../../lambdas/core/settings.js';
import { CONFIG_KEYS, loadConfig } from '../../lib/config.js';
import { CDK_KEY_DOCS } from '../../lib/docs/cdk-context.js';
import { generatedDocFiles, staleDocFiles } from '../../lib/docs/generated-docs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const files = generatedDocFiles();
const configuration = files.get('docs/configuration.md') as string;

/** The cells of the table rows of a markdown text whose first cell is `first` in backticks. */
function rowsStartingWith(text: string, first: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`| \`${first}\` |`))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
}

describe('the generated docs', () => {
  it('are committed as the generator writes them (else: npm run generate:docs)', () => {
    for (const [path, text] of files) {
      assert.equal(
        readFileSync(join(ROOT, path), 'utf8'),
        text,
        `${path} is stale: run npm run generate:docs`,
      );
    }
    assert.deepEqual(staleDocFiles(ROOT), []);
  });

  it('each start with a line that says what they are generated from and by which command', () => {
    for (const [path, text] of files) {
      assert.match(
        text.split('\n')[0] as string,
        /^> Generated from `.+` by `npm run generate:docs`: edit/,
        path,
      );
    }
  });

  it('names a file that is missing or differs, and only that one', () => {
    const root = mkdtempSync(join(tmpdir(), 'generated-docs-'));
    mkdirSync(join(root, 'docs'));
    assert.deepEqual(staleDocFiles(root), [...files.keys()]);
    for (const [path, text] of files) writeFileSync(join(root, path), text);
    assert.deepEqual(staleDocFiles(root), []);
    writeFileSync(join(root, 'docs/columns.md'), `${files.get('docs/columns.md')}one more line\n`);
    assert.deepEqual(staleDocFiles(root), ['docs/columns.md']);
  });
});

describe('docs/configuration.md', () => {
  it('documents every cdk.json key exactly once, in the settings table or the CDK table', () => {
    for (const key of CONFIG_KEYS) {
      const asSetting = configuration
        .split('\n')
        .filter((line) => line.startsWith('| `') && line.includes(` | \`${key}\` | `));
      const asCdkKey = rowsStartingWith(configuration, key);
      assert.equal(asSetting.length + asCdkKey.length, 1, key);
    }
  });

  it("shows cdk.json's own value as the default of every CDK-only key", () => {
    const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context as Record<
      string,
      unknown
    >;
    for (const key of Object.keys(CDK_KEY_DOCS)) {
      const [, shownDefault] = rowsStartingWith(configuration, key)[0] ?? [];
      const value = context[key];
      const expected = Array.isArray(value)
        ? `\`${JSON.stringify(value)}\``
        : value === ''
          ? 'none'
          : `\`${String(value)}\``;
      assert.ok(
        shownDefault?.startsWith(expected),
        `${key}: ${shownDefault} for cdk.json's ${JSON.stringify(value)}`,
      );
    }
  });

  it('says for each CDK-only key what the app says when it refuses a value', () => {
    const checked = Object.entries(CDK_KEY_DOCS).filter(([, doc]) => 'refused' in doc);
    assert.ok(checked.length >= 15, `${checked.length} keys checked`);
    for (const [key, doc] of checked) {
      assert.throws(
        () => loadConfig({ [key]: doc.refused }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message ===
            `cdk.json context "${key}" must be ${doc.allowed}, got ${JSON.stringify(doc.refused)}`,
        key,
      );
    }
  });

  it('shows every setting with its variable, default and what it accepts', () => {
    for (const setting of Object.values(SETTINGS)) {
      // The wiring has its own table, without the option and cdk.json columns.
      const [allowed, meaning] = 'wiring' in setting ? [2, 3] : [4, 5];
      const row = rowsStartingWith(configuration, setting.env).find(
        (cells) => cells[meaning] === setting.meaning,
      );
      assert.ok(row, `${setting.env}: ${setting.meaning}`);
      assert.equal(row[allowed], setting.allowed.replace(/\|/g, '\\|'), setting.env);
    }
  });
});
