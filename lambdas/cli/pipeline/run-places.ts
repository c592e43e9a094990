import { placesForKey } from '../../core/collector.js';
import type { Log } from '../../core/logger.js';
import { activePlaces, CatalogueSource, selectFromCatalogue } from '../../core/place-catalogue.js';
import type { Place } from '../../core/places.js';
import type { ObjectStore } from '../../core/storage/object-store.js';

/** The places of one run, and what the user should be told about them. */
export interface RunPlaceList {
  readonly places: Place[];
  readonly notices: string[];
}

/**
 * The places each local run asks for, read from the lake's place catalogue before every run, so a
 * list imported with `npm run places -- --import FILE` is collected from the next run on, without
 * a restart (the same rule as the AWS fetcher's). `--places` narrows the catalogue; a chosen code
 * that is not in it is refused at start, and later (retired since) is left out with a notice.
 */
export class RunPlaces {
  private readonly source: CatalogueSource;
  private previous: ReadonlySet<string> | undefined;

  constructor(
    store: Pick<ObjectStore, 'get' | 'location'>,
    private readonly codes: readonly string[] | undefined,
    private readonly apiKey: string,
    log: Log,
  ) {
    this.source = new CatalogueSource(store, log);
  }

  async resolve(): Promise<RunPlaceList> {
    const first = this.previous === undefined;
    const read = await this.source.current();
    const notices: string[] = [];
    if (read.problem)
      notices.push(
        `the place catalogue cannot be used (${read.problem}); collecting the places known before`,
      );
    let chosen: Place[];
    if (this.codes && this.codes.length > 0) {
      const known = new Set(activePlaces(read.catalogue).map((place) => place.code));
      const gone = this.codes.filter((code) => !known.has(code.trim().toUpperCase()));
      // At start a wrong code is a mistake to fix; once running, a retired place just stops.
      if (first || gone.length === this.codes.length)
        chosen = selectFromCatalogue(read.catalogue, this.codes);
      else {
        // Only when one has gone: an empty list printed ": no longer in …" at every later run.
        if (gone.length > 0)
          notices.push(`${gone.join(', ')}: no longer in the place catalogue, not collected`);
        chosen = selectFromCatalogue(
          read.catalogue,
          this.codes.filter((code) => !gone.includes(code)),
        );
      }
    } else chosen = activePlaces(read.catalogue);
    const forKey = placesForKey(this.apiKey, chosen, !this.codes || this.codes.length === 0);
    if (forKey.notice) notices.push(forKey.notice);
    const codes = new Set(forKey.places.map((place) => place.code));
    if (this.previous) {
      const added = [...codes].filter((code) => !this.previous?.has(code));
      const left = [...this.previous].filter((code) => !codes.has(code));
      if (added.length + left.length > 0)
        notices.push(
          `the place catalogue changed: ${[...added.map((c) => `+${c}`), ...left.map((c) => `-${c}`)].join(' ')} (${codes.size} places now)`,
        );
    }
    this.previous = codes;
    return {
      places: forKey.places,
      notices: first ? notices : notices.filter((n) => !n.startsWith('Using the public')),
    };
  }
}
