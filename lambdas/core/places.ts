import { ConfigError } from './errors.js';
import placesData from './places.json' with { type: 'json' };

/** One of the places the city publishes, as listed in the official place list. */
export interface Place {
  /** `AREA_CD`, e.g. `POI072`. Codes have gaps: never generate them by counting. */
  readonly code: string;
  /** `AREA_NM` in Korean, e.g. `여의도`. */
  readonly name: string;
  readonly englishName: string;
  /** One of the five official categories, e.g. `인구밀집지역`. */
  readonly category: string;
}

/** The current official list: 121 places in 5 categories (copied from the portal's places.csv). */
export const ALL_PLACES: readonly Place[] = Object.freeze(placesData as Place[]);

const PLACES_BY_CODE = new Map(ALL_PLACES.map((place) => [place.code, place]));

export function findPlace(code: string): Place | undefined {
  return PLACES_BY_CODE.get(code);
}

/**
 * Resolves a list of codes (as given to `--places`) to places, in the order given, without
 * duplicates. An empty or missing list means every place. Unknown codes are refused with the
 * list of valid ones, so a typo never silently shrinks a run.
 */
export function selectPlaces(codes?: readonly string[]): Place[] {
  const wanted = (codes ?? []).map((code) => code.trim().toUpperCase()).filter((code) => code !== '');
  if (wanted.length === 0) return [...ALL_PLACES];
  const unknown = wanted.filter((code) => !PLACES_BY_CODE.has(code));
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown place code(s): ${unknown.join(', ')}. Valid codes (${ALL_PLACES.length}):\n` +
        ALL_PLACES.map((place) => `  ${place.code}  ${place.name} (${place.englishName})`).join('\n'),
    );
  }
  return [...new Set(wanted)].map((code) => PLACES_BY_CODE.get(code) as Place);
}

/** Splits a comma-separated `--places` value. */
export function parsePlaceList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((code) => code.trim())
    .filter((code) => code !== '');
}
