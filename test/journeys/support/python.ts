import { spawnSync } from 'node:child_process';

/**
 * Parses what a program reads, with Python's csv and json modules: parsers that share no code
 * with the command line's writers.
 */
function python(script: string, input: string): unknown {
  const run = spawnSync('python3', ['-c', script], { input, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python3 could not parse it:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** CSV records, strictly (a malformed quote is an error, not a guess); the header is records[0]. */
export function parseCsvWithPython(text: string): string[][] {
  return python(
    'import csv, io, json, sys\n' +
      "data = sys.stdin.buffer.read().decode('utf-8')\n" +
      "rows = list(csv.reader(io.StringIO(data, newline=''), strict=True))\n" +
      'print(json.dumps(rows))',
    text,
  ) as string[][];
}

/** JSON Lines: each non-empty line one JSON object (json.loads refuses anything else). */
export function parseJsonLinesWithPython(text: string): Record<string, unknown>[] {
  return python(
    'import json, sys\n' +
      'rows = []\n' +
      'for line in sys.stdin.read().split("\\n"):\n' +
      '    if line == "": continue\n' +
      '    row = json.loads(line)\n' +
      '    assert isinstance(row, dict), line\n' +
      '    rows.append(row)\n' +
      'print(json.dumps(rows))',
    text,
  ) as Record<string, unknown>[];
}
