import { XMLParser } from 'fast-xml-parser';

/** The two services this client speaks. `citydata` nests the same place record deeper. */
export type SeoulService = 'citydata_ppltn' | 'citydata';

/** What one answer of the API means, decided from its body alone. */
export type ApiAnswer =
  | {
      kind: 'ok';
      resultCode: string | undefined;
      record: Record<string, unknown>;
      /** What was unusual about the answer (e.g. several records), for the raw archive. */
      notes?: string[];
    }
  | { kind: 'no-data'; resultCode: string; message: string }
  | { kind: 'invalid-key'; resultCode: string; message: string }
  /** ERROR-500/600/601: trouble on the API's side, worth retrying. */
  | { kind: 'transient'; resultCode: string; message: string }
  /** ERROR-300…336 and any other code: the request itself is wrong, retrying cannot help. */
  | { kind: 'request-error'; resultCode: string; message: string }
  /** Not JSON, not XML, or neither data nor a result code: worth retrying. */
  | { kind: 'malformed'; reason: string };

const TRANSIENT_CODES = new Set(['ERROR-500', 'ERROR-600', 'ERROR-601']);

const xml = new XMLParser({
  parseTagValue: false, // every scalar stays a string, exactly as the JSON form has it
  trimValues: true,
  ignoreAttributes: true,
  processEntities: true,
});

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads an API body as text. `<` first means XML (the invalid-key answer is XML with HTTP 200
 * even on a `/json/` path, and old recordings are XML); anything else is read as JSON. The result
 * code is read in both the `RESULT.CODE` form and the plain `CODE` form.
 */
export function parseApiBody(
  body: string,
  service: SeoulService = 'citydata_ppltn',
  askedCode?: string,
): ApiAnswer {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') return { kind: 'malformed', reason: 'empty body' };
  let document: Json;
  try {
    document = text.startsWith('<') ? parseXmlDocument(text) : parseJsonDocument(text);
  } catch (error) {
    return {
      kind: 'malformed',
      reason: `unparseable ${text.startsWith('<') ? 'XML' : 'JSON'} body: ${withoutQuotedBody((error as Error).message)}`,
    };
  }
  return interpret(document, service, askedCode);
}

function parseJsonDocument(text: string): Json {
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) throw new Error('top level is not an object');
  return parsed;
}

function parseXmlDocument(text: string): Json {
  const parsed: unknown = xml.parse(text, true);
  if (!isObject(parsed)) throw new Error('no XML element');
  // Success bodies are wrapped in <Map>; error bodies are a bare <RESULT>.
  return isObject(parsed.Map) ? parsed.Map : parsed;
}

/**
 * Parser messages may quote the first bytes of the body (V8: `Unexpected token 'x', "…" is not
 * valid JSON`); a reason says what is wrong, never what a hostile server sent.
 */
function withoutQuotedBody(message: string): string {
  return message
    .replace(/,\s*".*" is not valid JSON$/s, ' (not valid JSON)')
    .replace(/\s+/g, ' ')
    .slice(0, 160);
}

function interpret(document: Json, service: SeoulService, askedCode: string | undefined): ApiAnswer {
  const result = readResult(document);
  const records = readRecords(document, service);
  const record = records.find((r) => askedCode !== undefined && r.AREA_CD === askedCode) ?? records[0];
  if (record && (result === undefined || result.code === 'INFO-000')) {
    const notes =
      records.length > 1
        ? [
            `answer holds ${records.length} place records; the one for ${JSON.stringify(String(record.AREA_CD).slice(0, 40))} is used, raw/ keeps them all`,
          ]
        : [];
    return { kind: 'ok', resultCode: result?.code, record, ...(notes.length > 0 ? { notes } : {}) };
  }
  if (result === undefined)
    return { kind: 'malformed', reason: 'neither place data nor a result code in the body' };
  const { code, message } = result;
  if (code === 'INFO-000') return { kind: 'malformed', reason: 'INFO-000 but no place record in the body' };
  if (code === 'INFO-100') return { kind: 'invalid-key', resultCode: code, message };
  if (code === 'INFO-200') return { kind: 'no-data', resultCode: code, message };
  if (TRANSIENT_CODES.has(code)) return { kind: 'transient', resultCode: code, message };
  return { kind: 'request-error', resultCode: code, message };
}

function readResult(document: Json): { code: string; message: string } | undefined {
  const candidates = [
    document.RESULT,
    isObject(document.CITYDATA) ? document.CITYDATA.RESULT : undefined,
    document,
  ];
  for (const candidate of candidates) {
    if (!isObject(candidate)) continue;
    const code = candidate['RESULT.CODE'] ?? candidate.CODE;
    if (typeof code === 'string' && code !== '') {
      const message = candidate['RESULT.MESSAGE'] ?? candidate.MESSAGE;
      return { code, message: typeof message === 'string' ? message : '' };
    }
  }
  return undefined;
}

function readRecords(document: Json, service: SeoulService): Record<string, unknown>[] {
  const container =
    service === 'citydata'
      ? isObject(document.CITYDATA)
        ? document.CITYDATA.LIVE_PPLTN_STTS
        : undefined
      : document['SeoulRtd.citydata_ppltn'];
  const list: unknown[] = Array.isArray(container) ? container : [container];
  return list.filter(isObject).map(normalizeXmlForecast);
}

/**
 * In XML the forecast list is `<FCST_PPLTN><FCST_PPLTN>…</FCST_PPLTN>…</FCST_PPLTN>`; the JSON
 * form is a plain array. Give both the JSON shape so everything downstream sees one form.
 */
function normalizeXmlForecast(record: Json): Json {
  const forecast = record.FCST_PPLTN;
  if (!isObject(forecast) || !('FCST_PPLTN' in forecast)) return record;
  const inner = forecast.FCST_PPLTN;
  return { ...record, FCST_PPLTN: Array.isArray(inner) ? inner : [inner] };
}
