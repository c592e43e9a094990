import { kstParts } from '../../core/kst-time.js';
import { ALL_PLACES } from '../../core/places.js';
import { hash } from './generator.js';
import type { FaultRule } from './server.js';

/**
 * What `npm run demo -- --faults` injects: the failures a year of collecting meets, at rates of
 * that order, so a newcomer sees the failure charts, `npm run check` and the outcomes table with
 * something in them. Every choice is a pure function of the simulated time and the place, so two
 * demos of the same days fail the same way.
 *
 * Per request (the collector retries the transient ones, so most end well after a retry and show
 * as more attempts; `no-data`, the wrong place and a stale answer are not retried):
 */
export const REQUEST_FAULTS: readonly FaultRule[] = [
  { kind: 'no-data', probability: 0.015 }, // INFO-200: the city has nothing for the place right now
  { kind: 'http-500', probability: 0.01 }, // the portal's web server fails
  { kind: 'error-500', probability: 0.01 }, // the API's own server error, in an HTTP 200
  { kind: 'malformed-json', probability: 0.004 }, // a body cut short
  { kind: 'stale', probability: 0.01, staleMinutes: 95 }, // an answer published an hour and a half ago
  { kind: 'wrong-place', probability: 0.002 }, // an answer for another place: refused
];

/**
 * The live demo also meets silence: no answer at all until the client gives up. Left out of
 * `--days`, whose history runs in seconds: a timeout can only take real time.
 */
export const LIVE_ONLY_FAULTS: readonly FaultRule[] = [{ kind: 'timeout', probability: 0.0002 }];

/** Places down at once each KST day, and for how long: every request for them fails. */
const OUTAGE_PLACES_PER_DAY = 2;
const OUTAGE_HOURS = 2;

const kstDay = (instant: Date) => {
  const p = kstParts(instant);
  return `${p.year}-${p.month}-${p.day}`;
};

/**
 * Whether a place is in an outage at a simulated time: each KST day, {@link OUTAGE_PLACES_PER_DAY}
 * places chosen by the day fail every request for {@link OUTAGE_HOURS} hours from an hour chosen
 * by the day. They fail after every retry: runs without them, the missing-runs table's rows.
 */
export function inOutage(now: Date, placeCode: string): boolean {
  const day = kstDay(now);
  const hour = Number(kstParts(now).hour);
  for (let i = 0; i < OUTAGE_PLACES_PER_DAY; i++) {
    const place = ALL_PLACES[hash(`outage-place:${day}:${i}`) % ALL_PLACES.length];
    const from = hash(`outage-hour:${day}:${i}`) % (24 - OUTAGE_HOURS);
    if (place?.code === placeCode && hour >= from && hour < from + OUTAGE_HOURS) return true;
  }
  return false;
}

/** Every fault rule of the demo with `--faults`: the outages first, then the per-request ones. */
export function demoFaults(live: boolean): FaultRule[] {
  return [{ kind: 'http-500', during: inOutage }, ...REQUEST_FAULTS, ...(live ? LIVE_ONLY_FAULTS : [])];
}

/**
 * Whether `--days` leaves out a scheduled run, as a restart or a deploy of the collector does:
 * one run a KST day, chosen by the day. The completeness chart counts them as slots that never ran.
 */
export function collectorDown(slot: Date, runsPerDay: number): boolean {
  const minutesPerRun = (24 * 60) / runsPerDay;
  const p = kstParts(slot);
  const index = Math.floor((Number(p.hour) * 60 + Number(p.minute)) / minutesPerRun);
  return index === hash(`collector-down:${kstDay(slot)}`) % runsPerDay;
}

/** What the demo says, and the lake's marker keeps, when faults are on. */
export const FAULTS_NOTICE =
  'simulated faults on (--faults): about 5 % of requests fail (no data, HTTP 500, ERROR-500, cut bodies, stale or wrong answers; live, a rare timeout), 2 places a day are down for 2 hours, and --days leaves out one scheduled run a day';
