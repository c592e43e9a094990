import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fencedBlocks, shellCommands } from '../journeys/support/doc-blocks.js';
import { screenText } from '../journeys/support/screen.js';

// The journeys suite finds the documented commands with these; a command they miss would have no
// journey and nobody would know. Hand-written Markdown, hand-written expectations.

const commandsOf = (markdown: string) =>
  fencedBlocks('doc.md', markdown).flatMap((block) => shellCommands(block).map((c) => [c.line, c.text]));

describe('journeys harness: commands of a shell block, as the shell reads them', () => {
  it('one command a line; comments and blank lines dropped; the line numbers of the file', () => {
    const md =
      '# Title\n\n```sh\nnpm ci\n\n# a comment line\nnpm run demo -- --days 2   # trailing comment\n```\n';
    assert.deepEqual(commandsOf(md), [
      [4, 'npm ci'],
      [7, 'npm run demo -- --days 2'],
    ]);
  });

  it('a newline inside quotes stays in the command; a backslash-newline joins lines', () => {
    const md =
      '```sh\nnpm run query -- "SELECT a,\n   b FROM t" --lake x\naws s3 ls \\\n  --recursive "s3://b/"\n```';
    assert.deepEqual(commandsOf(md), [
      [2, 'npm run query -- "SELECT a,\n   b FROM t" --lake x'],
      [4, 'aws s3 ls    --recursive "s3://b/"'],
    ]);
  });

  it('a # inside quotes or inside a word is not a comment', () => {
    const md = '```sh\necho \'a # b\' "c # d" e#f # gone\n```';
    assert.deepEqual(commandsOf(md), [[2, `echo 'a # b' "c # d" e#f`]]);
  });

  it('an escaped quote does not open a string', () => {
    const md = '```sh\necho \\"x y\nnext\n```';
    assert.deepEqual(commandsOf(md), [
      [2, 'echo \\"x y'],
      [3, 'next'],
    ]);
  });

  it('a quote never closed is an error, not a command that swallows the rest', () => {
    assert.throws(() => commandsOf('```sh\necho "open\n```'), /never closed/);
  });

  it('reads the info string and tells fences apart (``` inside ~~~, longer fences)', () => {
    const md = '~~~sql duckdb redshift\nSELECT 1;\n```\n~~~\n````text\n```\ninner\n```\n````\n';
    const blocks = fencedBlocks('doc.md', md);
    assert.deepEqual(
      blocks.map((b) => [b.line, b.info, b.text]),
      [
        [1, ['sql', 'duckdb', 'redshift'], 'SELECT 1;\n```'],
        [5, ['text'], '```\ninner\n```'],
      ],
    );
  });
});

describe('journeys harness: what a terminal shows', () => {
  it('a status line rewritten in place shows its last text only', () => {
    assert.equal(screenText('run 1/3\r\x1b[2Krun 2/3\r\x1b[2K\rdone\n'), 'done');
  });
  it('CRLF line ends and colour codes draw nothing', () => {
    assert.equal(screenText('\x1b[1mbold\x1b[0m\r\nnext\r\n'), 'bold\nnext');
  });
  it("npm's spinner, taken back by ESC [1G ESC [0K, leaves nothing before the line that follows", () => {
    assert.equal(
      screenText('⠙\x1b[1G\x1b[0K\r\n> demo\r\n⠙\x1b[1G\x1b[0K[SIMULATED] x\r\n'),
      '\n> demo\n[SIMULATED] x',
    );
  });
  it('a shorter text after a carriage return overwrites only its own width', () => {
    assert.equal(screenText('abcdef\rXY\n'), 'XYcdef');
  });
});
