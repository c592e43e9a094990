import { parseArgs } from 'node:util';
import { ConfigError } from '../../core/errors.js';
import { ALL_PLACES, type Place } from '../../core/places.js';
import { type CommandIo, EXIT, failure } from '../command-io.js';
import { PLACES_USAGE } from '../help.js';
import { formatTextTable } from '../text-table.js';

/** English names of the five official categories, so `--category park` works as well as `공원`. */
export const CATEGORY_ENGLISH: Readonly<Record<string, string>> = {
  관광특구: 'tourist zone',
  고궁·문화유산: 'palace and cultural heritage',
  인구밀집지역: 'populated area',
  발달상권: 'commercial area',
  공원: 'park',
};

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

/** `npm run places -- [TEXT] [--category NAME]`: the catalogue of places, filtered. */
export async function placesCommand(
  argv: readonly string[],
  _env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { category: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(PLACES_USAGE);
      return EXIT.ok;
    }
    const text = positionals.join(' ').trim() || undefined;
    const found = filterPlaces(ALL_PLACES, { text, category: values.category?.trim() || undefined });
    if (found.length === 0) {
      const categories = Object.entries(CATEGORY_ENGLISH)
        .map(([korean, english]) => `${korean} (${english})`)
        .join(', ');
      io.err(
        `no place matches${text ? ` ${JSON.stringify(text)}` : ''}${values.category ? ` in category ${JSON.stringify(values.category)}` : ''}; categories: ${categories}`,
      );
      return EXIT.runFailed;
    }
    io.out(
      formatTextTable(
        ['code', 'category', 'name', 'english_name'],
        found.map((place) => [place.code, place.category, place.name, place.englishName]),
      ),
    );
    return EXIT.ok;
  } catch (error) {
    return failure(error instanceof ConfigError ? error : new ConfigError((error as Error).message), io);
  }
}
