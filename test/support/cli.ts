import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `bin/cli.ts <args>` in a child process, as `npm start` would. */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
): ChildProcessWithoutNullStreams {
  const cleanEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...env })) {
    if (value !== undefined && !name.startsWith('NODE_TEST')) cleanEnv[name] = value;
  }
  return spawn(process.execPath, ['--import', 'tsx', 'bin/cli.ts', ...args], { cwd: ROOT, env: cleanEnv });
}

/** Runs `bin/cli.ts <args>` in a child process and collects its output; `onStdout` may act on it. */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
  onStdout?: (stdoutSoFar: string, child: ChildProcessWithoutNullStreams) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface NpmRun {
  readonly child: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves once the process and every process holding its output have exited. */
  readonly closed: Promise<{ status: number | null; signal: NodeJS.Signals | null; output: string }>;
  /** Sends a signal to the whole process group, as a terminal does on Ctrl-C. */
  signalGroup(signal: NodeJS.Signals): void;
}

/**
 * Runs `npm run <script> -- <args>` exactly as a user types it, in a process group of its own so
 * that a test can send Ctrl-C the way a terminal does: to every process of the group at once.
 * Killed (SIGKILL, the whole group) after `timeoutMs`.
 */
export function spawnNpm(
  script: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): NpmRun {
  const cleanEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...env })) {
    if (value !== undefined && !name.startsWith('NODE_TEST')) cleanEnv[name] = value;
  }
  const child = spawn('npm', ['run', script, '--', ...args], {
    cwd: ROOT,
    env: cleanEnv,
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // the group is gone already
    }
  };
  const timer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
  const closed = new Promise<{ status: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => {
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        resolve({ status, signal, output });
      });
    },
  );
  return { child, output: () => output, closed, signalGroup };
}
