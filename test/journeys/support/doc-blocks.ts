import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The documentation a person reads: README.md and every docs/*.md, paths relative to the repo. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** A fenced code block: where it is, its info string split into words, and its text. */
export interface DocBlock {
  readonly file: string;
  /** Line of the opening fence, from 1. */
  readonly line: number;
  /** The info string's words: ```sql duckdb redshift → ['sql', 'duckdb', 'redshift']. */
  readonly info: readonly string[];
  readonly text: string;
}

/** Every fenced block of a Markdown text (``` or ~~~ fences, as CommonMark opens and closes them). */
export function fencedBlocks(file: string, markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[1] as string;
    const body: string[] = [];
    let j = i + 1;
    const closes = (line: string) =>
      new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(line);
    while (j < lines.length && !closes(lines[j] as string)) body.push(lines[j++] as string);
    blocks.push({
      file,
      line: i + 1,
      info: (open[2] as string).trim().split(/\s+/).filter(Boolean),
      text: body.join('\n'),
    });
    i = j;
  }
  return blocks;
}

export function allBlocks(root: string): DocBlock[] {
  return docFiles(root).flatMap((file) => fencedBlocks(file, readFileSync(join(root, file), 'utf8')));
}

/** Info strings a block may start with, and what they mean for the tests. */
export const SHELL_LANGUAGES = ['sh', 'bash', 'shell'];
/** A block of text that is not run: output, a layout, a synopsis. */
export const TEXT_LANGUAGES = ['text', 'console-output'];
export const SQL_DIALECTS = ['duckdb', 'redshift'] as const;

/** One command of a shell block, as a person would type it (one logical line, no comment). */
export interface DocCommand {
  readonly file: string;
  readonly line: number;
  /** The command as the shell reads it: continuations joined, comments dropped, quotes kept. */
  readonly text: string;
  /** The same with every run of whitespace made one space: what journeys match against. */
  readonly normalized: string;
}

/**
 * Splits a shell block into commands the way the shell reads lines: a newline ends a command
 * unless it is inside quotes or escaped by a backslash; `#` at the start of a word begins a
 * comment. (Enough of the shell's grammar for documentation; heredocs are not used.)
 */
export function shellCommands(block: DocBlock): DocCommand[] {
  const commands: DocCommand[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let line = block.line + 1;
  let startLine = line;
  const text = block.text;
  const finish = () => {
    const command = current.trim();
    if (command !== '')
      commands.push({
        file: block.file,
        line: startLine,
        text: command,
        normalized: command.replace(/\s+/g, ' '),
      });
    current = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (current.trim() === '' && ch !== '\n') startLine = line;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      if (ch === '\n') line++;
      current += ch;
    } else if (ch === '\\' && text[i + 1] === '\n') {
      i++;
      line++;
      current += ' ';
    } else if (ch === '\\') {
      current += ch + (text[i + 1] ?? '');
      i++;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      if (ch === '\n') line++;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === '#' && (current === '' || /\s$/.test(current))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (ch === '\n') {
      finish();
      line++;
    } else {
      current += ch;
    }
  }
  if (quote) throw new Error(`${block.file}:${block.line}: a quote opened in this block is never closed`);
  finish();
  return commands;
}

/** Every command of every shell block of the docs. */
export function documentedCommands(root: string): DocCommand[] {
  return allBlocks(root)
    .filter((block) => SHELL_LANGUAGES.includes(block.info[0] ?? ''))
    .flatMap(shellCommands);
}
