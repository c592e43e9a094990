import { readFileSync } from 'node:fs';
import { spawnCli } from './cli.js';

export interface WatchedRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The largest resident set seen while it ran (sampled every 50 ms from /proc), in MB. */
  readonly peakRssMb: number;
}

/** Runs `bin/cli.ts <args>` as `npm start` would, and watches its memory while it runs. */
export function runWatched(
  args: readonly string[],
  env: Record<string, string | undefined>,
  timeoutMs = 120_000,
): Promise<WatchedRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const sample = setInterval(() => {
      try {
        const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        if (kb) peak = Math.max(peak, Number(kb) / 1024);
      } catch {
        // the process is gone
      }
    }, 50);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(sample);
      clearTimeout(timer);
      resolve({ status, stdout, stderr, peakRssMb: Math.round(peak) });
    });
  });
}
