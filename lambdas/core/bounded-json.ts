/**
 * JSON from outside, read within limits. V8's `JSON.parse` itself is iterative and survives any
 * nesting, but what is done with its result afterwards (`JSON.stringify`, `structuredClone`, the
 * Parquet encoder) recurses, so a 100,000-deep value overflows the stack far from where it came in.
 * No well-kept JavaScript library bounds a parse (fast-xml-parser does, for XML: `maxNestedTags`), so
 * a linear pre-scan does it here, before `JSON.parse`: nesting depth, entries per object or array,
 * and the length of every string. The same pass finds duplicate keys, which `JSON.parse` silently
 * resolves to the last value.
 */

export interface JsonLimits {
  /** Objects and arrays nested deeper than this are refused. */
  readonly maxDepth: number;
  /** An object with more keys, or an array with more elements, is refused. */
  readonly maxEntries: number;
  /** A string (key or value) longer than this many characters, once decoded, is refused. */
  readonly maxStringLength: number;
}

/**
 * An API answer: a real one is 5 levels deep (answer → list → record → forecast list → forecast;
 * the integrated `citydata` service about 7), has at most a few hundred entries in any list, and
 * strings of a few hundred characters. 65,535 is also the longest VARCHAR Redshift stores, in bytes.
 */
export const ANSWER_LIMITS: JsonLimits = { maxDepth: 32, maxEntries: 10_000, maxStringLength: 65_535 };

/**
 * A Kafka message or a raw/ line: an envelope holds an answer two levels down, and the answer as
 * received as one string, which the answer's own size ceiling and Kafka's message limit bound.
 */
export const ENVELOPE_LIMITS: JsonLimits = {
  maxDepth: ANSWER_LIMITS.maxDepth + 4,
  maxEntries: ANSWER_LIMITS.maxEntries,
  maxStringLength: Number.MAX_SAFE_INTEGER,
};

/** A document over one of the limits; the message says which, never what the document held. */
export class JsonLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonLimitError';
  }
}

/** Not JSON; the message says what kind of mistake and where, never what the text held. */
export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export interface BoundedJson {
  readonly value: unknown;
  /** Where a key was repeated in one object, e.g. `SeoulRtd.citydata_ppltn[0].AREA_NM`. */
  readonly duplicateKeys: readonly string[];
}

interface Frame {
  readonly isObject: boolean;
  entries: number;
  /** In an object: the next string is a key. In an array: an element has started since the last comma. */
  expectKey: boolean;
  elementOpen: boolean;
  /** The key being read, for naming where a duplicate is. */
  key: string;
  keys?: Set<string>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses `text` as JSON if it stays within `limits`; throws {@link JsonLimitError} or
 * {@link JsonSyntaxError} otherwise. Linear in the text's length, with no recursion.
 */
export function parseBoundedJson(text: string, limits: JsonLimits): BoundedJson {
  const duplicateKeys = scan(text, limits);
  try {
    return { value: JSON.parse(text), duplicateKeys };
  } catch (error) {
    throw new JsonSyntaxError(describeJsonSyntaxError(error));
  }
}

/**
 * One pass over the text that only counts: it trusts `JSON.parse` to judge the syntax afterwards,
 * so on text that is not JSON it may count oddly, but it always ends, in linear time.
 */
function scan(text: string, limits: JsonLimits): string[] {
  const stack: Frame[] = [];
  const duplicates: string[] = [];
  const length = text.length;
  const top = () => stack[stack.length - 1];
  for (let at = 0; at < length; at++) {
    const code = text.charCodeAt(at);
    if (code <= 0x20) continue;
    if (code === QUOTE) {
      const start = at;
      let characters = 0;
      for (at++; at < length; at++) {
        const inner = text.charCodeAt(at);
        if (inner === QUOTE) break;
        // An escape is one character once decoded: \uXXXX, or a backslash and one more.
        if (inner === BACKSLASH) at += text.charCodeAt(at + 1) === 0x75 ? 5 : 1;
        if (++characters > limits.maxStringLength)
          throw new JsonLimitError(`a string is longer than ${limits.maxStringLength} characters`);
      }
      const frame = top();
      if (frame?.isObject && frame.expectKey) {
        frame.expectKey = false;
        const key = decodeKey(text.slice(start, at + 1));
        frame.key = key ?? '?';
        if (key === undefined) continue;
        frame.keys ??= new Set();
        if (frame.keys.has(key)) duplicates.push(pathOf(stack));
        else frame.keys.add(key);
      } else elementStarts(frame, limits);
    } else if (code === 0x7b || code === 0x5b) {
      // { or [
      elementStarts(top(), limits);
      if (stack.length >= limits.maxDepth)
        throw new JsonLimitError(`objects and arrays are nested more than ${limits.maxDepth} levels deep`);
      stack.push({
        isObject: code === 0x7b,
        entries: 0,
        expectKey: code === 0x7b,
        elementOpen: false,
        key: '',
      });
    } else if (code === 0x7d || code === 0x5d) {
      // } or ]
      stack.pop();
    } else if (code === 0x2c) {
      // ,
      const frame = top();
      if (frame?.isObject) frame.expectKey = true;
      else if (frame) frame.elementOpen = false;
    } else if (code === 0x3a) {
      // : one more entry of the object
      const frame = top();
      if (frame?.isObject && ++frame.entries > limits.maxEntries)
        throw new JsonLimitError(`an object has more than ${limits.maxEntries} keys`);
    } else {
      // a number, true, false or null
      elementStarts(top(), limits);
      while (at + 1 < length && !STOPS.has(text.charCodeAt(at + 1))) at++;
    }
  }
  return duplicates;
}

/** Characters that end a bare value (a number, true, false, null). */
const STOPS = new Set([0x2c, 0x5d, 0x7d, 0x20, 0x09, 0x0a, 0x0d, QUOTE, 0x7b, 0x5b, 0x3a]);

/** A value starts: in an array, that is one more element (an object counts its entries at ':'). */
function elementStarts(frame: Frame | undefined, limits: JsonLimits): void {
  if (!frame || frame.isObject || frame.elementOpen) return;
  frame.elementOpen = true;
  if (++frame.entries > limits.maxEntries)
    throw new JsonLimitError(`an array has more than ${limits.maxEntries} elements`);
}

function decodeKey(token: string): string | undefined {
  try {
    const key: unknown = JSON.parse(token);
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** `SeoulRtd.citydata_ppltn[0].AREA_NM`: keys that are plain names as they are, others quoted. */
function pathOf(stack: readonly Frame[]): string {
  return stack
    .map((frame, index) => {
      if (!frame.isObject) return `[${frame.entries - 1}]`;
      const name = frame.key.length > 40 ? `${frame.key.slice(0, 40)}…` : frame.key;
      return /^[A-Za-z_][\w.]*$/.test(name)
        ? `${index === 0 ? '' : '.'}${name}`
        : `[${JSON.stringify(name)}]`;
    })
    .join('');
}

/**
 * V8's messages quote the text around the mistake (`Unexpected token 'x', "…" is not valid JSON`),
 * and a hostile server chooses that text. This keeps what kind of mistake it is and where.
 */
export function describeJsonSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message)?.[1];
  const where = position === undefined ? '' : ` at character ${position}`;
  for (const [pattern, kind] of SYNTAX_KINDS) if (pattern.test(message)) return `${kind}${where}`;
  return `not valid JSON${where}`;
}

const SYNTAX_KINDS: readonly (readonly [RegExp, string])[] = [
  [/Unexpected end of JSON input/, 'the text ends before the JSON does'],
  [/Unterminated string/, 'a string is not closed'],
  [/Bad control character/, 'a control character inside a string'],
  [/Bad (escaped character|Unicode escape)/, 'a bad escape inside a string'],
  [/Expected property name|Expected ':'|Expected ',' or '[}\]]'/, 'an object or array is not well formed'],
  [/Unexpected non-whitespace character after JSON/, 'more text after the JSON value'],
  [/Unexpected token|Unexpected number|Unexpected string/, 'an unexpected character'],
];

/**
 * A copy of a parsed value (JSON or XML) with `mapText` applied to every key and string, checked
 * against `limits` on the way: the same limits whichever parser produced it, walked with a stack of
 * its own, never by recursion. Keys are defined, not assigned, so `__proto__` stays a plain key.
 */
export function copyWithinLimits(
  value: unknown,
  limits: JsonLimits,
  mapText: (text: string) => string,
): unknown {
  const scalar = (item: unknown): unknown => {
    if (typeof item !== 'string') return item;
    if (item.length > limits.maxStringLength)
      throw new JsonLimitError(`a string is longer than ${limits.maxStringLength} characters`);
    return mapText(item);
  };
  if (typeof value !== 'object' || value === null) return scalar(value);
  const emptyLike = (item: object): Record<string, unknown> | unknown[] => (Array.isArray(item) ? [] : {});
  const root = emptyLike(value);
  const work: { source: object; target: Record<string, unknown> | unknown[]; depth: number }[] = [
    { source: value, target: root, depth: 1 },
  ];
  for (let item = work.pop(); item; item = work.pop()) {
    const { source, target, depth } = item;
    if (depth > limits.maxDepth)
      throw new JsonLimitError(`objects and arrays are nested more than ${limits.maxDepth} levels deep`);
    const isArray = Array.isArray(source);
    const entries = isArray ? [...source.entries()] : Object.entries(source);
    if (entries.length > limits.maxEntries)
      throw new JsonLimitError(
        isArray
          ? `an array has more than ${limits.maxEntries} elements`
          : `an object has more than ${limits.maxEntries} keys`,
      );
    for (const [name, child] of entries) {
      const key = isArray ? String(name) : (scalar(String(name)) as string);
      let copy: unknown;
      if (typeof child === 'object' && child !== null) {
        copy = emptyLike(child);
        work.push({ source: child, target: copy as Record<string, unknown>, depth: depth + 1 });
      } else copy = scalar(child);
      Object.defineProperty(target, key, {
        value: copy,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return root;
}
