/**
 * Finds the API key in text however it is written, and masks it. A server may echo the key
 * plainly, or in any encoding that some reader later decodes: JSON escapes (`\u0053`, any case,
 * for some characters or all), XML character references and the five XML entities (`&#83;`,
 * `&#x53;`, `&amp;`), percent-encoding (`%53`, any case, multi-byte UTF-8 included), mixed freely
 * character by character. It may also echo only part of the key: any run of
 * {@link KEY_FRAGMENT_LENGTH} or more consecutive characters of it is masked too.
 *
 * Applied twice by the client: to the answer as received (so `raw/` keeps no encoded key) and to
 * every string of the parsed answer (so what a decoder produced, e.g. `%53…` out of `\u0025…`, is
 * masked too).
 */

/** The shortest part of the key that counts as showing it (the whole key if it is shorter). */
export const KEY_FRAGMENT_LENGTH = 8;

export const KEY_MASK = '***';

/** One character read at a position, in one of its spellings, and where that spelling ends. */
interface Spelling {
  readonly character: string;
  readonly end: number;
}

/** A key made ready for searching: its characters, and where each character occurs in it. */
export interface KeyPattern {
  readonly characters: readonly string[];
  readonly positions: ReadonlyMap<string, readonly number[]>;
  /** The first UTF-16 unit of every character of the key, for a quick "cannot start here". */
  readonly firstUnits: ReadonlySet<number>;
  readonly minimumRun: number;
}

export function keyPattern(key: string): KeyPattern {
  const characters = [...key];
  const positions = new Map<string, number[]>();
  characters.forEach((character, index) => {
    positions.set(character, [...(positions.get(character) ?? []), index]);
  });
  return {
    characters,
    positions,
    firstUnits: new Set(characters.map((character) => character.charCodeAt(0))),
    minimumRun: Math.min(KEY_FRAGMENT_LENGTH, characters.length),
  };
}

/** `text` with every spelling of the key, or of a long enough part of it, replaced by `***`. */
export function maskKey(text: string, pattern: KeyPattern): string {
  const spans = keySpans(text, pattern);
  if (spans.length === 0) return text;
  let masked = '';
  let from = 0;
  for (const [start, end] of spans) {
    masked += text.slice(from, start) + KEY_MASK;
    from = end;
  }
  return masked + text.slice(from);
}

/** Whether `text` shows the key, or a long enough part of it, in any spelling. */
export function showsKey(text: string, pattern: KeyPattern): boolean {
  return keySpans(text, pattern).length > 0;
}

/** Where the key shows: non-overlapping [start, end) spans, longest first at each position. */
function keySpans(text: string, pattern: KeyPattern): [number, number][] {
  const spans: [number, number][] = [];
  const length = text.length;
  for (let at = 0; at < length; ) {
    const first = text.charCodeAt(at);
    // Fast path: a character that is neither in the key nor the start of an escape.
    if (first !== 0x25 && first !== 0x5c && first !== 0x26 && !pattern.firstUnits.has(first)) {
      at++;
      continue;
    }
    let end = -1;
    for (const spelling of spellingsAt(text, at)) {
      for (const index of pattern.positions.get(spelling.character) ?? []) {
        end = Math.max(end, runEnd(text, spelling.end, pattern, index + 1, 1));
      }
    }
    if (end > at) {
      spans.push([at, end]);
      at = end;
    } else at += (text.codePointAt(at) as number) > 0xffff ? 2 : 1;
  }
  return spans;
}

/**
 * How far a run of the key's characters, `matched` of them already read ending at `at`, and the
 * next expected at `index` in the key, goes on; -1 if it never reaches the minimum length.
 * Recursion depth is at most the key's length.
 */
function runEnd(text: string, at: number, pattern: KeyPattern, index: number, matched: number): number {
  let end = matched >= pattern.minimumRun ? at : -1;
  if (index >= pattern.characters.length || at >= text.length) return end;
  const expected = pattern.characters[index];
  for (const spelling of spellingsAt(text, at)) {
    if (spelling.character === expected)
      end = Math.max(end, runEnd(text, spelling.end, pattern, index + 1, matched + 1));
  }
  return end;
}

/** Every way to read one character at `at`: as it is, and as an escape, reference or percent-code. */
function spellingsAt(text: string, at: number): Spelling[] {
  const codePoint = text.codePointAt(at) as number;
  const plain = { character: String.fromCodePoint(codePoint), end: at + (codePoint > 0xffff ? 2 : 1) };
  const first = text.charCodeAt(at);
  const decoded =
    first === 0x25
      ? percentAt(text, at)
      : first === 0x5c
        ? jsonEscapeAt(text, at)
        : first === 0x26
          ? referenceAt(text, at)
          : undefined;
  return decoded ? [plain, decoded] : [plain];
}

const HEX2 = /^[0-9a-fA-F]{2}$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `%53`, or `%EC%84%9C` for one multi-byte character. */
function percentAt(text: string, at: number): Spelling | undefined {
  const byteAt = (offset: number) => {
    const hex = text.slice(offset + 1, offset + 3);
    return text.charCodeAt(offset) === 0x25 && HEX2.test(hex) ? Number.parseInt(hex, 16) : undefined;
  };
  const lead = byteAt(at);
  if (lead === undefined) return undefined;
  const count = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (count === 0) return undefined;
  const bytes = [lead];
  for (let n = 1; n < count; n++) {
    const next = byteAt(at + 3 * n);
    if (next === undefined) return undefined;
    bytes.push(next);
  }
  try {
    return { character: utf8.decode(Uint8Array.from(bytes)), end: at + 3 * count };
  } catch {
    return undefined;
  }
}

const JSON_SHORT: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** `\u0053` (a surrogate pair as two escapes), or `\/`, `\"` and the other short escapes. */
function jsonEscapeAt(text: string, at: number): Spelling | undefined {
  const next = text[at + 1];
  if (next === undefined) return undefined;
  if (next !== 'u') {
    const character = JSON_SHORT[next];
    return character === undefined ? undefined : { character, end: at + 2 };
  }
  const hex = text.slice(at + 2, at + 6);
  if (!HEX4.test(hex)) return undefined;
  const unit = Number.parseInt(hex, 16);
  if (unit >= 0xd800 && unit <= 0xdbff && text.startsWith('\\u', at + 6)) {
    const low = text.slice(at + 8, at + 12);
    const second = HEX4.test(low) ? Number.parseInt(low, 16) : 0;
    if (second >= 0xdc00 && second <= 0xdfff)
      return { character: String.fromCharCode(unit, second), end: at + 12 };
  }
  return { character: String.fromCharCode(unit), end: at + 6 };
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /^&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|(amp|lt|gt|quot|apos));/;

/** `&#83;`, `&#x53;` (leading zeros and either case allowed), or one of XML's five named entities. */
function referenceAt(text: string, at: number): Spelling | undefined {
  const match = REFERENCE.exec(text.slice(at, at + 12));
  if (!match) return undefined;
  const [whole, decimal, hex, name] = match;
  if (name) return { character: NAMED[name] as string, end: at + whole.length };
  const codePoint = Number.parseInt((decimal ?? hex) as string, decimal ? 10 : 16);
  if (codePoint > 0x10ffff) return undefined;
  return { character: String.fromCodePoint(codePoint), end: at + whole.length };
}
