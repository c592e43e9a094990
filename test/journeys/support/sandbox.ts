import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { screenText } from './screen.js';

/** The repository these journeys document. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Variables a person's shell would not have: the test runner's, npm's own (a nested `npm run`
 * would inherit the outer one's settings), and the project's, which a journey sets itself.
 */
const NOT_A_PERSONS = /^(NODE_TEST|npm_|NODE_OPTIONS$|INIT_CWD$|LAKE_DIR$|SEOUL_|KAFKA_|AWS_|CTRL_C_SEED$)/;

export interface RunOptions {
  /** Run in a terminal (a pseudo-tty from util-linux `script`): stdout and stderr are one screen. */
  readonly terminal?: boolean;
  readonly env?: Record<string, string>;
  /** Killed, with its whole process group, after this long. @default 180 s */
  readonly timeoutMs?: number;
  /** Called on every output; return true to press Ctrl-C (once) in the terminal. */
  readonly interruptWhen?: (screen: string) => boolean;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the terminal shows (terminal runs), or stdout then stderr. */
  readonly screen: string;
  /** When the command started and ended (ms since the epoch): a journey's clock oracle. */
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * A fresh copy of the repository (its tracked and unignored files, node_modules linked) in which
 * commands run as a person runs them: `bash -c` with the documented text, in the copy's root, so
 * `./demo-lake` or `evening.csv` land in the copy, never in the working tree.
 */
export class Sandbox {
  readonly root: string;
  private readonly base: string;
  /** Kept after the run (and reused by the next one): `JOURNEYS_SANDBOX=DIR`, for working on journeys. */
  readonly kept: boolean;

  constructor(keepIn = process.env.JOURNEYS_SANDBOX) {
    this.kept = keepIn !== undefined && keepIn !== '';
    this.base = this.kept ? (keepIn as string) : mkdtempSync(join(tmpdir(), 'journeys-'));
    this.root = join(this.base, 'repo');
    const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
    for (const file of listed.stdout.split('\0').filter(Boolean)) {
      mkdirSync(dirname(join(this.root, file)), { recursive: true });
      try {
        copyFileSync(join(REPO, file), join(this.root, file));
      } catch (error) {
        // A file deleted in the working tree but still in the index is not part of what a person has.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    // Removed when the suite ends, and in any case when its process exits (a failed run too).
    if (!this.kept) process.once('exit', () => this.remove());
    if (!existsSync(join(this.root, 'node_modules')))
      symlinkSync(join(REPO, 'node_modules'), join(this.root, 'node_modules'));
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Runs one shell command line in the sandbox's root. */
  run(command: string, options: RunOptions = {}): Promise<RunResult> {
    const env: Record<string, string> = { TERM: 'xterm', LANG: 'C.UTF-8' };
    for (const [name, value] of Object.entries(process.env))
      if (value !== undefined && !NOT_A_PERSONS.test(name)) env[name] = value;
    Object.assign(env, options.env);
    const terminal = options.terminal ?? false;
    // script(1) gives the command a pseudo-terminal of a usual size; -e passes on its exit status.
    const argv = terminal
      ? ['script', ['-qefc', `stty cols 120 rows 40; exec bash -c ${shellQuote(command)}`, '/dev/null']]
      : ['bash', ['-c', command]];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0] as string, argv[1] as string[], {
        cwd: this.root,
        env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      // Decoded as a stream: a Korean character split between two chunks stays one character.
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      const onOutput = () => {
        if (!interrupted && options.interruptWhen?.(screenText(stdout))) {
          interrupted = true;
          // Ctrl-C typed at the terminal: the line discipline signals the foreground group.
          child.stdin.write('\x03');
        }
      };
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        onOutput();
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // already gone
        }
        reject(
          new Error(
            `${command}\ndid not finish in ${options.timeoutMs ?? 180_000} ms\n${screenText(stdout)}\n${stderr}`,
          ),
        );
      }, options.timeoutMs ?? 180_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        child.stdin.end();
        const screen = terminal ? screenText(stdout) : `${stdout}${stderr}`;
        resolve({ status, stdout, stderr, screen, startedAt: started, endedAt: Date.now() });
      });
    });
  }

  remove(): void {
    if (!this.kept) rmSync(this.base, { recursive: true, force: true });
  }
}

/** A string as one word for bash. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
