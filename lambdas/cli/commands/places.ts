import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, describeError, PipelineError } from '../../core/errors.js';
import {
  activePlaces,
  CATALOGUE_KEY,
  encodeCatalogue,
  type PlaceCatalogue,
  readCatalogue,
} from '../../core/place-catalogue.js';
import type { Place } from '../../core/places.js';
import { escapeControls } from '../../core/printable.js';
import { type CommandIo, EXIT, failure } from '../command-io.js';
import { defaultLakeDir } from '../config.js';
import { PLACES_USAGE } from '../help.js';
import { parseCityList } from '../places/city-list.js';
import { type CatalogueChange, importList } from '../places/import-diff.js';
import { openStore } from '../replay/lake-location.js';
import { describeLocation, LAKE_OPTIONS, lakeLocationOf } from '../replay/lake-options.js';
import { formatTextTable } from '../text-table.js';

/** English names of the five official categories, so `--category park` works as well as `공원`. */
export const CATEGORY_ENGLISH: Readonly<Record<string, string>> = {
  관광특구: 'tourist zone',
  고궁·문화유산: 'palace and cultural heritage',
  인구밀집지역: 'populated area',
  발달상권: 'commercial area',
  공원: 'park',
};

/**
 * An import that would stop collecting more than this share of the places collected now is
 * refused without `--retire-many`: a wrong file (one category, an old list) must not quietly end
 * the collection of most of the city.
 */
const RETIRE_MANY_SHARE = 0.25;

const matches = (text: string, wanted: string) => text.toLowerCase().includes(wanted.toLowerCase());

/** The places whose category (Korean or English) and code or names contain the given texts. */
export function filterPlaces(
  places: readonly Place[],
  filter: { text?: string; category?: string },
): Place[] {
  return places.filter(
    (place) =>
      (filter.category === undefined ||
        matches(place.category, filter.category) ||
        matches(CATEGORY_ENGLISH[place.category] ?? '', filter.category)) &&
      (filter.text === undefined ||
        [place.code, place.name, place.englishName].some((field) => matches(field, filter.text as string))),
  );
}

const OPTIONS = {
  ...LAKE_OPTIONS,
  category: { type: 'string' },
  import: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'retire-many': { type: 'boolean', default: false },
  retired: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * `npm run places -- [TEXT] [--category NAME] [--retired]`: the lake's place catalogue, filtered.
 * `npm run places -- --import FILE [--dry-run]`: the city's published list becomes the catalogue;
 * says what was added, retired, returned and changed.
 */
export async function placesCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
  now: () => Date = () => new Date(),
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(PLACES_USAGE);
      return EXIT.ok;
    }
    const location = lakeLocationOf(values, defaultLakeDir(env));
    const store = openStore(location);
    const { catalogue, origin } = await readCatalogue(store);
    if (values.import !== undefined) {
      if (positionals.length > 0 || values.category !== undefined || values.retired)
        throw new ConfigError('--import takes a file and the lake options only');
      const file = values.import;
      const bytes = await readFile(file).catch((error: unknown) => {
        throw new ConfigError(`cannot read ${file}: ${describeError(error)}`);
      });
      const change = importList(catalogue, parseCityList(bytes, file), now(), basename(file));
      const collectedNow = activePlaces(catalogue).length;
      if (change.retired.length > collectedNow * RETIRE_MANY_SHARE && !values['retire-many']) {
        throw new ConfigError(
          `${file} would retire ${change.retired.length} of the ${collectedNow} places collected now; nothing was imported. ` +
            'Check that it is the whole list; if it is, import it again with --retire-many.',
        );
      }
      const target = `${describeLocation(location).replace(/\/?$/, '/')}${CATALOGUE_KEY}`;
      const changes =
        change.added.length + change.retired.length + change.returned.length + change.changed.length;
      const write = !values['dry-run'] && (changes > 0 || origin === 'built-in');
      if (write) await store.put(CATALOGUE_KEY, encodeCatalogue(change.catalogue), 'application/json');
      io.out(importReport(change, { file, target, origin, written: write, dryRun: values['dry-run'] }));
      return EXIT.ok;
    }
    const text = positionals.join(' ').trim() || undefined;
    const listed = values.retired ? retiredPlaces(catalogue) : activePlaces(catalogue);
    const found = filterPlaces(listed, { text, category: values.category?.trim() || undefined });
    if (found.length === 0) {
      const categories = Object.entries(CATEGORY_ENGLISH)
        .map(([korean, english]) => `${korean} (${english})`)
        .join(', ');
      io.err(
        values.retired && listed.length === 0
          ? 'no place is retired in this catalogue'
          : `no place matches${text ? ` ${JSON.stringify(text)}` : ''}${values.category ? ` in category ${JSON.stringify(values.category)}` : ''}; categories: ${categories}`,
      );
      return EXIT.runFailed;
    }
    io.err(
      origin === 'lake'
        ? `places of ${describeLocation(location).replace(/\/?$/, '/')}${CATALOGUE_KEY} (${escapeControls(catalogue.source)}${catalogue.updatedAt ? `, imported ${escapeControls(catalogue.updatedAt)}` : ''})`
        : `the built-in places (no ${CATALOGUE_KEY} in ${describeLocation(location)})`,
    );
    io.out(
      values.retired
        ? formatTextTable(
            ['code', 'category', 'name', 'english_name', 'retired'],
            found.map((place) => [
              place.code,
              place.category,
              place.name,
              place.englishName,
              retiredOf(catalogue, place),
            ]),
          )
        : formatTextTable(
            ['code', 'category', 'name', 'english_name'],
            found.map((place) => [place.code, place.category, place.name, place.englishName]),
          ),
    );
    return EXIT.ok;
  } catch (error) {
    return failure(error instanceof PipelineError ? error : new ConfigError(describeError(error)), io);
  }
}

function retiredPlaces(catalogue: PlaceCatalogue): Place[] {
  return catalogue.places.filter((place) => place.retired !== undefined);
}

function retiredOf(catalogue: PlaceCatalogue, place: Place): string {
  return catalogue.places.find((p) => p.code === place.code)?.retired ?? '';
}

/** A place's words in one line: they come from a list file or the lake, so nothing in them breaks it. */
const words = (place: Place) => {
  const [name, englishName, category] = [place.name, place.englishName, place.category].map((text) =>
    escapeControls(text),
  );
  return `${name}${englishName ? ` (${englishName})` : ''}, ${category}`;
};
const line = (place: Place) => `  ${escapeControls(place.code)}  ${words(place)}`;

/** What the import did, in words a person reads: the counts first, then each place that changed. */
export function importReport(
  change: CatalogueChange,
  how: { file: string; target: string; origin: 'lake' | 'built-in'; written: boolean; dryRun: boolean },
): string {
  const listed = change.catalogue.places.filter((place) => place.retired === undefined).length;
  const counts = `${change.added.length} added, ${change.retired.length} retired, ${change.returned.length} returned, ${change.changed.length} changed, ${change.unchanged} unchanged`;
  const verdict = how.dryRun
    ? `dry run: ${how.target} is left as it is`
    : how.written
      ? `written to ${how.target}`
      : `nothing changed: ${how.target} is left as it is`;
  const lines = [
    `${escapeControls(how.file)}: ${listed} places listed, compared with ${how.origin === 'lake' ? "the lake's catalogue" : 'the built-in places'}: ${counts}`,
    verdict,
  ];
  const section = (title: string, places: readonly Place[]) => {
    if (places.length > 0) lines.push('', title, ...places.map(line));
  };
  section('added (collected from the next run on):', change.added);
  section('retired (no longer collected; their history stays in the lake):', change.retired);
  section('returned (collected again from the next run on):', change.returned);
  if (change.changed.length > 0)
    lines.push(
      '',
      "changed (the list's words are kept):",
      ...change.changed.map(({ before, after }) => `${line(before)}\n    now ${words(after)}`),
    );
  return lines.join('\n');
}
