import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatKstWallClock } from '../../lambdas/core/kst-time.js';
import { findPlace } from '../../lambdas/core/places.js';
import { fixtureText } from './fixtures.js';

/**
 * A stand-in for the city's API that answers with its own recorded answers
 * (test/fixtures/samples/), one era at a time: `without-forecast` serves the answer of 2026-09-07
 * (no FCST_PPLTN although FCST_YN is Y), `with-forecast` the answer of 2026-07-16 (12 forecast
 * hours). Only what must follow the request changes: the place asked (AREA_CD, AREA_NM) and the
 * times, moved to the clock's, so a run's data is fresh; every other byte is the API's.
 */
export type Era = 'without-forecast' | 'with-forecast';

const ANSWERS: Record<Era, string> = {
  'without-forecast':
    'samples/citydata_ppltn_POI009_gwanghwamun-deoksugung_2026-09-07T2035_no-forecast-array.json',
  'with-forecast': 'samples/citydata_ppltn_POI072_yeouido_2026-07-16T2310.json',
};

/** The recorded place record of an era, verbatim (the oracle of what a row must hold). */
export function recordedRecord(era: Era): Record<string, unknown> {
  return (JSON.parse(fixtureText(ANSWERS[era])) as { 'SeoulRtd.citydata_ppltn': Record<string, unknown>[] })[
    'SeoulRtd.citydata_ppltn'
  ][0] as Record<string, unknown>;
}

export class RecordedApi {
  era: Era = 'without-forecast';
  private server: Server | undefined;
  /** Places asked, in order. */
  readonly asked: string[] = [];

  constructor(private readonly now: () => Date) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const code = decodeURIComponent((request.url ?? '').split('/').pop() ?? '');
      this.asked.push(code);
      const place = findPlace(code);
      if (!place) {
        response.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
        response.end(
          JSON.stringify({
            RESULT: { 'RESULT.CODE': 'INFO-200', 'RESULT.MESSAGE': '해당하는 데이터가 없습니다.' },
          }),
        );
        return;
      }
      const answer = JSON.parse(fixtureText(ANSWERS[this.era])) as Record<string, unknown>;
      const [record] = answer['SeoulRtd.citydata_ppltn'] as Record<string, unknown>[];
      const observed = new Date(Math.floor(this.now().getTime() / 300_000) * 300_000 - 15 * 60_000);
      Object.assign(record as object, {
        AREA_CD: place.code,
        AREA_NM: place.name,
        PPLTN_TIME: formatKstWallClock(observed),
      });
      const forecast = (record as { FCST_PPLTN?: Record<string, string>[] }).FCST_PPLTN;
      const firstHour = Math.floor(observed.getTime() / 3_600_000) * 3_600_000;
      forecast?.forEach((entry, hour) => {
        entry.FCST_TIME = formatKstWallClock(new Date(firstHour + (hour + 1) * 3_600_000));
      });
      response.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
      response.end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
