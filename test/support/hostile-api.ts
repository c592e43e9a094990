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
  | 'min-over-max' // a record that cannot be stored: AREA_PPLTN_MIN above AREA_PPLTN_MAX
  // Parser limits (ANSWER_LIMITS): each fails its place only, with the limit named.
  | 'deep-json' // 100,000 nested arrays, about 200 KB
  | 'deep-field' // a normal answer whose message is 40 nested arrays
  | 'wide-record' // a record with 10,001 more keys
  | 'long-string' // a message of 70,000 characters
  | 'deep-xml' // 100,000 nested XML elements
  // The key, spelled so that only a decoder shows it: masked in every output.
  | 'key-json-escaped' // the message is the key as \uXXXX escapes, upper-case hex
  | 'key-json-partial' // every other character of the key escaped, lower-case hex
  | 'key-xml-references' // an XML answer: the name holds the key as &#NN; and &#xHH; references
  | 'key-percent' // the message is the key percent-encoded, mixed case
  | 'key-fragment' // the name is 12 characters of the key
  | 'key-chunked' // the key split across two HTTP chunks, 20 ms apart
  // The answer as received: raw/ keeps it byte for byte.
  | 'duplicate-keys' // AREA_NM twice, odd spacing, a number in exponent form
  // Times outside the plausible window: the record is rejected with the reason.
  | 'time-year-0050'
  | 'time-year-9999'
  | 'time-next-week'
  // Text that would drive a terminal: stored as sent, printed escaped.
  | 'control-characters';

/** One answer the server gave: what was asked, how it answered, and the record it served (if any). */
export interface Served {
  readonly tag: string;
  readonly place: string;
  readonly mode: HostileMode;
  /**
   * The place record served as the answer for the place asked, if one was, as a client that
   * decodes it and masks the key must read it: a value that spells the key in any form is `***`.
   */
  readonly record?: Record<string, unknown>;
  /** The bytes sent as the body, for the answers whose bytes matter (raw/ keeps them as received). */
  readonly body?: Buffer;
}

/** The modes whose answers a client must refuse (a limit), place by place. */
export const LIMIT_MODES: readonly HostileMode[] = [
  'deep-json',
  'deep-field',
  'wide-record',
  'long-string',
  'deep-xml',
];
/** The modes that spell the key so that only a decoder shows it. */
export const KEY_MODES: readonly HostileMode[] = [
  'key-json-escaped',
  'key-json-partial',
  'key-xml-references',
  'key-percent',
  'key-fragment',
  'key-chunked',
];
/** The modes whose record holds a time outside the plausible window. */
export const TIME_MODES: readonly HostileMode[] = ['time-year-0050', 'time-year-9999', 'time-next-week'];

/** Text that moves the cursor, retitles the window, clears the screen or fakes a line, if printed raw. */
export const TERMINAL_ATTACK = {
  name: '\u001b]0;pwned\u0007\u001b[2J광장\u009b1A\u202e',
  message: 'calm\n  places: 121 ok, 0 no data, 0 failed (of 121)\r\u001b[1A\u001b[2K',
} as const;

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
        // In strings the parser accepts (ANSWER_LIMITS: 65,535 characters each), so only the size counts.
        const piece = 60_000;
        const padded = {
          ...record,
          PADDING: Array.from({ length: Math.ceil(padding / piece) }, () => 'x'.repeat(piece)),
        };
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
      case 'deep-json':
        log();
        send(
          response,
          200,
          'application/json',
          `{"SeoulRtd.citydata_ppltn":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`,
        );
        return;
      case 'deep-field':
        log();
        json(answer([{ ...record, AREA_CONGEST_MSG: JSON.parse(`${'['.repeat(40)}"x"${']'.repeat(40)}`) }]));
        return;
      case 'wide-record': {
        log();
        const extra = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`EXTRA_${i}`, String(i)]));
        json(answer([{ ...record, ...extra }]));
        return;
      }
      case 'long-string':
        log();
        json(answer([{ ...record, AREA_CONGEST_MSG: '붐'.repeat(70_000) }]));
        return;
      case 'deep-xml':
        log();
        send(
          response,
          200,
          'application/xml',
          `<Map>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</Map>`,
        );
        return;
      case 'key-json-escaped':
      case 'key-json-partial':
      case 'key-percent':
      case 'key-fragment': {
        const spelled = {
          'key-json-escaped': [...key_].map((c) => `\\u${hex4(c).toUpperCase()}`).join(''),
          'key-json-partial': [...key_].map((c, i) => (i % 2 ? `\\u${hex4(c)}` : c)).join(''),
          'key-percent': [...key_]
            .map(
              (c, i) =>
                `%${(c.codePointAt(0) as number).toString(16)[i % 2 ? 'toUpperCase' : 'toLowerCase']()}`,
            )
            .join(''),
          'key-fragment': key_.slice(2, 14),
        }[mode];
        const field = mode === 'key-fragment' ? 'AREA_NM' : 'AREA_CONGEST_MSG';
        log({ ...record, [field]: '***' });
        // Spliced into the text: JSON.stringify would escape the backslashes of the escapes.
        const text = JSON.stringify(answer([{ ...record, [field]: '@@KEY@@' }])).replace('@@KEY@@', spelled);
        send(response, 200, 'application/json', text);
        return;
      }
      case 'key-xml-references': {
        const name = [...key_]
          .map((c, i) =>
            i % 3 === 0 ? `&#${c.codePointAt(0)};` : i % 3 === 1 ? `&#x${hex4(c)};` : xmlText(c),
          )
          .join('');
        log({ ...record, AREA_NM: `${String(record.AREA_NM)} ***` });
        send(
          response,
          200,
          'application/xml',
          xmlAnswer(record, { AREA_NM: `${xmlText(String(record.AREA_NM))} ${name}` }),
        );
        return;
      }
      case 'key-chunked': {
        log({ ...record, AREA_CONGEST_MSG: '***' });
        const text = JSON.stringify(answer([{ ...record, AREA_CONGEST_MSG: key_ }]));
        const cut = text.indexOf(key_) + Math.floor(key_.length / 2);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(text.slice(0, cut));
        setTimeout(() => response.end(text.slice(cut)), 20);
        return;
      }
      case 'duplicate-keys': {
        const last = { ...record };
        const fields = Object.entries(record)
          .map(([name, value]) => `\n      ${JSON.stringify(name)} :  ${JSON.stringify(value)}`)
          .join(' ,');
        const text = `{ "SeoulRtd.citydata_ppltn" : [ {\n      "AREA_NM" : "first of two",${fields},\n      "EXTRA_NUMBER" : 1.50E+03\n } ],\n  "RESULT":{"RESULT.CODE":"INFO-000","RESULT.MESSAGE":"정상 처리되었습니다."} }\n`;
        const body = Buffer.from(text, 'utf8');
        this.served.push({
          tag: this.tag,
          place: place.code,
          mode,
          record: { ...last, EXTRA_NUMBER: 1500 },
          body,
        });
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        response.end(body);
        return;
      }
      case 'time-year-0050':
      case 'time-year-9999':
      case 'time-next-week': {
        const time =
          mode === 'time-year-0050'
            ? `0050${String(record.PPLTN_TIME).slice(4)}`
            : mode === 'time-year-9999'
              ? `9999${String(record.PPLTN_TIME).slice(4)}`
              : kstText(new Date(this.now().getTime() + 7 * 24 * 3_600_000));
        const dated = { ...record, PPLTN_TIME: time };
        log(dated);
        json(answer([dated]));
        return;
      }
      case 'control-characters': {
        const hostile = {
          ...record,
          AREA_NM: `${String(record.AREA_NM)}${TERMINAL_ATTACK.name}`,
          AREA_CONGEST_MSG: TERMINAL_ATTACK.message,
        };
        log(hostile);
        json(answer([hostile]));
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

const hex4 = (character: string) => (character.codePointAt(0) as number).toString(16).padStart(4, '0');
const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `YYYY-MM-DD HH:MM` in KST. */
function kstText(instant: Date): string {
  return new Date(instant.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** A success answer in the API's XML form (as in 2024: `<Map>`, no RESULT), with some fields' XML text given. */
export function xmlAnswer(record: Record<string, unknown>, rawFields: Record<string, string> = {}): string {
  const element = (name: string, value: unknown): string => {
    if (rawFields[name] !== undefined) return `<${name}>${rawFields[name]}</${name}>`;
    if (Array.isArray(value))
      return `<${name}>${value.map((entry) => element(name, entry)).join('')}</${name}>`;
    if (typeof value === 'object' && value !== null)
      return `<${name}>${Object.entries(value)
        .map(([key, inner]) => element(key, inner))
        .join('')}</${name}>`;
    return `<${name}>${xmlText(String(value))}</${name}>`;
  };
  return `<Map>${element('SeoulRtd.citydata_ppltn', record)}</Map>`;
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
