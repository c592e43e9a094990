/** Markdown for the generated documentation: one table at a time, cells escaped. */

/** A cell's text: a pipe would end the cell and a line break the row, so neither gets through. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** Text in backticks, as a value reads in the docs. */
export function code(text: string): string {
  return `\`${text}\``;
}

/** A table: a header row, its separator, one row per entry. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The first line of every generated file: what it comes from and the command that writes it. */
export function generatedNotice(sources: readonly string[]): string {
  const edit = sources.length === 1 ? 'edit it' : 'edit those';
  return `> Generated from ${sources.map(code).join(' and ')} by ${code('npm run generate:docs')}: ${edit}, not this file.`;
}
