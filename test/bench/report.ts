/** Small helpers so every benchmark prints its figures the same way. */
export function heading(title: string): void {
  process.stdout.write(`\n== ${title} ==\n`);
}

export function figure(label: string, value: string): void {
  process.stdout.write(`  ${label.padEnd(52)} ${value}\n`);
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const perSecond = (count: number, ms: number) =>
  `${Math.round((count / ms) * 1000).toLocaleString('en-US')} /s`;
export const ratio = (value: number) => `${value.toFixed(2)}×`;
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Runs `work` and returns its result with the wall time in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}
