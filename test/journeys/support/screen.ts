/**
 * What a terminal shows for raw output: a carriage return moves back to the start of the line
 * (the next text overwrites it), `ESC [ K` erases (to the end, `1K` to the start, `2K` all of
 * the line), `ESC [ nG` moves to column n; other escape sequences draw nothing.
 * Enough of a terminal for what the command line writes (a live status line rewritten in place).
 */
/** The rest of a control sequence after its ESC: `[`, parameters, a letter. */
const CSI = /^\[([0-9;?]*)([A-Za-z])/;

export function screenText(raw: string): string {
  const lines: string[] = [];
  let line = '';
  let column = 0;
  const put = (ch: string) => {
    line = line.slice(0, column) + ch + line.slice(column + 1);
    column++;
  };
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '\x1b') {
      const csi = CSI.exec(raw.slice(i + 1));
      if (csi) {
        const [, parameter = '', letter] = csi;
        if (letter === 'K' && parameter === '2') line = ' '.repeat(line.length);
        else if (letter === 'K' && parameter === '1') line = ' '.repeat(column) + line.slice(column);
        else if (letter === 'K') line = line.slice(0, column);
        else if (letter === 'G') column = Math.max(0, Number(parameter || '1') - 1);
        i += csi[0].length;
      }
      continue;
    }
    if (ch === '\r') column = 0;
    else if (ch === '\n') {
      lines.push(line.trimEnd());
      line = '';
      column = 0;
    } else put(ch);
  }
  if (line.trimEnd() !== '') lines.push(line.trimEnd());
  return lines.join('\n');
}
