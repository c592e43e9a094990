import { formatKstWallClock, kstParts } from '../../core/kst-time.js';
import type { Place } from '../../core/places.js';

/**
 * Plausible, deterministic answers for every place: the same place and time always give the same
 * record, and records change from one 5-minute slot to the next along a daily curve. Shapes follow
 * the recorded real answers: every scalar a string, shares with one decimal that add up exactly,
 * coarse population ranges, 12 hourly forecasts.
 */

const FIVE_MINUTES = 5 * 60_000;
/** Real `PPLTN_TIME` trails the call by 20–35 minutes. */
const PUBLICATION_DELAY = 25 * 60_000;

export const SIMULATED_MESSAGES: Record<string, string> = {
  여유: '사람이 몰려있을 가능성이 낮고 붐빔은 거의 느껴지지 않아요. 도보 이동이 자유로워요.',
  보통: '사람이 몰려있을 수 있지만 크게 붐비지는 않아요. 도보 이동에 큰 제약이 없어요.',
  '약간 붐빔':
    '사람들이 몰려있을 가능성이 크고 붐빈다고 느낄 수 있어요. 인구밀도가 높은 구간에서는 도보 이동시 부딪힘이 발생할 수 있어요.',
  붐빔: '사람들이 몰려있을 가능성이 매우 크고 많이 붐빈다고 느낄 수 있어요. 인구밀도가 높은 구간에서는 도보 이동시 부딪힘이 발생할 수 있어요.',
};

/** FNV-1a: a stable 32-bit hash of a string. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded generator, so answers (and tests' random moments) are reproducible. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A place's size: the population it holds at its busiest, stable per code. */
function capacityOf(place: Place): number {
  return 3_000 + (hash(`capacity:${place.code}`) % 160_000);
}

/** Share of capacity present at a KST hour (fractional), shaped by the kind of place. */
function dailyCurve(place: Place, kstHour: number): number {
  const peakHour = place.category === '공원' ? 15 : place.category === '발달상권' ? 19 : 13;
  const distance = Math.min(Math.abs(kstHour - peakHour), 24 - Math.abs(kstHour - peakHour));
  return 0.12 + 0.88 * Math.exp(-(distance * distance) / 18);
}

function congestionLevel(share: number): string {
  if (share < 0.45) return '여유';
  if (share < 0.65) return '보통';
  if (share < 0.85) return '약간 붐빔';
  return '붐빔';
}

/** Coarse ranges like the real API's ("44000"–"46000"). */
function populationRange(population: number): [number, number] {
  const step = population < 10_000 ? 500 : population < 100_000 ? 2_000 : 5_000;
  const min = Math.max(0, Math.floor(population / step) * step);
  return [min, min + step];
}

/** Splits 100.0 into `weights.length` shares with one decimal that add up to exactly 100.0. */
function shares(weights: number[]): string[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const tenths = weights.map((w) => Math.floor((w / total) * 1000));
  let missing = 1000 - tenths.reduce((sum, t) => sum + t, 0);
  for (let i = 0; missing > 0; i = (i + 1) % tenths.length, missing--) tenths[i] = (tenths[i] as number) + 1;
  return tenths.map((t) => (t / 10).toFixed(1));
}

function kstHourOf(instant: Date): number {
  const p = kstParts(instant);
  return Number(p.hour) + Number(p.minute) / 60;
}

function expectedPopulation(place: Place, instant: Date, noiseKey: string): number {
  const random = seeded(hash(`${place.code}|${noiseKey}`));
  return capacityOf(place) * dailyCurve(place, kstHourOf(instant)) * (0.9 + 0.2 * random());
}

/** The slot the API would be publishing when called at `calledAt`. */
export function publishedSlot(calledAt: Date): Date {
  return new Date(Math.floor((calledAt.getTime() - PUBLICATION_DELAY) / FIVE_MINUTES) * FIVE_MINUTES);
}

export interface SimulatedForecast {
  FCST_TIME: string;
  FCST_CONGEST_LVL: string;
  FCST_PPLTN_MIN: string;
  FCST_PPLTN_MAX: string;
}

/** The 22-key place record the API would answer for `place` when called at `calledAt`. */
export function simulatedRecord(place: Place, calledAt: Date): Record<string, unknown> {
  const slot = publishedSlot(calledAt);
  const random = seeded(hash(`${place.code}|${slot.toISOString()}`));
  const capacity = capacityOf(place);
  const population = expectedPopulation(place, slot, `observed:${slot.toISOString()}`);
  const [min, max] = populationRange(population);
  const level = congestionLevel(population / capacity);
  const [male, female] = shares([45 + random() * 10, 45 + random() * 10]);
  const ages = shares([
    1 + random() * 2,
    3 + random() * 4,
    14 + random() * 10,
    16 + random() * 8,
    15 + random() * 8,
    12 + random() * 6,
    7 + random() * 5,
    3 + random() * 5,
  ]);
  const residentWeight = place.category === '관광특구' ? 15 + random() * 20 : 25 + random() * 40;
  const [resident, nonResident] = shares([residentWeight, 100 - residentWeight]);

  const firstForecastHour = Math.floor(slot.getTime() / 3_600_000) * 3_600_000 + 3_600_000;
  const forecasts: SimulatedForecast[] = Array.from({ length: 12 }, (_, i) => {
    const at = new Date(firstForecastHour + i * 3_600_000);
    const predicted = expectedPopulation(place, at, `forecast:${slot.toISOString()}:${at.toISOString()}`);
    const [fMin, fMax] = populationRange(predicted);
    return {
      FCST_TIME: formatKstWallClock(at),
      FCST_CONGEST_LVL: congestionLevel(predicted / capacity),
      FCST_PPLTN_MIN: String(fMin),
      FCST_PPLTN_MAX: String(fMax),
    };
  });

  return {
    AREA_NM: place.name,
    AREA_CD: place.code,
    AREA_CONGEST_LVL: level,
    AREA_CONGEST_MSG: SIMULATED_MESSAGES[level],
    AREA_PPLTN_MIN: String(min),
    AREA_PPLTN_MAX: String(max),
    MALE_PPLTN_RATE: male,
    FEMALE_PPLTN_RATE: female,
    PPLTN_RATE_0: ages[0],
    PPLTN_RATE_10: ages[1],
    PPLTN_RATE_20: ages[2],
    PPLTN_RATE_30: ages[3],
    PPLTN_RATE_40: ages[4],
    PPLTN_RATE_50: ages[5],
    PPLTN_RATE_60: ages[6],
    PPLTN_RATE_70: ages[7],
    RESNT_PPLTN_RATE: resident,
    NON_RESNT_PPLTN_RATE: nonResident,
    REPLACE_YN: 'N',
    PPLTN_TIME: formatKstWallClock(slot),
    FCST_YN: 'Y',
    FCST_PPLTN: forecasts,
  };
}
