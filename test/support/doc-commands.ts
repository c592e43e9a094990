import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One command a document asks a person to run, with where it was found. */
export interface DocCommand {
  readonly file: string;
  readonly line: number;
  /** The command as written, continuation lines joined. */
  readonly text: string;
  /** Its words, quotes removed (a `$(…)` substitution stays one word). */
  readonly argv: readonly string[];
}

/** README.md and every docs/*.md of the repository. */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', name));
  return ['README.md', ...docs];
}

interface Snippet {
  readonly line: number;
  readonly text: string;
}

/**
 * The shell a document holds: every fenced block marked sh, bash, shell or console (continuation
 * lines joined, comments removed), and every inline code span that starts with a command.
 */
export function shellSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  let fence: { shell: boolean } | undefined;
  let pending: Snippet | undefined;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    const opening = /^(```|~~~)\s*([\w-]*)/.exec(trimmed);
    if (opening) {
      fence = fence ? undefined : { shell: ['sh', 'bash', 'shell', 'console'].includes(opening[2] ?? '') };
      return;
    }
    if (fence) {
      if (!fence.shell) return;
      const text = stripComment(raw.replace(/^\s*\$ /, ''));
      const joined = pending ? `${pending.text} ${text.trim()}` : text.trim();
      if (/\\\s*$/.test(text)) {
        pending = { line: pending?.line ?? line, text: joined.replace(/\\\s*$/, '') };
        return;
      }
      if (joined !== '') snippets.push({ line: pending?.line ?? line, text: joined });
      pending = undefined;
      return;
    }
    for (const match of raw.matchAll(/`([^`]+)`/g)) {
      const code = (match[1] as string).trim();
      // A command, not a placeholder for one (`aws …`): the program and then a word of its own.
      if (/^(aws|npx cdk)\s+[a-z-]/.test(code)) snippets.push({ line, text: code });
    }
  });
  return snippets;
}

/** Drops a `#` comment that is outside quotes and starts a word. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) return text.slice(0, i);
  }
  return text;
}

/**
 * The simple commands of a line of shell that start with `program` (e.g. `aws`): at the start of
 * the line, after `&&`, `||`, `;`, `|`, `{` or `(`, or at the start of a `$( … )` substitution,
 * each up to the separator that ends it at its own nesting depth.
 */
export function commandsIn(text: string, program: string): string[] {
  const found: string[] = [];
  const starts = commandStarts(text);
  for (const start of starts) {
    const rest = text.slice(start);
    if (!rest.startsWith(`${program} `) && rest !== program) continue;
    found.push(rest.slice(0, commandEnd(rest)).trim());
  }
  return found;
}

function commandStarts(text: string): number[] {
  const starts: number[] = [];
  let quote: string | undefined;
  let atStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (atStart && !/\s/.test(c)) {
      starts.push(i);
      atStart = false;
    }
    if (quote === "'") {
      if (c === "'") quote = undefined;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') {
      quote = quote ? undefined : '"';
      continue;
    }
    if (c === "'" && !quote) {
      quote = "'";
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      i++;
      atStart = true;
      continue;
    }
    if (quote) continue;
    if (c === ';' || c === '|' || c === '&' || c === '{' || c === '(') atStart = true;
  }
  return starts;
}

/** Where the command at the start of `text` ends: an unquoted separator at depth 0. */
function commandEnd(text: string): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      depth++;
      i++;
      continue;
    }
    if (c === '"') {
      quote = quote ? undefined : '"';
      continue;
    }
    if (c === "'" && !quote) {
      quote = "'";
      continue;
    }
    if (c === ')' && depth > 0) {
      depth--;
      continue;
    }
    if (quote || depth > 0) continue;
    if (c === ';' || c === '|' || c === '&' || c === ')' || c === '}') return i;
  }
  return text.length;
}

/** Words of a simple command: quotes removed, a `$(…)` kept as one word. */
export function words(command: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (depth > 0) {
      word += c;
      if (c === '(') depth++;
      if (c === ')') depth--;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '$' && command[i + 1] === '(' && quote === '"') {
        word += '$(';
        depth = 1;
        i++;
      } else word += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '"' || c === "'") quote = c;
    else if (c === '$' && command[i + 1] === '(') {
      word += '$(';
      depth = 1;
      i++;
    } else word += c;
  }
  if (inWord) out.push(word);
  return out;
}

/** Every `program …` command of the README and the docs. */
export function documentedCommands(root: string, program: 'aws' | 'npx cdk'): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const file of documentationFiles(root)) {
    for (const snippet of shellSnippets(readFileSync(join(root, file), 'utf8'))) {
      for (const text of commandsIn(snippet.text, program)) {
        commands.push({ file, line: snippet.line, text, argv: words(text) });
      }
    }
  }
  return commands;
}

/** The value of `--name value` or `--name=value`, or undefined. */
export function option(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === name) return argv[i + 1] ?? '';
    if (word.startsWith(`${name}=`)) return word.slice(name.length + 1);
  }
  return undefined;
}

/**
 * What AWS CLI v2 needs for a command to run as written, or an empty list. The region: every
 * command that calls a service names it (the docs never rely on a profile's region). A
 * `--payload` given as text: v2 reads blob parameters as base64 unless told
 * `--cli-binary-format raw-in-base64-out` (AWS CLI v2 migration guide), so JSON would be refused.
 */
export function awsCliProblems(argv: readonly string[]): string[] {
  if (argv[0] !== 'aws') return ['not an aws command'];
  const service = argv[1] ?? '';
  if (service === '' || service.startsWith('--') || service === 'configure' || service === 'help') return [];
  const problems: string[] = [];
  const region = option(argv, '--region');
  if (region === undefined || region === '') problems.push('no --region');
  const payload = option(argv, '--payload');
  if (payload !== undefined && !payload.startsWith('fileb://')) {
    if (option(argv, '--cli-binary-format') !== 'raw-in-base64-out') {
      problems.push('--payload without --cli-binary-format raw-in-base64-out');
    }
  }
  return problems;
}

/** CDK CLI subcommands by whether they need an AWS account (credentials, a deployed stack). */
export const CDK_SUBCOMMANDS: Readonly<Record<string, 'no account' | 'account'>> = {
  synth: 'no account',
  synthesize: 'no account',
  ls: 'no account',
  list: 'no account',
  doctor: 'no account',
  deploy: 'account',
  destroy: 'account',
  bootstrap: 'account',
  diff: 'account',
  import: 'account',
  watch: 'account',
  drift: 'account',
  rollback: 'account',
};

/** The subcommand of `npx cdk …` (the first word after `cdk` that is not an option). */
export function cdkSubcommand(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((word) => !word.startsWith('-'));
}

/** `-c key=value` / `--context key=value` pairs of a cdk command. */
export function cdkContext(argv: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  argv.forEach((word, i) => {
    const pair =
      word === '-c' || word === '--context'
        ? argv[i + 1]
        : word.startsWith('--context=')
          ? word.slice(10)
          : undefined;
    if (!pair) return;
    const at = pair.indexOf('=');
    if (at > 0) context[pair.slice(0, at)] = pair.slice(at + 1);
  });
  return context;
}
