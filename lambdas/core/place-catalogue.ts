import { ConfigError, describeError, StorageError } from './errors.js';
import type { Log } from './logger.js';
import { ALL_PLACES, type Place } from './places.js';
import type { ObjectStore } from './storage/object-store.js';

/**
 * The place catalogue: which places the collector asks for, as data the operator changes, not
 * code. It lives in the lake, at the same key in a local lake folder and in the S3 bucket
 * (docs/decisions.md, "The place catalogue lives in the lake"), and `npm run places -- --import
 * FILE` writes it from the city's published list. A lake without one collects the places built
 * into the code (`places.json`, the list of 2026: 121 places).
 *
 * A place the city no longer lists is kept with the time it was retired, so its name and category
 * stay known for the history the lake holds; the collector asks only for the places not retired.
 */
export const CATALOGUE_KEY = 'catalogue/places.json';
/** The lake folder of the catalogue (an area of its own beside the tables). */
export const CATALOGUE_AREA = 'catalogue';
export const CATALOGUE_FORMAT = 1;

/** A catalogue is a few dozen kilobytes; anything far larger is not one, and is never read whole. */
export const MAX_CATALOGUE_BYTES = 1_048_576;
const MAX_PLACES = 5_000;

/** `AREA_CD` as the city writes it: POI and three digits today (POI001–POI131, with gaps). */
export const PLACE_CODE = /^POI\d{3,6}$/;
/** Upper bounds of the columns the names land in (population.area_name, population.category). */
const MAX_NAME_BYTES = 256;
const MAX_CATEGORY_BYTES = 64;

export interface CataloguePlace extends Place {
  /** When an import first listed the place (ISO-8601 UTC); absent for the built-in places. */
  readonly since?: string;
  /** When an import stopped listing it (ISO-8601 UTC): no longer collected, kept for its history. */
  readonly retired?: string;
}

export interface PlaceCatalogue {
  readonly format: typeof CATALOGUE_FORMAT;
  /** When the catalogue was last written (ISO-8601 UTC); absent for the built-in one. */
  readonly updatedAt?: string;
  /** Where its places come from, in words: `built in`, or the imported file's name. */
  readonly source: string;
  readonly places: readonly CataloguePlace[];
}

/** The places built into the code: the catalogue of a lake that has none. */
export const BUILT_IN_CATALOGUE: PlaceCatalogue = Object.freeze({
  format: CATALOGUE_FORMAT,
  source: 'built in (lambdas/core/places.json)',
  places: ALL_PLACES,
});

/** The places the collector asks for: every place not retired, in catalogue order. */
export function activePlaces(catalogue: PlaceCatalogue): Place[] {
  return catalogue.places
    .filter((place) => place.retired === undefined)
    .map(({ code, name, englishName, category }) => ({ code, name, englishName, category }));
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** A control character (U+0000–U+001F, U+007F): never part of a name, and it breaks lines and tables. */
const hasControl = (text: string) =>
  [...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What is wrong with one place, in words (empty when nothing). Shared by the catalogue reader and
 * the import of the city's list, so both refuse the same things with the same words.
 */
export function placeProblems(place: {
  code: unknown;
  name: unknown;
  englishName: unknown;
  category: unknown;
}): string[] {
  const problems: string[] = [];
  if (typeof place.code !== 'string' || !PLACE_CODE.test(place.code))
    problems.push(`code ${JSON.stringify(place.code)} is not a place code like POI001`);
  const text = (field: string, value: unknown, maxBytes: number, required: boolean) => {
    if (typeof value !== 'string') return problems.push(`${field} is not text`);
    if (required && value.trim() === '') return problems.push(`${field} is empty`);
    if (hasControl(value)) return problems.push(`${field} holds a control character`);
    if (Buffer.byteLength(value, 'utf8') > maxBytes)
      return problems.push(`${field} is longer than ${maxBytes} bytes`);
    return undefined;
  };
  text('name', place.name, MAX_NAME_BYTES, true);
  text('englishName', place.englishName, MAX_NAME_BYTES, false);
  text('category', place.category, MAX_CATEGORY_BYTES, true);
  return problems;
}

/**
 * Validates a catalogue document. Every problem is named (with the place it concerns), and a
 * catalogue with any problem is refused whole: half a catalogue would silently stop collecting
 * places that are still there.
 */
export function parseCatalogue(text: string, where = CATALOGUE_KEY): PlaceCatalogue {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${where} is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new ConfigError(`${where} is not a JSON object`);
  const problems: string[] = [];
  if (value.format !== CATALOGUE_FORMAT)
    problems.push(`format is ${JSON.stringify(value.format)}, expected ${CATALOGUE_FORMAT}`);
  if (typeof value.source !== 'string') problems.push('source is not text');
  if (
    value.updatedAt !== undefined &&
    (typeof value.updatedAt !== 'string' || !ISO_UTC.test(value.updatedAt))
  )
    problems.push(`updatedAt ${JSON.stringify(value.updatedAt)} is not an ISO-8601 UTC time`);
  const places = Array.isArray(value.places) ? value.places : undefined;
  if (!places) problems.push('places is not a list');
  else if (places.length > MAX_PLACES) problems.push(`${places.length} places, more than ${MAX_PLACES}`);
  const seen = new Set<string>();
  for (const [index, place] of (places ?? []).slice(0, MAX_PLACES).entries()) {
    const label = `place ${index + 1}${isObject(place) && typeof place.code === 'string' ? ` (${place.code})` : ''}`;
    if (!isObject(place)) {
      problems.push(`${label} is not an object`);
      continue;
    }
    for (const problem of placeProblems(place as Parameters<typeof placeProblems>[0]))
      problems.push(`${label}: ${problem}`);
    for (const field of ['since', 'retired'] as const) {
      const time = place[field];
      if (time !== undefined && (typeof time !== 'string' || !ISO_UTC.test(time)))
        problems.push(`${label}: ${field} ${JSON.stringify(time)} is not an ISO-8601 UTC time`);
    }
    if (typeof place.code === 'string') {
      if (seen.has(place.code)) problems.push(`${label}: the code is listed twice`);
      seen.add(place.code);
    }
  }
  if (problems.length === 0 && places && !places.some((place) => place.retired === undefined))
    problems.push('every place is retired: a run would collect nothing');
  if (problems.length > 0)
    throw new ConfigError(`${where} is not a valid place catalogue: ${problems.slice(0, 20).join('; ')}`);
  const catalogue = value as unknown as PlaceCatalogue;
  return {
    format: CATALOGUE_FORMAT,
    source: catalogue.source,
    ...(catalogue.updatedAt ? { updatedAt: catalogue.updatedAt } : {}),
    places: catalogue.places.map(({ code, name, englishName, category, since, retired }) => ({
      code,
      name,
      englishName,
      category,
      ...(since ? { since } : {}),
      ...(retired ? { retired } : {}),
    })),
  };
}

/** The catalogue as stored: JSON with one place a line, so a change reads as a small diff. */
export function encodeCatalogue(catalogue: PlaceCatalogue): Buffer {
  const { places, ...head } = catalogue;
  const lines = places.map((place) => `    ${JSON.stringify(place)}`);
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return Buffer.from(`${top},\n  "places": [\n${lines.join(',\n')}\n  ]\n}\n`, 'utf8');
}

/** Where the catalogue of a run came from. */
export type CatalogueOrigin = 'lake' | 'built-in';

export interface CatalogueRead {
  readonly catalogue: PlaceCatalogue;
  readonly origin: CatalogueOrigin;
}

/** True when an error (or one of its causes) says the key does not exist: S3 NoSuchKey, ENOENT. */
export function isMissingKey(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    const named = current as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
    if (named.name === 'NoSuchKey' || named.name === 'NotFound' || named.code === 'ENOENT') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The lake's catalogue, or the built-in one when the lake has none. A catalogue that cannot be read
 * or is invalid is an error (ConfigError, StorageError): the caller decides what a run does then.
 */
export async function readCatalogue(store: Pick<ObjectStore, 'get'>): Promise<CatalogueRead> {
  let body: Buffer;
  try {
    body = await store.get(CATALOGUE_KEY, { maxBytes: MAX_CATALOGUE_BYTES });
  } catch (error) {
    if (isMissingKey(error)) return { catalogue: BUILT_IN_CATALOGUE, origin: 'built-in' };
    throw error instanceof StorageError
      ? error
      : new StorageError(`cannot read the place catalogue ${CATALOGUE_KEY}: ${describeError(error)}`, {
          cause: error,
        });
  }
  return { catalogue: parseCatalogue(body.toString('utf8')), origin: 'lake' };
}

/**
 * The catalogue a run collects from, never failing the run: the lake's when it can be read; when
 * it cannot (a broken edit, S3 refusing), the last one this process read, else the built-in one,
 * with an error log saying why. A run that collects the places it knew is worth more than no run:
 * a snapshot not collected is lost for good.
 */
export class CatalogueSource {
  private lastGood: PlaceCatalogue | undefined;

  constructor(
    private readonly store: Pick<ObjectStore, 'get' | 'location'>,
    private readonly log: Log,
  ) {}

  async current(): Promise<CatalogueRead & { readonly problem?: string }> {
    try {
      const read = await readCatalogue(this.store);
      this.lastGood = read.catalogue;
      return read;
    } catch (error) {
      const problem = describeError(error);
      const fallback = this.lastGood ?? BUILT_IN_CATALOGUE;
      this.log.error('place catalogue unusable; collecting the places known before', {
        catalogue: `${this.store.location}${CATALOGUE_KEY}`,
        using: this.lastGood ? 'the last catalogue read' : 'the built-in places',
        error: problem,
      });
      return { catalogue: fallback, origin: this.lastGood ? 'lake' : 'built-in', problem };
    }
  }
}

/**
 * Resolves a list of codes (as given to `--places` or `PLACES`) to the catalogue's active places,
 * in the order given, without duplicates. An empty or missing list means every active place.
 * Unknown or retired codes are refused with the list of valid ones, so a typo never silently
 * shrinks a run.
 */
export function selectFromCatalogue(catalogue: PlaceCatalogue, codes?: readonly string[]): Place[] {
  const active = activePlaces(catalogue);
  const wanted = (codes ?? []).map((code) => code.trim().toUpperCase()).filter((code) => code !== '');
  if (wanted.length === 0) return active;
  const byCode = new Map(active.map((place) => [place.code, place]));
  const unknown = wanted.filter((code) => !byCode.has(code));
  if (unknown.length > 0) {
    const retired = new Set(catalogue.places.filter((p) => p.retired).map((p) => p.code));
    const named = unknown.map((code) => (retired.has(code) ? `${code} (retired)` : code));
    throw new ConfigError(
      `unknown place code(s): ${named.join(', ')}. Valid codes (${active.length}):\n` +
        active.map((place) => `  ${place.code}  ${place.name} (${place.englishName})`).join('\n'),
    );
  }
  return [...new Set(wanted)].map((code) => byCode.get(code) as Place);
}
