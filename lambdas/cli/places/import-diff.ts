import { CATALOGUE_FORMAT, type CataloguePlace, type PlaceCatalogue } from '../../core/place-catalogue.js';
import type { Place } from '../../core/places.js';

/** What an import changes, place by place. */
export interface CatalogueChange {
  /** The catalogue to write. */
  readonly catalogue: PlaceCatalogue;
  /** Listed now and never before: collected from the next run on. */
  readonly added: readonly Place[];
  /** Collected until now and no longer listed: kept, marked retired, no longer collected. */
  readonly retired: readonly Place[];
  /** Retired before and listed again: collected again from the next run on. */
  readonly returned: readonly Place[];
  /** Listed before and now, with another name or category: the list's words win. */
  readonly changed: readonly { readonly before: Place; readonly after: Place }[];
  /** Listed before and now, as they were. */
  readonly unchanged: number;
}

const same = (a: Place, b: Place) =>
  a.name === b.name && a.englishName === b.englishName && a.category === b.category;
const plain = ({ code, name, englishName, category }: Place): Place => ({
  code,
  name,
  englishName,
  category,
});

/**
 * The catalogue after importing the city's list: the list's places in the list's order (each
 * keeping the time it was first listed), then the places it no longer lists, retired at `now`.
 * A retired place is never dropped: the lake holds its history, and its name stays known.
 */
export function importList(
  current: PlaceCatalogue,
  listed: readonly Place[],
  now: Date,
  source: string,
): CatalogueChange {
  const stamp = now.toISOString();
  const before = new Map(current.places.map((place) => [place.code, place]));
  const listedCodes = new Set(listed.map((place) => place.code));
  const added: Place[] = [];
  const returned: Place[] = [];
  const changed: { before: Place; after: Place }[] = [];
  let unchanged = 0;
  const places: CataloguePlace[] = listed.map((place) => {
    const known = before.get(place.code);
    if (!known) {
      added.push(plain(place));
      return { ...plain(place), since: stamp };
    }
    if (known.retired !== undefined) returned.push(plain(place));
    else if (!same(known, place)) changed.push({ before: plain(known), after: plain(place) });
    else unchanged += 1;
    return { ...plain(place), ...(known.since ? { since: known.since } : {}) };
  });
  const retired: Place[] = [];
  for (const place of current.places) {
    if (listedCodes.has(place.code)) continue;
    if (place.retired === undefined) retired.push(plain(place));
    places.push({ ...place, retired: place.retired ?? stamp });
  }
  return {
    catalogue: { format: CATALOGUE_FORMAT, updatedAt: stamp, source, places },
    added,
    retired,
    returned,
    changed,
    unchanged,
  };
}
