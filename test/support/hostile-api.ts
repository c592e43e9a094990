import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simulatedRecord } from '../../lambdas/cli/simulator/generator.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';

/**
 * What a hostile (or merely odd) API answer can be. One mode per failure the collector must
 * survive; every test and the soak share them.
 */
export type HostileMode =
  | 'ok' // a normal answer
  | 'gzip-lie' // Content-Encoding: gzip on a plain body (hung Node 20's fetch)
  | 'oversized' // a valid answer of several megabytes, streamed
  | 'near-limit' // an answer just under the client's ceiling: its envelope is over Kafka's message limit
  | 'stall-body' // headers, half a body, then silence
  | 'timeout' // never answers
  | 'http-500'
  | 'http-429'
  | 'error-500' // RESULT.CODE ERROR-500 with HTTP 200
  | 'malformed-json'
  | 'no-data' // INFO-200
  | 'info-100' // the key refused, for this place only
  | 'echo-key-everywhere' // the key in every string field, AREA_CD included
  | 'echo-key-message' // the key in the message, the name and the forecast labels; AREA_CD right
  | 'echo-key-error' // a parse error body whose first bytes are the key
  | 'duplicate-forecast' // twelve forecasts with the same FCST_TIME
  | 'multi-record' // two records in one answer, the asked one second
  | 'bad-utf8' // invalid UTF-8 bytes inside the congestion message
  | 'whole-number-shares' // age shares rounded to whole numbers, summing to 98 or 102
  | 'min-over-max'; // a record that cannot be stored: AREA_PPLTN_MIN above AREA_PPLTN_MAX

/** One answer the server gave: what was asked, how it answered, and the record it served (if any). */
export interface Served {
  readonly tag: string;
  readonly place: string;
  readonly mode: HostileMode;
  /** The place record that was served as the answer for the place asked, if one was. */
  readonly record?: Record<string, unknown>;
}

export interface HostileApiOptions {
  /** The one key the server accepts; it is echoed back by the echo modes. */
  readonly key: string;
  /** Decides how each request is answered. `attempt` counts requests per place and tag, from 1. */
  readonly plan?: (request: { place: string; attempt: number; tag: string }) => HostileMode;
  /** The server's clock, which decides the records. @default real time */
  readonly now?: () => Date;
}

/**
 * A Seoul API lookalike on 127.0.0.1 (`/{KEY}/json/citydata_ppltn/1/5/{AREA_CD}`) that can answer
 * every way the collector must survive. It logs what it served, so a ledger can compare each
 * stored row with the answer it came from.
 */
export class HostileApi {
  private server: Server | undefined;
  private readonly attempts = new Map<string, number>();
  private readonly sockets = new Set<import('node:net').Socket>();
  readonly served: Served[] = [];
  /** Labels the answers that follow (the soak sets it to the run's slot). */
  tag = '';
  plan: NonNullable<HostileApiOptions['plan']>;

  constructor(private readonly options: HostileApiOptions) {
    this.plan = options.plan ?? (() => 'ok');
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async start(): Promise<string> {
    const server = createServer((request, response) => this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return this.baseUrl;
  }

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('hostile API is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The record a normal answer holds for a place at the server's clock. */
  recordFor(place: Place): Record<string, unknown> {
    return simulatedRecord(place, this.now());
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const parts = (request.url ?? '/').split('?')[0]?.split('/').filter(Boolean) ?? [];
    const [key = '', , , , , area = ''] = parts.map((part) => decodeURIComponent(part));
    const place = findPlace(area);
    if (key !== this.options.key || !place) {
      send(
        response,
        200,
        'application/xml',
        '<RESULT><CODE>INFO-100</CODE><MESSAGE>bad key</MESSAGE></RESULT>',
      );
      return;
    }
    const counter = `${this.tag}|${place.code}`;
    const attempt = (this.attempts.get(counter) ?? 0) + 1;
    this.attempts.set(counter, attempt);
    const mode = this.plan({ place: place.code, attempt, tag: this.tag });
    const record = this.recordFor(place);
    const log = (served?: Record<string, unknown>) =>
      this.served.push({ tag: this.tag, place: place.code, mode, ...(served ? { record: served } : {}) });
    const json = (body: unknown) =>
      send(response, 200, 'application/json;charset=UTF-8', JSON.stringify(body));
    const answer = (records: unknown[]) => ({
      'SeoulRtd.citydata_ppltn': records,
      RESULT: { 'RESULT.CODE': 'INFO-000', 'RESULT.MESSAGE': '정상 처리되었습니다.' },
    });
    const error = (code: string, message: string) => ({
      RESULT: { 'RESULT.CODE': code, 'RESULT.MESSAGE': message },
    });
    const key_ = this.options.key;
    switch (mode) {
      case 'ok':
        log(record);
        json(answer([record]));
        return;
      case 'gzip-lie': {
        log();
        const body = JSON.stringify(answer([record]));
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.end(body);
        return;
      }
      case 'oversized':
      case 'near-limit': {
        const padding = mode === 'oversized' ? 6_000_000 : 1_020_000;
        const padded = { ...record, PADDING: 'x'.repeat(padding) };
        if (mode === 'near-limit') log(padded);
        else log();
        // Streamed without a length, so only a reading client can find out it is too large.
        response.writeHead(200, { 'content-type': 'application/json' });
        const text = JSON.stringify(answer([padded]));
        for (let at = 0; at < text.length; at += 65_536) response.write(text.slice(at, at + 65_536));
        response.end();
        return;
      }
      case 'stall-body': {
        log();
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"SeoulRtd.citydata_ppltn": [');
        return; // never ends
      }
      case 'timeout':
        log();
        return; // never answers
      case 'http-500':
        log();
        send(response, 500, 'text/html', '<html>500</html>');
        return;
      case 'http-429':
        log();
        send(response, 429, 'text/plain', 'slow down');
        return;
      case 'error-500':
        log();
        json(error('ERROR-500', '서버 오류입니다.'));
        return;
      case 'malformed-json':
        log();
        send(response, 200, 'application/json', '{"SeoulRtd.citydata_ppltn": [{"AREA_NM": "');
        return;
      case 'no-data':
        log();
        json(error('INFO-200', '해당하는 데이터가 없습니다.'));
        return;
      case 'info-100':
        log();
        send(
          response,
          200,
          'application/xml',
          '<RESULT><CODE>INFO-100</CODE><MESSAGE>인증키가 유효하지 않습니다.</MESSAGE></RESULT>',
        );
        return;
      case 'echo-key-everywhere': {
        log();
        const echoed = Object.fromEntries(
          Object.entries(record).map(([name, value]) => [
            name,
            typeof value === 'string' ? `${key_}` : value,
          ]),
        );
        json({ ...answer([echoed]), RESULT: { 'RESULT.CODE': 'INFO-000', 'RESULT.MESSAGE': key_ } });
        return;
      }
      case 'echo-key-message': {
        const echoed = {
          ...record,
          AREA_NM: `${String(record.AREA_NM)} ${key_}`,
          AREA_CONGEST_MSG: `${key_} ${String(record.AREA_CONGEST_MSG)} ${encodeURIComponent(key_)}`,
          FCST_PPLTN: (record.FCST_PPLTN as Record<string, unknown>[]).map((f) => ({
            ...f,
            FCST_CONGEST_LVL: key_,
          })),
        };
        log(echoed);
        json(answer([echoed]));
        return;
      }
      case 'echo-key-error':
        log();
        send(response, 200, 'application/json', `${key_} is not json ${key_}`);
        return;
      case 'duplicate-forecast': {
        const forecasts = record.FCST_PPLTN as Record<string, unknown>[];
        const same = forecasts.map((f, index) => ({
          ...f,
          FCST_TIME: forecasts[0]?.FCST_TIME,
          FCST_PPLTN_MIN: String(1000 + index),
          FCST_PPLTN_MAX: String(2000 + index),
        }));
        const served = { ...record, FCST_PPLTN: same };
        log(served);
        json(answer([served]));
        return;
      }
      case 'multi-record': {
        const other = simulatedRecord(
          findPlace(place.code === 'POI009' ? 'POI010' : 'POI009') as Place,
          this.now(),
        );
        log(record);
        json(answer([other, record]));
        return;
      }
      case 'min-over-max': {
        const broken = { ...record, AREA_PPLTN_MIN: String(Number(record.AREA_PPLTN_MAX) + 1000) };
        log(broken);
        json(answer([broken]));
        return;
      }
      case 'bad-utf8': {
        // What a lenient reader makes of the bytes: each invalid sequence becomes U+FFFD.
        log({ ...record, AREA_CONGEST_MSG: `\uFFFD(\uFFFD${String(record.AREA_CONGEST_MSG)}` });
        const text = JSON.stringify(answer([record]));
        const message = String(record.AREA_CONGEST_MSG);
        const at = text.indexOf(message);
        const bytes = Buffer.concat([
          Buffer.from(text.slice(0, at), 'utf8'),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from(text.slice(at), 'utf8'),
        ]);
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
        response.end(bytes);
        return;
      }
      case 'whole-number-shares': {
        const whole = wholeNumberShares(record, place.code);
        log(whole);
        json(answer([whole]));
        return;
      }
    }
  }
}

/** The age shares as whole numbers that add up to 98 or 102, as some real answers of 2022 do. */
export function wholeNumberShares(record: Record<string, unknown>, seed: string): Record<string, unknown> {
  const bands = ['0', '10', '20', '30', '40', '50', '60', '70'].map((band) => `PPLTN_RATE_${band}`);
  const rounded = bands.map((band) => Math.round(Number(record[band])));
  const target = seed.charCodeAt(seed.length - 1) % 2 === 0 ? 98 : 102;
  let sum = rounded.reduce((a, b) => a + b, 0);
  for (let i = 0; sum !== target; i = (i + 1) % rounded.length) {
    const step = sum < target ? 1 : -1;
    if ((rounded[i] as number) + step < 0) continue;
    rounded[i] = (rounded[i] as number) + step;
    sum += step;
  }
  const whole = { ...record };
  bands.forEach((band, index) => {
    whole[band] = String(rounded[index]);
  });
  return whole;
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
