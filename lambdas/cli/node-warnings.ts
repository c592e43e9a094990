/**
 * Node's process warnings, minus the one kafkajs causes on every Kafka run: its request queue arms
 * a timer for a negative delay when nothing is pending ("TimeoutNegativeWarning: -1796… is a
 * negative number"), which Node runs after 1 ms, harmlessly. A person reading the run's stderr
 * would take it for a fault. Every other warning is printed as Node prints it.
 */
export function hideHarmlessWarnings(
  proc: Pick<NodeJS.Process, 'removeAllListeners' | 'on' | 'pid'>,
  write: (text: string) => void,
): void {
  // Node prints warnings from a 'warning' listener of its own; replacing it is the documented way
  // to take over their output (short of --no-warnings, which would hide them all).
  proc.removeAllListeners('warning');
  proc.on('warning', (warning: Error) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    write(`(node:${proc.pid}) ${warning.name}: ${warning.message}\n`);
  });
}
