import { ALL_PLACES } from '../../core/places.js';
import { districts, placeAreas } from './geo.js';
import { FORECAST_HORIZONS, type ReportData, type Resolution } from './report-data.js';
import type { PlainRow } from './rows.js';

/** Congestion levels in rank order (1 = 여유 … 4 = 붐빔), with their colours. */
export const LEVELS = [
  { rank: 1, label: '여유', english: 'relaxed', color: '#2e7d32' },
  { rank: 2, label: '보통', english: 'normal', color: '#f9a825' },
  { rank: 3, label: '약간 붐빔', english: 'slightly crowded', color: '#ef6c00' },
  { rank: 4, label: '붐빔', english: 'crowded', color: '#c62828' },
] as const;

const str = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
/** `2026-07-16 13:20:00` → `2026-07-16 13:20` (KST wall clock, minutes are enough). */
const minute = (value: unknown) => str(value).slice(0, 16);

/** What the page's script draws: compact, columnar where it is long. Everything is KST. */
export interface Payload {
  readonly levels: typeof LEVELS;
  /**
   * Every place: those with an area on the map first (in the map data's order), then those without
   * one (a place Seoul added after the map data was published), whose `inside` is null.
   */
  readonly places: {
    code: string;
    name: string;
    category: string;
    inside: readonly [number, number] | null;
    /** For finding a place by its English name too; absent for a place the built-in list lacks. */
    englishName?: string;
  }[];
  /** The places the map cannot draw, named so the page can say so. */
  readonly unmapped: { code: string; name: string; category: string }[];
  readonly geo: { districts: unknown; places: unknown };
  readonly map: {
    /** One per frame: its KST label, and whether it is one run or a whole day. */
    readonly frames: { label: string; kind: 'run' | 'day' }[];
    /** One string per frame, one character per place (in `places` order): rank 1–4, 0 = no data, x = other label. */
    readonly ranks: string[];
    readonly min: (number | null)[][];
    readonly max: (number | null)[][];
  };
  readonly resolution: Resolution;
  /** Minutes between scheduled runs (the cadence): one step of the per-run charts. */
  readonly runIntervalMinutes: number;
  readonly series: {
    readonly times: string[];
    readonly byPlace: Record<
      string,
      {
        min: (number | null)[];
        max: (number | null)[];
        mid: (number | null)[];
        rank: (number | null)[];
        resident: (number | null)[];
      }
    >;
  };
  readonly ageSex: Record<
    string,
    { age: (number | null)[]; male: number | null; female: number | null; observations: number }
  >;
  readonly forecast: {
    readonly horizons: readonly number[];
    readonly byPlace: Record<
      string,
      { times: string[]; observed: (number | null)[]; byHorizon: (number | null)[][] }
    >;
    readonly hitRate: Record<
      string,
      { horizon: number; forecasts: number; hits: number; mae: number | null }[]
    >;
  };
  readonly overall: { byHorizon: PlainRow[]; completeness: PlainRow[]; freshness: PlainRow[] };
}

function rankChar(rank: unknown, level: unknown): string {
  if (rank === null || rank === undefined) return level ? 'x' : '0';
  return String(rank);
}

/** The map's frames: every run of `mapRuns`, preceded by one frame per KST day of `mapDays`. */
function mapFrames(data: ReportData, order: Map<string, number>): Payload['map'] {
  const frames: Payload['map']['frames'] = [];
  const ranks: string[] = [];
  const min: (number | null)[][] = [];
  const max: (number | null)[][] = [];
  const add = (rows: PlainRow[], key: string, kind: 'run' | 'day', label: (row: PlainRow) => string) => {
    const byFrame = new Map<string, PlainRow[]>();
    for (const row of rows) byFrame.set(str(row[key]), [...(byFrame.get(str(row[key])) ?? []), row]);
    for (const [, frameRows] of [...byFrame].sort(([a], [b]) => a.localeCompare(b))) {
      const chars = Array.from({ length: order.size }, () => '0');
      const lows: (number | null)[] = Array.from({ length: order.size }, () => null);
      const highs: (number | null)[] = Array.from({ length: order.size }, () => null);
      for (const row of frameRows) {
        const index = order.get(str(row.area_code));
        if (index === undefined) continue;
        chars[index] = rankChar(row.congestion_rank, kind === 'run' ? row.congestion_level : 'day');
        lows[index] = num(row.population_min);
        highs[index] = num(row.population_max);
      }
      frames.push({ label: label(frameRows[0] as PlainRow), kind });
      ranks.push(chars.join(''));
      min.push(lows);
      max.push(highs);
    }
  };
  add(data.mapDays, 'day_kst', 'day', (row) => str(row.day_kst).slice(0, 10));
  add(data.mapRuns, 'collected_at_kst', 'run', (row) => minute(row.collected_at_kst));
  return { frames, ranks, min, max };
}

function placeSeries(data: ReportData): Payload['series'] {
  const times = [
    ...new Set([...data.placeSeries, ...data.residentSeries].map((row) => minute(row.t))),
  ].sort();
  const index = new Map(times.map((t, i) => [t, i]));
  const byPlace: Payload['series']['byPlace'] = {};
  const empty = () => Array.from({ length: times.length }, () => null as number | null);
  const of = (code: string) => {
    byPlace[code] ??= { min: empty(), max: empty(), mid: empty(), rank: empty(), resident: empty() };
    return byPlace[code];
  };
  for (const row of data.placeSeries) {
    const place = of(str(row.area_code));
    const i = index.get(minute(row.t)) as number;
    place.min[i] = num(row.population_min);
    place.max[i] = num(row.population_max);
    place.mid[i] = num(row.population_mid);
    place.rank[i] = num(row.congestion_rank);
  }
  for (const row of data.residentSeries)
    of(str(row.area_code)).resident[index.get(minute(row.t)) as number] = num(row.resident_pct);
  return { times, byPlace };
}

function ageSex(rows: PlainRow[]): Payload['ageSex'] {
  const out: Payload['ageSex'] = {};
  for (const row of rows) {
    const code = str(row.area_code);
    out[code] ??= {
      age: Array.from({ length: 8 }, () => null),
      male: null,
      female: null,
      observations: Number(row.observations),
    };
    const place = out[code];
    if (row.dimension === 'age') place.age[Number(row.band_order) - 1] = num(row.share_pct);
    else if (row.band === 'male') place.male = num(row.share_pct);
    else if (row.band === 'female') place.female = num(row.share_pct);
  }
  return out;
}

function forecasts(data: ReportData): Payload['forecast'] {
  const horizons = [...FORECAST_HORIZONS];
  const byPlace: Payload['forecast']['byPlace'] = {};
  for (const row of data.forecastSeries) {
    const code = str(row.area_code);
    byPlace[code] ??= { times: [], observed: [], byHorizon: horizons.map(() => []) };
    const place = byPlace[code];
    const t = minute(row.forecast_time_kst);
    if (place.times.at(-1) !== t) {
      place.times.push(t);
      place.observed.push(num(row.observed_mid));
      for (const series of place.byHorizon) series.push(null);
    }
    const h = horizons.indexOf(Number(row.horizon_hours) as (typeof FORECAST_HORIZONS)[number]);
    if (h >= 0) (place.byHorizon[h] as (number | null)[])[place.times.length - 1] = num(row.forecast_mid);
  }
  const hitRate: Payload['forecast']['hitRate'] = {};
  for (const row of data.forecastByPlace) {
    const code = str(row.area_code);
    hitRate[code] ??= [];
    hitRate[code].push({
      horizon: Number(row.horizon_hours),
      forecasts: Number(row.forecasts),
      hits: Number(row.level_hits),
      mae: num(row.mid_abs_error_avg),
    });
  }
  return { horizons, byPlace, hitRate };
}

/** Turns the views' answers and the shipped map data into what the page's script draws. */
export function buildPayload(data: ReportData, runIntervalMinutes: number): Payload {
  const areas = placeAreas();
  const mapped: Payload['places'] = areas.features.map((f) => ({
    code: f.properties.area_cd,
    name: f.properties.area_nm,
    category: f.properties.category,
    inside: f.properties.inside,
  }));
  const unmapped = placesWithoutArea(data, new Set(mapped.map((place) => place.code)));
  const english = new Map(ALL_PLACES.map((place) => [place.code, place.englishName]));
  const places = [...mapped, ...unmapped.map((place) => ({ ...place, inside: null }))].map((place) => {
    const englishName = english.get(place.code);
    return englishName ? { ...place, englishName } : place;
  });
  const order = new Map(places.map((p, i) => [p.code, i]));
  return {
    levels: LEVELS,
    places,
    unmapped,
    // ECharts finds a region by its `name` property: a district's name, a place's code.
    geo: {
      districts: {
        type: 'FeatureCollection',
        features: districts().features.map((f) => ({ ...f, properties: { name: f.properties.name } })),
      },
      places: {
        type: 'FeatureCollection',
        features: areas.features.map((f) => ({
          type: 'Feature',
          properties: { name: f.properties.area_cd },
          geometry: f.geometry,
        })),
      },
    },
    map: mapFrames(data, order),
    resolution: data.resolution,
    runIntervalMinutes,
    series: placeSeries(data),
    ageSex: ageSex(data.ageSex),
    forecast: forecasts(data),
    overall: {
      byHorizon: data.forecastByHorizon,
      completeness: data.completenessRuns,
      freshness: data.freshnessRuns,
    },
  };
}

/**
 * The places the lake or its catalogue knows that the map data has no area for, by code: named
 * as the rows name them, else as the catalogue does.
 */
function placesWithoutArea(data: ReportData, mapped: ReadonlySet<string>): Payload['unmapped'] {
  const found = new Map<string, Payload['unmapped'][number]>();
  for (const place of data.cataloguePlaces ?? [])
    found.set(place.code, { code: place.code, name: place.name, category: place.category });
  for (const row of data.placeNames)
    found.set(str(row.area_code), {
      code: str(row.area_code),
      name: str(row.area_name),
      category: str(row.category),
    });
  return [...found.values()]
    .filter((place) => !mapped.has(place.code))
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** JSON that is safe inside a `<script type="application/json">` element. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
