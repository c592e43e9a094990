import type { SeoulApiClient } from '../../core/seoul-api/client.js';
import { nextSlot, RUN_EVERY_MINUTES } from './schedule.js';

/** Scheduled runs in a day at a cadence: 72 at the default, one at every :00, :20 and :40. */
export function runsPerDay(everyMinutes = RUN_EVERY_MINUTES): number {
  return (24 * 60) / everyMinutes;
}

/** Scheduled runs in a day at the default cadence. */
export const RUNS_PER_DAY = runsPerDay();

/**
 * The scheduled times of the last `days` days up to `now` at the cadence, oldest first:
 * `days × runsPerDay` slots, the newest being the latest slot at or before `now`.
 */
export function historySlots(now: Date, days: number, everyMinutes = RUN_EVERY_MINUTES): Date[] {
  const count = days * runsPerDay(everyMinutes);
  const step = everyMinutes * 60_000;
  const latest = nextSlot(new Date(now.getTime() - step), everyMinutes).getTime();
  return Array.from({ length: count }, (_, i) => new Date(latest - (count - 1 - i) * step));
}

/** A clock that the demo moves through the past, read by the simulator and by {@link onSimulatedClock}. */
export class SimulatedClock {
  private current: Date;
  constructor(start = new Date()) {
    this.current = start;
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(instant: Date): void {
    this.current = instant;
  }
}

/**
 * Makes the API client's answers arrive on the simulated clock: a simulated run for 3 days ago
 * must say its answer was fetched 3 days ago, or freshness would be three days off.
 */
export function onSimulatedClock(
  client: Pick<SeoulApiClient, 'fetchPlace'>,
  clock: SimulatedClock,
): Pick<SeoulApiClient, 'fetchPlace'> {
  return {
    fetchPlace: async (code, signal) => {
      const result = await client.fetchPlace(code, signal);
      return result.status === 'ok' ? { ...result, fetchedAt: clock.now() } : result;
    },
  };
}
