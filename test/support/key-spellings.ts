/**
 * The ways a hostile server can spell the API key, and an independent decoder of everything a
 * reader might decode (written apart from lambdas/core/seoul-api/key-mask.ts, as the oracle of
 * the tests that search outputs for the key).
 */

export type Spelling = (character: string, index: number) => string;

const hex = (character: string, width: number) =>
  (character.codePointAt(0) as number).toString(16).padStart(width, '0');

/** One character in each encoding a reader may decode. */
export const SPELLINGS: Readonly<Record<string, Spelling>> = {
  plain: (c) => c,
  'json \\u lower': (c) => `\\u${hex(c, 4)}`,
  'json \\u upper': (c) => `\\u${hex(c, 4).toUpperCase()}`,
  'xml decimal': (c) => `&#${c.codePointAt(0)};`,
  'xml decimal, leading zeros': (c) => `&#000${c.codePointAt(0)};`,
  'xml hex': (c) => `&#x${hex(c, 2)};`,
  'xml hex upper, zeros': (c) => `&#x00${hex(c, 2).toUpperCase()};`,
  percent: (c) =>
    [...Buffer.from(c, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join(''),
  'percent upper': (c) =>
    [...Buffer.from(c, 'utf8')]
      .map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`)
      .join(''),
};

/** The key with each character spelled by `pick(index)`: whole, partial, or mixed encodings. */
export function spell(key: string, pick: (index: number) => Spelling): string {
  return [...key].map((character, index) => pick(index)(character, index)).join('');
}

/** Every text a reader could see in `text` by decoding it: itself, JSON-unescaped, XML-decoded, percent-decoded, and those combined. */
export function decodings(text: string): string[] {
  const json = (t: string) =>
    t.replace(/\\u([0-9a-fA-F]{4})|\\(["\\/bfnrt])/g, (_, code: string | undefined, short: string) =>
      code
        ? String.fromCharCode(Number.parseInt(code, 16))
        : (({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[short] ?? short),
    );
  const xml = (t: string) =>
    t.replace(/&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g, (whole, dec, hexa, name) => {
      if (name)
        return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[
          name
        ] as string;
      const code = Number.parseInt(dec ?? hexa, dec ? 10 : 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
  const percent = (t: string) =>
    t.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  const seen = new Set<string>([text]);
  for (let round = 0; round < 3; round++)
    for (const t of [...seen]) for (const decode of [json, xml, percent]) seen.add(decode(t));
  return [...seen];
}

/** Whether any decoding of `text` holds the key or any `run` consecutive characters of it. */
export function revealsKey(text: string, key: string, run = 8): string | undefined {
  const characters = [...key];
  const fragments =
    characters.length <= run
      ? [key]
      : characters.slice(0, characters.length - run + 1).map((_, i) => characters.slice(i, i + run).join(''));
  for (const decoded of decodings(text))
    for (const fragment of fragments) if (decoded.includes(fragment)) return fragment;
  return undefined;
}
