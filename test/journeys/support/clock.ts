/**
 * Korean time, by hand, for the journeys' oracles: KST is UTC+9 all year, so a reading is the UTC
 * reading of the instant nine hours later. (Written here, not imported: the oracle must not be
 * the code under test.)
 */
const NINE_HOURS = 9 * 3_600_000;

/** `YYYY-MM-DD HH:MM` in KST of an instant (ms since the epoch). */
export const kstMinute = (ms: number) =>
  new Date(ms + NINE_HOURS).toISOString().slice(0, 16).replace('T', ' ');

/** The scheduled slot (every `minutes`, on the hour) at or before an instant, as `YYYY-MM-DD HH:MM` KST. */
export const slotAtOrBefore = (ms: number, minutes = 20) =>
  kstMinute(Math.floor(ms / (minutes * 60_000)) * minutes * 60_000);

/** Every KST minute from one instant to another, both included: what a clock may have read in between. */
export function kstMinutesBetween(from: number, to: number): string[] {
  const minutes: string[] = [];
  for (let t = Math.floor(from / 60_000) * 60_000; t <= to; t += 60_000) minutes.push(kstMinute(t));
  return minutes;
}
