import { sleep } from '../../core/retry.js';
import { SETTINGS } from '../../core/settings.js';

/** Minutes between collections by default (the cadence setting): runs fall on :00, :20 and :40. */
export const RUN_EVERY_MINUTES = SETTINGS.runIntervalMinutes.default;

/**
 * The next slot strictly after `after`. Korea's offset from UTC is a whole number of hours and
 * never changes, and the interval divides an hour, so the slots fall on the same minutes in
 * Asia/Seoul and in UTC (:00/:20/:40 by default).
 */
export function nextSlot(after: Date, everyMinutes = RUN_EVERY_MINUTES): Date {
  const step = everyMinutes * 60_000;
  return new Date(Math.floor(after.getTime() / step) * step + step);
}

export interface ScheduleOptions {
  /** One collection for a scheduled time. Its failure is logged by the caller and the schedule goes on. */
  readonly runAt: (collectedAt: Date) => Promise<void>;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
  readonly everyMinutes?: number;
  /** Told when slots were skipped because a run overran them. */
  readonly onSkipped?: (skipped: Date[]) => void;
  /** Told the next scheduled time each time the schedule starts waiting for it. */
  readonly onWaiting?: (next: Date) => void;
  /** Waits; rejects when the signal aborts. Injected by tests to run on a fake clock. */
  readonly sleepFor?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Runs once at start (for the current minute), then at every slot until the signal aborts.
 * A run that overruns the next slot makes that slot skipped, never run twice at once.
 */
export async function runOnSchedule(options: ScheduleOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  const every = options.everyMinutes ?? RUN_EVERY_MINUTES;
  const wait = options.sleepFor ?? sleep;
  const first = new Date(Math.floor(now().getTime() / 60_000) * 60_000);
  if (options.signal.aborted) return;
  await options.runAt(first);
  let previous = first;
  while (!options.signal.aborted) {
    const upcoming = nextSlot(now(), every);
    const skipped: Date[] = [];
    for (let slot = nextSlot(previous, every); slot < upcoming; slot = nextSlot(slot, every)) {
      if (slot.getTime() > first.getTime()) skipped.push(slot);
    }
    if (skipped.length > 0) options.onSkipped?.(skipped);
    options.onWaiting?.(upcoming);
    try {
      await wait(Math.max(0, upcoming.getTime() - now().getTime()), options.signal);
    } catch {
      return; // aborted while waiting: stop cleanly
    }
    if (options.signal.aborted) return;
    await options.runAt(upcoming);
    previous = upcoming;
  }
}
