/**
 * Characters that make a terminal do something other than show a character: C0 and C1 controls
 * (ESC starts the sequences that recolour, move the cursor, clear the screen or retitle the
 * window; C1 CSI U+009B does the same in one character), DEL, the line and paragraph separators,
 * and the invisible format characters that reorder or hide text (bidirectional overrides and
 * isolates, zero-width characters, the soft hyphen, the byte-order mark).
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text that came from the API or the lake, made safe to print: every character of {@link UNSAFE}
 * becomes its escape (`\n`, `\u001b`, `\u202e`), the notation of a JSON string, so an escaped JSON
 * line means what it meant before. `keepNewlines` keeps `\n` for text made of whole lines of our
 * own (a summary, CSV's CRLF); a value printed inside a line escapes it, so it can never start a line that
 * looks like ours. The logs, the run summary and every command's output go through this one function.
 */
export function escapeControls(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(UNSAFE, (character, offset: number) => {
    // Line breaks of our own, LF or CRLF (RFC 4180 CSV ends its lines with CRLF); a lone CR,
    // which would let text overwrite its own line, is escaped.
    if (options.keepNewlines && (character === '\n' || (character === '\r' && text[offset + 1] === '\n')))
      return character;
    return SHORT[character] ?? `\\u${(character.codePointAt(0) as number).toString(16).padStart(4, '0')}`;
  });
}
