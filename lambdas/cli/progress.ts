import type { PlaceOutcome } from '../core/collector.js';
import { kstClockText } from './run-text.js';

/**
 * Live progress of a run on a terminal: one line, rewritten as places finish
 * ("run 22:40 KST: 57/121 places, 2 failed"). Without a terminal it says nothing: the summary at
 * the end of the run is the output.
 */
export class RunProgress {
  private done = 0;
  private failed = 0;
  private label = '';
  private total = 0;

  constructor(private readonly live?: (text: string) => void) {}

  begin(collectedAt: Date, total: number, prefix = ''): void {
    this.done = 0;
    this.failed = 0;
    this.total = total;
    this.label = `${prefix}run ${kstClockText(collectedAt)}`;
    this.show();
  }

  placeDone(outcome: PlaceOutcome): void {
    this.done += 1;
    if (outcome.status === 'failed') this.failed += 1;
    this.show();
  }

  /** Clears the line, so the summary that follows starts on a clean one. */
  end(): void {
    this.live?.('');
  }

  private show(): void {
    const failures = this.failed > 0 ? `, ${this.failed} failed so far` : '';
    this.live?.(`${this.label}: ${this.done}/${this.total} places${failures}`);
  }
}
