import { SqlTemplateError } from './errors.js';

/** A piece of SQL text: code, a quoted literal or identifier, or a comment. */
interface Segment {
  readonly kind: 'code' | 'quoted' | 'comment';
  readonly text: string;
}

/**
 * Cuts SQL into code, quoted parts ('…', "…", $tag$…$tag$) and comments (-- and /* *\/), so that
 * a `;` or a `:name` inside a string or a comment is never taken for a statement end or a
 * parameter. An unterminated quote or comment is an error: the file would not run anyway.
 */
function segments(sql: string): Segment[] {
  const out: Segment[] = [];
  let code = '';
  let i = 0;
  const flush = () => {
    if (code !== '') out.push({ kind: 'code', text: code });
    code = '';
  };
  const until = (end: string, from: number, what: string): number => {
    const at = sql.indexOf(end, from);
    if (at < 0) throw new SqlTemplateError(`unterminated ${what} starting at character ${i}`);
    return at + end.length;
  };
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    let end = -1;
    let kind: Segment['kind'] = 'quoted';
    if (ch === '-' && next === '-') {
      const newline = sql.indexOf('\n', i);
      end = newline < 0 ? sql.length : newline;
      kind = 'comment';
    } else if (ch === '/' && next === '*') {
      end = until('*/', i + 2, 'comment');
      kind = 'comment';
    } else if (ch === "'" || ch === '"') {
      // A doubled quote inside the literal is an escaped quote, not its end.
      let j = i + 1;
      for (;;) {
        j = until(ch, j, 'quoted text');
        if (sql[j] !== ch) break;
        j++;
      }
      end = j;
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
      if (tag) end = until(tag[0], i + tag[0].length, 'dollar-quoted text');
    }
    if (end < 0) {
      code += ch;
      i++;
      continue;
    }
    flush();
    out.push({ kind, text: sql.slice(i, end) });
    i = end;
  }
  flush();
  return out;
}

/** Drops comment lines and blank lines before the first line of code. */
function trimLeadingComments(statement: string): string {
  return statement.replace(/^(\s*--[^\n]*(\n|$)|\s+)*/, '').trim();
}

/**
 * Splits a SQL file into statements at every `;` that is code. Statements that hold only comments
 * are dropped; the comments inside a statement are kept (they document it in query history).
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  for (const segment of segments(sql)) {
    if (segment.kind !== 'code') {
      current += segment.text;
      continue;
    }
    const parts = segment.text.split(';');
    current += parts[0];
    for (const part of parts.slice(1)) {
      statements.push(current);
      current = part;
    }
  }
  statements.push(current);
  return statements.map(trimLeadingComments).filter((statement) => hasCode(statement));
}

function hasCode(statement: string): boolean {
  return segments(statement).some((segment) => segment.kind !== 'comment' && segment.text.trim() !== '');
}

/**
 * The Data API parameters a statement refers to (`:name`), in order of first use. A `::type`
 * cast and a colon inside a literal (such as `'s3://…'`) are not parameters.
 */
export function parameterNames(sql: string): string[] {
  const names = new Set<string>();
  for (const segment of segments(sql)) {
    if (segment.kind !== 'code') continue;
    for (const match of segment.text.matchAll(/(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g))
      names.add(match[1] as string);
  }
  return [...names];
}

/**
 * Rewrites every `:name` parameter with `replace(name)`, leaving casts, literals and comments as
 * they are: how an engine with another parameter syntax (DuckDB's `$name`) runs the same text.
 */
export function replaceParameters(sql: string, replace: (name: string) => string): string {
  return segments(sql)
    .map((segment) =>
      segment.kind === 'code'
        ? segment.text.replace(/(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => replace(name))
        : segment.text,
    )
    .join('');
}

const PLACEHOLDER = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;

/** The `{{name}}` placeholders of a SQL template, without repeats. */
export function placeholderNames(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}

/**
 * Fills `{{name}}` placeholders. Only for values Redshift cannot take as bound parameters
 * (identifiers and literals inside DDL and COPY); each value must already have passed its
 * validator in `sql-values.ts`, which admits no quote, backslash or semicolon.
 */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  const missing = placeholderNames(template).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new SqlTemplateError(`no value for placeholder(s) ${missing.join(', ')}`);
  return template.replace(PLACEHOLDER, (_, name: string) => values[name] as string);
}
