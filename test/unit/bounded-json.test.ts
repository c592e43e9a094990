import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ANSWER_LIMITS,
  copyWithinLimits,
  JsonLimitError,
  JsonSyntaxError,
  parseBoundedJson,
} from '../../lambdas/core/bounded-json.js';

const LIMITS = ANSWER_LIMITS;
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const mixed = (depth: number) =>
  `${Array.from({ length: depth }, (_, i) => (i % 2 ? '[' : '{"k":')).join('')}0${Array.from(
    { length: depth },
    (_, i) => (i % 2 ? ']' : '}'),
  )
    .reverse()
    .join('')}`;

function refusal(text: string): string {
  try {
    parseBoundedJson(text, LIMITS);
  } catch (error) {
    assert.ok(error instanceof JsonLimitError || error instanceof JsonSyntaxError, String(error));
    return error.message;
  }
  assert.fail('expected a refusal');
}

describe('a bounded JSON parse', () => {
  it('refuses nesting past the depth limit, whatever nests, and takes it up to the limit', () => {
    for (const deep of [nestedArrays, nestedObjects, mixed]) {
      assert.ok(parseBoundedJson(deep(LIMITS.maxDepth), LIMITS));
      for (const depth of [LIMITS.maxDepth + 1, 1_000, 100_000])
        assert.equal(
          refusal(deep(depth)),
          `objects and arrays are nested more than ${LIMITS.maxDepth} levels deep`,
          `${deep.name} ${depth}`,
        );
    }
  });

  it('counts depth right when brackets hide in strings, and after closing', () => {
    const inString = JSON.stringify({ text: '['.repeat(1_000) });
    assert.deepEqual(parseBoundedJson(inString, LIMITS).value, { text: '['.repeat(1_000) });
    const siblings = `[${Array.from({ length: 100 }, () => nestedArrays(LIMITS.maxDepth - 1)).join(',')}]`;
    assert.ok(parseBoundedJson(siblings, LIMITS));
    const escapedQuote = `["\\"[[[[", ${nestedArrays(LIMITS.maxDepth - 1)}]`;
    assert.ok(parseBoundedJson(escapedQuote, LIMITS));
  });

  it('refuses an object with too many keys and an array with too many elements', () => {
    const n = LIMITS.maxEntries;
    const object = (count: number) =>
      `{${Array.from({ length: count }, (_, i) => `"k${i}":${i % 2 ? '"v"' : '[1]'}`).join(',')}}`;
    const array = (count: number, item: string) => `[${Array.from({ length: count }, () => item).join(',')}]`;
    assert.ok(parseBoundedJson(object(n), LIMITS));
    assert.equal(refusal(object(n + 1)), `an object has more than ${n} keys`);
    for (const item of ['1', '"x"', 'null', '{}', '[]', 'true']) {
      assert.ok(parseBoundedJson(array(n, item), LIMITS), item);
      assert.equal(refusal(array(n + 1, item)), `an array has more than ${n} elements`, item);
    }
  });

  it('refuses a string longer than the limit once decoded, key or value, escapes counted as one', () => {
    const n = LIMITS.maxStringLength;
    assert.ok(parseBoundedJson(JSON.stringify({ v: 'x'.repeat(n) }), LIMITS));
    assert.ok(parseBoundedJson(`{"v":"${'\\u0041'.repeat(n)}"}`, LIMITS), 'six characters, one decoded');
    for (const text of [
      JSON.stringify({ v: 'x'.repeat(n + 1) }),
      JSON.stringify({ ['k'.repeat(n + 1)]: 1 }),
      JSON.stringify(['가'.repeat(n + 1)]),
      `"${'\\n'.repeat(n + 1)}"`,
    ])
      assert.equal(refusal(text), `a string is longer than ${n} characters`);
  });

  it('names every repeated key by its path, escaped spellings included, and keeps the last value as JSON.parse does', () => {
    const text =
      '{"SeoulRtd.citydata_ppltn":[{"AREA_NM":"a","AREA_NM":"b","FCST_PPLTN":[{"T":1,"\\u0054":2}]}],' +
      '"RESULT":{},"RESULT":{"x":1}}';
    const { value, duplicateKeys } = parseBoundedJson(text, LIMITS);
    assert.deepEqual(duplicateKeys, [
      'SeoulRtd.citydata_ppltn[0].AREA_NM',
      'SeoulRtd.citydata_ppltn[0].FCST_PPLTN[0].T',
      'RESULT',
    ]);
    assert.deepEqual(value, JSON.parse(text));
    assert.deepEqual(parseBoundedJson('{"a":1,"b":{"a":2}}', LIMITS).duplicateKeys, []);
  });

  it('says what kind of syntax error and where, never the text around it', () => {
    const secret = 'Zq8-Secret-Body-Bytes';
    for (const text of [
      `${secret} is not json`,
      `{"a": "${secret}`,
      `{"a": 1}${secret}`,
      `{"a": 1, ${secret}}`,
      `["${secret}\u0001"]`,
      `{"a": "\\q${secret}"}`,
      `[1, 2, ${secret}]`,
      `{${secret}: 1}`,
    ]) {
      const message = refusal(text);
      assert.ok(!message.includes('Zq8') && !message.includes('Secret') && !message.includes('"'), message);
    }
  });

  it('copies a parsed value within the limits, every key and string mapped, `__proto__` kept as a plain key', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"a":["x",{"b":"y"}],"n":1}');
    const copy = copyWithinLimits(value, LIMITS, (text) => text.toUpperCase()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(copy), ['__PROTO__', 'A', 'N']);
    assert.deepEqual(copy.A, ['X', { B: 'Y' }]);
    const same = copyWithinLimits(value, LIMITS, (text) => text) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(same), Object.prototype);
    assert.deepEqual(Object.keys(same), ['__proto__', 'a', 'n']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('applies the same limits to a value from any parser (an XML document), with no recursion', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = { child: deep };
    assert.throws(() => copyWithinLimits(deep, LIMITS, (t) => t), JsonLimitError);
    assert.throws(
      () => copyWithinLimits({ v: 'x'.repeat(LIMITS.maxStringLength + 1) }, LIMITS, (t) => t),
      JsonLimitError,
    );
    assert.throws(
      () => copyWithinLimits(Array.from({ length: LIMITS.maxEntries + 1 }), LIMITS, (t) => t),
      JsonLimitError,
    );
  });
});
