import { readFileSync } from 'node:fs';

/** Reads a file of test/fixtures as text. */
export function fixtureText(path: string): string {
  return readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
}

export const SAMPLES = {
  yeouido: 'samples/citydata_ppltn_POI072_yeouido_2026-07-16T2310.json',
  noForecast: 'samples/citydata_ppltn_POI009_gwanghwamun-deoksugung_2026-09-07T2035_no-forecast-array.json',
  xml2024: 'samples/citydata_ppltn_POI009_gwanghwamun-deoksugung_2024-01-31T2230.xml',
  citydata: 'samples/citydata_POI009_gwanghwamun-deoksugung_2026-07-10T1900.json',
  invalidKey: 'samples/errors/INFO-100_invalid-key_json-path_airQualityAPI_http200_application-xml.xml',
} as const;
