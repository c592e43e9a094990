import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALL_PLACES, findPlace, type Place } from '../../core/places.js';
import { simulatedRecord } from './generator.js';

/** A fault the simulator can inject, for tests, benchmarks and the demo. */
export type FaultKind =
  | 'latency' // answer after `latencyMs`
  | 'http-500' // HTTP 500 with an HTML body
  | 'timeout' // never answer (until the client gives up)
  | 'malformed-json' // HTTP 200 with a truncated JSON body
  | 'error-500' // HTTP 200 with RESULT.CODE ERROR-500 (their server error)
  | 'wrong-place' // a valid answer for POI009 instead of the place asked
  | 'no-data' // INFO-200 for a place that exists
  | 'stale'; // a valid answer, but the one published `staleMinutes` ago (an API that stopped updating)

export interface FaultRule {
  readonly kind: FaultKind;
  /** Places affected; all when absent. */
  readonly places?: readonly string[];
  /** Share of matching requests affected, 0–1. @default 1 */
  readonly probability?: number;
  /** Affect only the first N matching requests of each place, then answer normally. */
  readonly times?: number;
  /** For `latency`. @default 200 */
  readonly latencyMs?: number;
  /** For `stale`: how old the answer is. @default 90 */
  readonly staleMinutes?: number;
  /**
   * When, on the simulator's clock, the rule applies to a place (an outage of some places for
   * some hours); always when absent.
   */
  readonly during?: (now: Date, placeCode: string) => boolean;
}

export interface SimulatorOptions {
  /** Keys the simulator accepts; any other answers INFO-100 (XML). Absent: every key but `sample` is a full key. */
  readonly validKeys?: readonly string[];
  readonly faults?: readonly FaultRule[];
  /** The simulator's clock, which decides what the API would be publishing. @default real time */
  readonly now?: () => Date;
  /** Seeds fault probabilities, so a faulty run is reproducible. @default 42 */
  readonly seed?: number;
  /** Waits for a `latency` fault. Injected by tests to hold an answer on a clock they control. @default a timer */
  readonly delay?: (ms: number) => Promise<void>;
  /** The places the simulated city publishes (a place Seoul added, in tests). @default the 121 built in */
  readonly places?: readonly Place[];
  /** Fields the simulated API adds to every place record (the API adding a field, in tests). */
  readonly addedFields?: Readonly<Record<string, string>>;
}

export interface SimulatorRequest {
  readonly service: string;
  readonly place: string;
  /** Whether the key was accepted. The key itself is never stored. */
  readonly keyAccepted: boolean;
  readonly fault?: FaultKind;
}

const INVALID_KEY_XML =
  '<RESULT><CODE>INFO-100</CODE><MESSAGE><![CDATA[인증키가 유효하지 않습니다.\n' +
  '인증키가 없는 경우, 열린 데이터 광장 홈페이지에서 인증키를 신청하십시오.]]></MESSAGE></RESULT>';
const RESULT_OK = { 'RESULT.CODE': 'INFO-000', 'RESULT.MESSAGE': '정상 처리되었습니다.' };
const resultBody = (code: string, message: string) => ({
  RESULT: { 'RESULT.CODE': code, 'RESULT.MESSAGE': message },
});

/**
 * An HTTP server on 127.0.0.1 that speaks the Seoul API's URL scheme and bodies for all 121
 * places: `/{KEY}/{json|xml}/{citydata_ppltn|citydata}/{start}/{end}/{AREA_CD or AREA_NM}`.
 */
export class ApiSimulator {
  private server: Server | undefined;
  private faults: FaultRule[];
  private readonly hits = new Map<string, number>();
  private randomState: number;
  readonly requests: SimulatorRequest[] = [];

  constructor(private readonly options: SimulatorOptions = {}) {
    this.faults = [...(options.faults ?? [])];
    this.randomState = options.seed ?? 42;
  }

  /** Replaces the active faults (and forgets how often each was applied). */
  setFaults(faults: readonly FaultRule[]): void {
    this.faults = [...faults];
    this.hits.clear();
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The record the simulator answers for a place at its current clock. */
  recordFor(place: Place): Record<string, unknown> {
    return { ...simulatedRecord(place, this.now()), ...this.options.addedFields };
  }

  async start(port = 0): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500);
        response.end(String(error));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return this.baseUrl;
  }

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('simulator is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private random(): number {
    this.randomState = (this.randomState * 1_103_515_245 + 12_345) % 2_147_483_648;
    return this.randomState / 2_147_483_648;
  }

  private pickFault(placeCode: string): FaultRule | undefined {
    for (const [index, rule] of this.faults.entries()) {
      if (rule.places && !rule.places.includes(placeCode)) continue;
      if (rule.during && !rule.during(this.now(), placeCode)) continue;
      const counter = `${index}|${placeCode}`;
      const hits = this.hits.get(counter) ?? 0;
      if (rule.times !== undefined && hits >= rule.times) continue;
      if (this.random() >= (rule.probability ?? 1)) continue;
      this.hits.set(counter, hits + 1);
      return rule;
    }
    return undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parts =
      (request.url ?? '/')
        .split('?')[0]
        ?.split('/')
        .filter((part) => part !== '') ?? [];
    const [rawKey = '', type = 'json', service = '', start = '1', end = '5', rawArea = ''] = parts.map(
      (part) => decodeURIComponent(part),
    );
    const key = rawKey;
    const keyAccepted =
      key === 'sample' || (this.options.validKeys ? this.options.validKeys.includes(key) : key !== '');
    if (!keyAccepted) {
      this.requests.push({ service, place: rawArea, keyAccepted });
      return send(response, 200, 'application/xml;charset=UTF-8', INVALID_KEY_XML);
    }
    const json = (status: number, body: unknown) =>
      type === 'xml'
        ? send(response, status, 'application/xml;charset=UTF-8', toXml(service, body))
        : send(response, status, 'application/json;charset=UTF-8', JSON.stringify(body));

    if (service !== 'citydata_ppltn' && service !== 'citydata') {
      this.requests.push({ service, place: rawArea, keyAccepted });
      return json(
        200,
        resultBody('ERROR-310', '해당하는 서비스를 찾을 수 없습니다. 요청인자 중 SERVICE를 확인하십시요.'),
      );
    }
    if (key === 'sample' && Number(end) - Number(start) > 4) {
      return json(
        200,
        resultBody('ERROR-335', '샘플데이터(샘플키:sample) 는 한번에 최대 5건을 넘을 수 없습니다.'),
      );
    }
    // The public sample key answers POI009 whatever place is asked (as users report of the real API).
    const known = this.options.places ?? ALL_PLACES;
    const asked =
      known.find((place) => place.code === rawArea) ?? known.find((place) => place.name === rawArea);
    const place = key === 'sample' ? findPlace('POI009') : asked;
    const fault = asked ? this.pickFault(asked.code) : undefined;
    this.requests.push({ service, place: rawArea, keyAccepted, fault: fault?.kind });

    switch (fault?.kind) {
      case 'latency':
        await (this.options.delay ?? delay)(fault.latencyMs ?? 200);
        break;
      case 'timeout':
        return; // the socket stays open and silent; the client's timeout must end it
      case 'http-500':
        return send(response, 500, 'text/html', '<html><body>500 Internal Server Error</body></html>');
      case 'malformed-json':
        return send(
          response,
          200,
          'application/json;charset=UTF-8',
          '{"SeoulRtd.citydata_ppltn": [{"AREA_NM": "',
        );
      case 'error-500':
        return json(
          200,
          resultBody(
            'ERROR-500',
            '서버 오류입니다. 지속적으로 발생시 열린 데이터 광장으로 문의(Q&A) 바랍니다.',
          ),
        );
      case 'no-data':
        return json(200, resultBody('INFO-200', '해당하는 데이터가 없습니다.'));
      case 'wrong-place':
        return json(200, this.body(service, findPlace('POI009') as Place));
      case 'stale':
        if (place) {
          const then = new Date(this.now().getTime() - (fault.staleMinutes ?? 90) * 60_000);
          return json(200, this.body(service, place, simulatedRecord(place, then)));
        }
        break;
      default:
        break;
    }
    if (!place) return json(200, resultBody('INFO-200', '해당하는 데이터가 없습니다.'));
    return json(200, this.body(service, place));
  }

  private body(service: string, place: Place, record = this.recordFor(place)): unknown {
    if (service === 'citydata') {
      return {
        list_total_count: 1,
        RESULT: RESULT_OK,
        CITYDATA: { AREA_NM: place.name, AREA_CD: place.code, LIVE_PPLTN_STTS: [record] },
      };
    }
    return { 'SeoulRtd.citydata_ppltn': [record], RESULT: RESULT_OK };
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The XML form, shaped like the recorded XML answers (`<Map>` root, nested `FCST_PPLTN`). */
function toXml(service: string, body: unknown): string {
  const element = (name: string, value: unknown): string => {
    if (Array.isArray(value))
      return `<${name}>${value.map((item) => element(name, item)).join('')}</${name}>`;
    if (typeof value === 'object' && value !== null) {
      return `<${name}>${Object.entries(value)
        .map(([key, inner]) => element(key, inner))
        .join('')}</${name}>`;
    }
    return `<${name}>${escapeXml(String(value))}</${name}>`;
  };
  const document = body as Record<string, unknown>;
  const result = document.RESULT as Record<string, string> | undefined;
  const data = document[`SeoulRtd.${service}`] ?? document.CITYDATA;
  if (!data && result)
    return `<RESULT><CODE>${result['RESULT.CODE']}</CODE><MESSAGE>${escapeXml(result['RESULT.MESSAGE'] ?? '')}</MESSAGE></RESULT>`;
  const records = Array.isArray(data) ? data : [data];
  return `<Map>${records.map((record) => element(`SeoulRtd.${service}`, record)).join('')}</Map>`;
}
