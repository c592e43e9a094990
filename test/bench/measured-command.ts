import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** What a command run as a person runs it took: wall and CPU time, peak memory, exit status. */
export interface Measured {
  readonly status: number | null;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssBytes: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `bin/cli.ts <args>` in a process of its own, as `npm run <command> -- <args>` does (without
 * npm's own process, whose memory is not the command's), and measures it.
 */
export function measureCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Measured {
  const folder = mkdtempSync(join(tmpdir(), 'bench-rusage-'));
  const rusage = join(folder, 'rusage.json');
  try {
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', './test/bench/rusage-preload.ts', 'bin/cli.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env, BENCH_RUSAGE_FILE: rusage },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const usage = JSON.parse(readFileSync(rusage, 'utf8')) as { maxRssBytes: number; cpuSeconds: number };
    return { status: child.status, seconds, ...usage, stdout: child.stdout, stderr: child.stderr };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
