import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terminalIo } from '../../lambdas/cli/terminal.js';
import { ConsoleLog } from '../../lambdas/core/logger.js';
import { escapeControls } from '../../lambdas/core/printable.js';
import { ACTIVE } from '../support/terminal-active.js';

/** Text a hostile server (or a tampered lake) can send. */
const HOSTILE = [
  '\u001b]0;pwned\u0007', // retitle the window
  '\u001b[2J\u001b[H', // clear the screen
  '\u001b[1A\u001b[2K  places: 121 ok, 0 no data, 0 failed (of 121)', // rewrite the line above
  '\u009b31m', // C1 CSI: colour without ESC
  'a\rplaces: 121 ok', // carriage return overwrites the line
  'fake\n  places: 121 ok', // a line of its own
  'abc\u202edcba', // right-to-left override
  'x\u2028y\u2029z', // line and paragraph separators
  'zero\u200bwidth\ufeff', // invisible
  '\u0000\u0008\u007f', // NUL, backspace, DEL
];

describe('terminal safety', () => {
  it('escapes every active character, in the notation of a JSON string', () => {
    for (const text of HOSTILE) {
      const shown = escapeControls(text);
      assert.doesNotMatch(shown, ACTIVE, JSON.stringify(text));
      assert.doesNotMatch(shown, /\n/);
    }
    assert.equal(escapeControls('\u001b[2J'), '\\u001b[2J');
    assert.equal(escapeControls('a\nb\tc\rd'), 'a\\nb\\tc\\rd');
    assert.equal(escapeControls('a\nb', { keepNewlines: true }), 'a\nb');
    assert.equal(
      escapeControls('a,b\r\nc\rd\r\n', { keepNewlines: true }),
      'a,b\r\nc\\rd\r\n',
      'CRLF kept, a lone CR escaped',
    );
    assert.equal(
      escapeControls('여의도 · 광화문 😀'),
      '여의도 · 광화문 😀',
      'printable text is left as it is',
    );
  });

  it('keeps a JSON line meaning what it meant: escaping JSON.stringify output parses back to the same value', () => {
    for (const text of HOSTILE) {
      const line = escapeControls(JSON.stringify({ message: text, nested: [text] }));
      assert.deepEqual(JSON.parse(line), { message: text, nested: [text] });
      assert.doesNotMatch(line, ACTIVE);
    }
  });

  it('logs one inert line per call, in JSON and in text, whatever the values hold', () => {
    for (const format of ['json', 'text'] as const) {
      const lines: string[] = [];
      const log = new ConsoleLog('debug', (line) => lines.push(line), format);
      for (const text of HOSTILE) log.warn(text, { reason: text, [text]: 1, list: [text] });
      assert.equal(lines.length, HOSTILE.length);
      for (const line of lines) {
        assert.doesNotMatch(line, ACTIVE, line);
        assert.doesNotMatch(line, /\n/);
      }
    }
  });

  it('a command can never print an active character: the terminal writer escapes what it is given', () => {
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text), isTTY: true };
    const io = terminalIo(stream, stream, new AbortController().signal);
    for (const text of HOSTILE) {
      io.out(text);
      io.err(text);
      io.live?.(text);
    }
    // The live line's own clearing sequence is the only escape the writer sends.
    const ours = '\r\u001b[2K';
    for (const chunk of written.filter((text) => text !== ours)) assert.doesNotMatch(chunk, ACTIVE, chunk);
  });
});
