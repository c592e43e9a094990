import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The map data shipped with the project (`geo/`, see its README for sources and licences): the
 * official areas of the 121 places and the 25 districts of Seoul. Read from the project, never
 * from anywhere else at run time.
 */
const GEO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'geo');

/** What the map must say wherever it is shown: where the shapes come from, under which licence. */
export const ATTRIBUTION =
  'Place areas: Seoul Metropolitan Government, Seoul Open Data Plaza OA-21285 “서울시 주요 121장소 영역” (2026-04-02), KOGL Type 1 (공공누리 제1유형). ' +
  'Districts: Statistics Korea (KOSTAT) 2013 boundaries via southkorea/seoul-maps (Apache-2.0).';

export interface PlaceFeature {
  readonly type: 'Feature';
  readonly properties: {
    readonly area_cd: string;
    readonly area_nm: string;
    readonly category: string;
    /** A point inside the area: its centroid, or another point when the centroid falls outside. */
    readonly inside: readonly [number, number];
  };
  readonly geometry: { readonly type: 'Polygon'; readonly coordinates: number[][][] };
}

export interface DistrictFeature {
  readonly type: 'Feature';
  readonly properties: { readonly name: string; readonly name_eng: string; readonly code: string };
  readonly geometry: { readonly type: 'Polygon' | 'MultiPolygon'; readonly coordinates: unknown };
}

interface Collection<F> {
  readonly type: 'FeatureCollection';
  readonly features: readonly F[];
}

export function placeAreas(): Collection<PlaceFeature> {
  return JSON.parse(readFileSync(join(GEO_DIR, 'seoul-places.geojson'), 'utf8'));
}

export function districts(): Collection<DistrictFeature> {
  return JSON.parse(readFileSync(join(GEO_DIR, 'seoul-districts.geojson'), 'utf8'));
}
