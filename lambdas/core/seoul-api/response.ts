import { XMLParser } from 'fast-xml-parser';
import {
  ANSWER_LIMITS,
  copyWithinLimits,
  JsonLimitError,
  JsonSyntaxError,
  parseBoundedJson,
} from '../bounded-json.js';

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
  /** Not JSON, not XML, over a limit, or neither data nor a result code: worth retrying. */
  | { kind: 'malformed'; reason: string };

const TRANSIENT_CODES = new Set(['ERROR-500', 'ERROR-600', 'ERROR-601']);

/**
 * What each documented result code means (the portal's standard codes), so that a reason can say
 * it without quoting the answer: a reason never carries bytes of the body, which a hostile server
 * chooses.
 */
const RESULT_MEANINGS: Readonly<Record<string, string>> = {
  'INFO-000': 'success',
  'INFO-100': 'the key is not valid',
  'INFO-200': 'no data for this place',
  'ERROR-300': 'a required value is missing',
  'ERROR-301': 'the file type is missing or not valid',
  'ERROR-310': 'no such service',
  'ERROR-331': 'the start position is not valid',
  'ERROR-332': 'the end position is not valid',
  'ERROR-333': 'a position is not a number',
  'ERROR-334': 'the start position is after the end position',
  'ERROR-335': 'the sample key answers at most 5 rows at a time',
  'ERROR-336': 'at most 1000 rows at a time',
  'ERROR-500': 'server error',
  'ERROR-600': 'database connection error',
  'ERROR-601': 'SQL error',
};

/** `INFO-200: no data for this place`; a code of another shape is not repeated. */
export function describeResultCode(code: string): string {
  const meaning = RESULT_MEANINGS[code];
  if (meaning) return `${code}: ${meaning}`;
  return /^(INFO|ERROR)-\d{3}$/.test(code)
    ? `${code}: an undocumented result code`
    : 'an unknown result code';
}

const xml = new XMLParser({
  parseTagValue: false, // every scalar stays a string, exactly as the JSON form has it
  trimValues: true,
  ignoreAttributes: true,
  processEntities: true,
  // XML's own five entities and numeric character references (`&#83;`), nothing from HTML. The
  // typings say boolean; fast-xml-parser 5 takes a map of named entities here, and a map also
  // turns numeric references on (OrderedObjParser.js). api-response.test.ts proves both.
  htmlEntities: { amp: '&', apos: "'", gt: '>', lt: '<', quot: '"' } as unknown as boolean,
  maxNestedTags: ANSWER_LIMITS.maxDepth,
});

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ParseOptions {
  /** Applied to every key and string of the answer once decoded (the client masks the API key). */
  readonly maskText?: (text: string) => string;
}

/**
 * Reads an API body as text. `<` first means XML (the invalid-key answer is XML with HTTP 200
 * even on a `/json/` path, and old recordings are XML); anything else is read as JSON. The result
 * code is read in both the `RESULT.CODE` form and the plain `CODE` form. An answer deeper, wider
 * or with longer strings than {@link ANSWER_LIMITS} is malformed, with which limit it broke.
 */
export function parseApiBody(
  body: string,
  service: SeoulService = 'citydata_ppltn',
  askedCode?: string,
  options: ParseOptions = {},
): ApiAnswer {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') return { kind: 'malformed', reason: 'empty body' };
  const format = text.startsWith('<') ? 'XML' : 'JSON';
  let document: Json;
  let duplicateKeys: readonly string[] = [];
  try {
    if (format === 'XML') document = parseXmlDocument(text);
    else ({ document, duplicateKeys } = parseJsonDocument(text));
    document = copyWithinLimits(document, ANSWER_LIMITS, options.maskText ?? ((t) => t)) as Json;
  } catch (error) {
    if (error instanceof JsonLimitError)
      return { kind: 'malformed', reason: `answer over a limit: ${error.message}` };
    const why =
      error instanceof JsonSyntaxError || error instanceof AnswerShapeError
        ? error.message
        : describeXmlError(error);
    return { kind: 'malformed', reason: `unparseable ${format} body: ${why}` };
  }
  const answer = interpret(document, service, askedCode);
  if (answer.kind !== 'ok' || duplicateKeys.length === 0) return answer;
  const shown = duplicateKeys.slice(0, 5).map((path) => (options.maskText ?? ((t) => t))(path));
  const more = duplicateKeys.length > 5 ? ` and ${duplicateKeys.length - 5} more` : '';
  return {
    ...answer,
    notes: [
      ...(answer.notes ?? []),
      `answer repeats a key in one object (${shown.join(', ')}${more}): the last value is used, raw/ keeps the answer as received`,
    ],
  };
}

/** The answer is well formed but not what an answer is (e.g. a bare list at the top). */
class AnswerShapeError extends Error {}

function parseJsonDocument(text: string): { document: Json; duplicateKeys: readonly string[] } {
  const { value, duplicateKeys } = parseBoundedJson(text, ANSWER_LIMITS);
  if (!isObject(value)) throw new AnswerShapeError('top level is not an object');
  return { document: value, duplicateKeys };
}

function parseXmlDocument(text: string): Json {
  // The API sends none, and a DOCTYPE is how entities that expand into anything get defined.
  if (/<!DOCTYPE/i.test(text)) throw new AnswerShapeError('it declares a DOCTYPE, which the API never sends');
  const parsed: unknown = xml.parse(text, true);
  if (!isObject(parsed)) throw new AnswerShapeError('no XML element');
  // Success bodies are wrapped in <Map>; error bodies are a bare <RESULT>.
  return isObject(parsed.Map) ? parsed.Map : parsed;
}

/**
 * fast-xml-parser's messages name the tags and characters it met (`Expected closing tag 'x'…`),
 * which a hostile server chooses. This keeps what kind of mistake it is and where.
 */
function describeXmlError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Maximum nested tags exceeded/.test(message))
    return `elements are nested more than ${ANSWER_LIMITS.maxDepth} levels deep`;
  const [, line, column] = /:(\d+):(\d+)$/.exec(message) ?? [];
  const where = line ? ` at line ${line}, column ${column}` : '';
  for (const [pattern, kind] of XML_ERROR_KINDS) if (pattern.test(message)) return `${kind}${where}`;
  return `not well-formed XML${where}`;
}

const XML_ERROR_KINDS: readonly (readonly [RegExp, string])[] = [
  [/closing tag|Unclosed|unpaired|not closed/i, 'a tag is not closed or not matched'],
  [/is not expected|Invalid|invalid/, 'an unexpected character or name'],
  [/SECURITY|reserved/i, 'an element name that is not allowed'],
  [/entit/i, 'an entity that is not allowed'],
];

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
