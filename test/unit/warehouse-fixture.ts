import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import type { CollectResult, PlaceOutcome } from '../../lambdas/core/collector.js';
import { buildEnvelope, type Envelope, toMessage } from '../../lambdas/core/envelope.js';
import { parseKstWallClock } from '../../lambdas/core/kst-time.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import type { SourceRecord } from '../../lambdas/core/source-record.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { writeRunOutcomes } from '../../lambdas/core/writers/outcomes-writer.js';
import { MemoryLog } from '../support/memory-log.js';

/**
 * A small lake with known contents, written by the real writer (real Parquet), for the view,
 * loader and report tests. Every number the tests expect is worked out by hand from the tables
 * below (see the comments in test/unit/warehouse-views.test.ts).
 *
 * Six runs on 2026-07-16/17 (KST), three places:
 *
 * | run | collected (KST) | POI001 | POI072  | POI009     |
 * |-----|-----------------|--------|---------|------------|
 * | R1  | 07-16 13:20     | ok     | ok      | failed     |
 * | R2  | 07-16 13:40     | ok     | no-data | ok         |
 * | R3  | 07-16 14:20     | ok     | ok      | ok         |
 * | R3b | 07-16 14:40     | ok     | —       | —          |  (a run limited to POI001)
 * | R4  | 07-16 15:20     | ok     | failed  | ok         |
 * | R5  | 07-17 00:20     | ok     | ok      | —          |  (UTC date is still 07-16)
 */

/** Levels, range and forecasts of one observation. */
interface Observation {
  readonly level: string;
  readonly min: number;
  readonly max: number;
  /** KST wall clock of PPLTN_TIME. */
  readonly populationTime: string;
  readonly male: number;
  readonly ages: readonly number[];
  readonly resident: number;
  /** [KST hour, level, min, max] */
  readonly forecasts: readonly (readonly [string, string, number, number])[];
}

export interface FixtureRun {
  readonly id: string;
  readonly runId: string;
  /** KST wall clock of the run's scheduled time. */
  readonly collectedKst: string;
  readonly outcomes: Readonly<Record<string, 'ok' | 'no-data' | 'failed'>>;
  readonly observations: Readonly<Record<string, Observation>>;
}

const AGES_001 = [1.0, 4.0, 25.0, 22.0, 18.0, 15.0, 10.0, 5.0];
const AGES_072 = [2.0, 5.0, 20.0, 20.0, 20.0, 15.0, 10.0, 8.0];
const AGES_009 = [1.5, 3.5, 30.0, 25.0, 15.0, 12.0, 8.0, 5.0];

const obs = (
  level: string,
  min: number,
  max: number,
  populationTime: string,
  shares: { male: number; ages: readonly number[]; resident: number },
  forecasts: Observation['forecasts'],
): Observation => ({ level, min, max, populationTime, ...shares, forecasts });

const P001 = { male: 48.0, ages: AGES_001, resident: 30.0 };
const P072 = { male: 50.5, ages: AGES_072, resident: 40.0 };
const P009 = { male: 46.0, ages: AGES_009, resident: 20.0 };

export const FIXTURE_RUNS: readonly FixtureRun[] = [
  {
    id: 'R1',
    runId: '20260716T0420Z-aaaa01',
    collectedKst: '2026-07-16 13:20',
    outcomes: { POI001: 'ok', POI072: 'ok', POI009: 'failed' },
    observations: {
      POI001: obs('보통', 20000, 22000, '2026-07-16 13:00', { ...P001, resident: 36.0 }, [
        ['2026-07-16 14:00', '붐빔', 28000, 30000],
        ['2026-07-16 15:00', '붐빔', 30000, 32000],
      ]),
      POI072: obs('여유', 8000, 8500, '2026-07-16 13:00', P072, [
        ['2026-07-16 14:00', '보통', 12000, 14000],
        ['2026-07-16 15:00', '보통', 12000, 14000],
      ]),
    },
  },
  {
    id: 'R2',
    runId: '20260716T0440Z-aaaa02',
    collectedKst: '2026-07-16 13:40',
    outcomes: { POI001: 'ok', POI072: 'no-data', POI009: 'ok' },
    observations: {
      POI001: obs('약간 붐빔', 24000, 26000, '2026-07-16 13:15', P001, [
        ['2026-07-16 14:00', '약간 붐빔', 26000, 28000],
        ['2026-07-16 15:00', '약간 붐빔', 26000, 28000],
      ]),
      POI009: obs('보통', 10000, 12000, '2026-07-16 13:15', P009, [
        ['2026-07-16 14:00', '여유', 8000, 8500],
        ['2026-07-16 15:00', '여유', 6000, 6500],
      ]),
    },
  },
  {
    id: 'R3',
    runId: '20260716T0520Z-aaaa03',
    collectedKst: '2026-07-16 14:20',
    outcomes: { POI001: 'ok', POI072: 'ok', POI009: 'ok' },
    observations: {
      POI001: obs('붐빔', 30000, 32000, '2026-07-16 14:05', { ...P001, male: 44.0 }, [
        ['2026-07-16 15:00', '약간 붐빔', 24000, 26000],
        ['2026-07-16 16:00', '보통', 18000, 20000],
      ]),
      POI072: obs('보통', 12000, 14000, '2026-07-16 14:05', P072, [
        ['2026-07-16 15:00', '보통', 11000, 13000],
        ['2026-07-16 16:00', '여유', 9000, 9500],
      ]),
      POI009: obs('보통', 11000, 13000, '2026-07-16 14:00', P009, [
        ['2026-07-16 15:00', '보통', 10000, 12000],
        ['2026-07-16 16:00', '여유', 7000, 7500],
      ]),
    },
  },
  {
    id: 'R3b',
    runId: '20260716T0540Z-aaaa3b',
    collectedKst: '2026-07-16 14:40',
    outcomes: { POI001: 'ok' },
    observations: {
      POI001: obs('약간 붐빔', 25000, 27000, '2026-07-16 14:30', P001, [
        ['2026-07-16 15:00', '붐빔', 30000, 32000],
        ['2026-07-16 16:00', '보통', 18000, 20000],
      ]),
    },
  },
  {
    id: 'R4',
    runId: '20260716T0620Z-aaaa04',
    collectedKst: '2026-07-16 15:20',
    outcomes: { POI001: 'ok', POI072: 'failed', POI009: 'ok' },
    observations: {
      POI001: obs('약간 붐빔', 26000, 28000, '2026-07-16 15:10', P001, [
        ['2026-07-16 16:00', '보통', 16000, 18000],
        ['2026-07-16 17:00', '보통', 14000, 16000],
      ]),
      POI009: obs('여유', 6000, 6500, '2026-07-16 15:10', { ...P009, resident: 26.0 }, [
        ['2026-07-16 16:00', '여유', 5000, 5500],
        ['2026-07-16 17:00', '여유', 4000, 4500],
      ]),
    },
  },
  {
    id: 'R5',
    runId: '20260716T1520Z-aaaa05',
    collectedKst: '2026-07-17 00:20',
    outcomes: { POI001: 'ok', POI072: 'ok' },
    observations: {
      POI001: obs('여유', 4000, 4500, '2026-07-17 00:05', P001, [
        ['2026-07-17 01:00', '여유', 3000, 3500],
        ['2026-07-17 02:00', '여유', 2500, 3000],
      ]),
      POI072: obs('여유', 3000, 3500, '2026-07-17 00:05', P072, [
        ['2026-07-17 01:00', '여유', 2500, 3000],
        ['2026-07-17 02:00', '여유', 2000, 2500],
      ]),
    },
  },
];

const kst = (wallClock: string): Date => {
  const instant = parseKstWallClock(wallClock);
  if (!instant) throw new Error(`bad KST time in fixture: ${wallClock}`);
  return instant;
};

const tenths = (n: number) => n.toFixed(1);

/** The API's place record for an observation: every scalar a string, as the real API sends. */
export function fixturePayload(place: Place, o: Observation): Record<string, unknown> {
  const [a0, a10, a20, a30, a40, a50, a60, a70] = o.ages.map(tenths);
  return {
    AREA_NM: place.name,
    AREA_CD: place.code,
    AREA_CONGEST_LVL: o.level,
    AREA_CONGEST_MSG: `${o.level} (fixture)`,
    AREA_PPLTN_MIN: String(o.min),
    AREA_PPLTN_MAX: String(o.max),
    MALE_PPLTN_RATE: tenths(o.male),
    FEMALE_PPLTN_RATE: tenths(100 - o.male),
    PPLTN_RATE_0: a0,
    PPLTN_RATE_10: a10,
    PPLTN_RATE_20: a20,
    PPLTN_RATE_30: a30,
    PPLTN_RATE_40: a40,
    PPLTN_RATE_50: a50,
    PPLTN_RATE_60: a60,
    PPLTN_RATE_70: a70,
    RESNT_PPLTN_RATE: tenths(o.resident),
    NON_RESNT_PPLTN_RATE: tenths(100 - o.resident),
    REPLACE_YN: 'N',
    PPLTN_TIME: o.populationTime,
    FCST_YN: 'Y',
    FCST_PPLTN: o.forecasts.map(([time, level, min, max]) => ({
      FCST_TIME: time,
      FCST_CONGEST_LVL: level,
      FCST_PPLTN_MIN: String(min),
      FCST_PPLTN_MAX: String(max),
    })),
  };
}

/** Envelopes of a run, one per place that answered. */
export function fixtureEnvelopes(run: FixtureRun, fetchDelayMs = 2_000): Envelope[] {
  const collectedAt = kst(run.collectedKst);
  return Object.entries(run.observations).map(([code, observation]) => {
    const place = findPlace(code) as Place;
    return buildEnvelope({
      dataset: 'citydata_ppltn',
      runId: run.runId,
      collectedAt,
      fetchedAt: new Date(collectedAt.getTime() + fetchDelayMs),
      place,
      payload: fixturePayload(place, observation),
    });
  });
}

/** Envelopes as a Kafka partition would deliver them. */
export function fixtureRecords(
  envelopes: readonly Envelope[],
  firstOffset: number,
  partition = 0,
): SourceRecord[] {
  return envelopes.map((envelope, index) => {
    const message = toMessage(envelope);
    return {
      topic: 'seoul.citydata_ppltn',
      partition,
      offset: firstOffset + index,
      timestamp: Date.parse(envelope.fetchedAt),
      key: Buffer.from(message.key),
      value: message.value,
      headers: message.headers,
    };
  });
}

function outcomesOf(run: FixtureRun, envelopes: Envelope[]): CollectResult {
  const outcomes: PlaceOutcome[] = Object.entries(run.outcomes).map(([code, status]) => ({
    code,
    status,
    ...(status === 'no-data' ? { reason: 'INFO-200: no data for this place right now' } : {}),
    ...(status === 'failed' ? { reason: 'HTTP 503 after 3 attempts' } : {}),
    attempts: status === 'failed' ? 3 : 1,
    durationMs: 120,
  }));
  return { runId: run.runId, collectedAt: kst(run.collectedKst), envelopes, outcomes, durationMs: 900 };
}

/** Writes the fixture runs into a lake folder through the real writer; returns the folder. */
export async function buildFixtureLake(
  dir = mkdtempSync(join(tmpdir(), 'warehouse-fixture-')),
  runs: readonly FixtureRun[] = FIXTURE_RUNS,
): Promise<string> {
  const store = new LocalFolderStore(dir);
  const log = new MemoryLog();
  let offset = 0;
  for (const run of runs) {
    const envelopes = fixtureEnvelopes(run);
    const written = await writeBatch(fixtureRecords(envelopes, offset), { store, catalog: NO_CATALOG, log });
    if (written.rejectedRecords > 0) throw new Error(`fixture run ${run.id} was rejected: ${log.text()}`);
    offset += envelopes.length;
    await writeRunOutcomes(outcomesOf(run, envelopes), store);
  }
  return dir;
}

/** Every chart the report draws (one ECharts element each), in page order. */
export const REPORT_CHARTS = [
  'map',
  'population-range',
  'congestion',
  'age-sex',
  'resident',
  'forecast',
  'place-hit-rate',
  'forecast-horizon',
  'completeness',
  'freshness',
];
