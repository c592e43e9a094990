import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Follows a child process's peak resident memory (Linux `VmHWM`, the high-water mark the kernel
 * keeps) until it exits: `peak()` is the largest value read, in bytes. The mark only grows, so a
 * read every 20 ms misses at most what the process grew in its last 20 ms.
 */
export function followPeakRss(child: ChildProcess): { peak: () => number } {
  let peak = 0;
  const read = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
    } catch {
      // the process is gone
    }
  };
  const timer = setInterval(read, 20);
  child.on('exit', () => clearInterval(timer));
  read();
  return { peak: () => peak };
}
