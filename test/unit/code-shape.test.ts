import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const LAMBDAS = join(import.meta.dirname, '..', '..', 'lambdas');

describe('one shape for every function', () => {
  const functions = readdirSync(LAMBDAS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => readdirSync(join(LAMBDAS, name)).includes('handler.ts'));

  it('has a handler for each of the five functions', () => {
    assert.deepEqual(functions.sort(), ['fetcher', 'loader', 'sql-runner', 'topic', 'writer']);
  });

  for (const name of functions) {
    it(`lambdas/${name}/handler.ts is wiring only: at most 40 lines, wrapped by lambdaHandler`, () => {
      const text = readFileSync(join(LAMBDAS, name, 'handler.ts'), 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      assert.ok(lines <= 40, `${lines} lines`);
      assert.match(text, /export const handler = lambdaHandler\(powertools, /);
    });
  }

  it('ships no test double: no file under lambdas/ defines a Memory*, Fake* or test warehouse class', () => {
    const sources = readdirSync(LAMBDAS, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => join(entry.parentPath, entry.name));
    const doubles = sources.filter((file) =>
      /export (class|function|const) (Memory|Fake|Stub|Mock)\w*|class DuckDbWarehouse/.test(
        readFileSync(file, 'utf8'),
      ),
    );
    assert.deepEqual(doubles, []);
  });
});
