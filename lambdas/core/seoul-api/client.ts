import { describeError, InvalidApiKeyError } from '../errors.js';
import type { Log } from '../logger.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy, sleep } from '../retry.js';
import { SETTINGS } from '../settings.js';
import { type HttpGet, HttpGetError, httpGet } from './http-get.js';
import { type KeyPattern, keyPattern, maskKey } from './key-mask.js';
import { type ApiAnswer, describeResultCode, parseApiBody, type SeoulService } from './response.js';

export const DEFAULT_API_BASE_URL = SETTINGS.apiBaseUrl.default;
/** The portal's public demo key. It answers POI009 (광화문·덕수궁) whatever place is asked. */
export const SAMPLE_API_KEY = SETTINGS.apiKey.default;
export const SAMPLE_KEY_PLACE = 'POI009';
/** A normal answer is about 3 KB (the integrated `citydata` service about 60 KB). */
export const DEFAULT_MAX_ANSWER_BYTES = SETTINGS.apiMaxAnswerBytes.default;

export interface SeoulApiClientOptions {
  readonly baseUrl?: string;
  readonly apiKey: string;
  readonly service?: SeoulService;
  /** Per-request limit; a slower answer counts as a failed attempt. @default SETTINGS.requestTimeoutMs.default */
  readonly timeoutMs?: number;
  /** An answer larger than this (as sent or decoded) counts as a failed attempt. @default SETTINGS.apiMaxAnswerBytes.default */
  readonly maxAnswerBytes?: number;
  readonly retry?: RetryPolicy;
  readonly log?: Log;
  /** The HTTP GET; injected by tests. @default {@link httpGet} (undici, with hard deadlines) */
  readonly http?: HttpGet;
  readonly random?: () => number;
  /** Waits between attempts; rejects when the run's signal aborts. Injected by tests to run on a clock they control. @default {@link sleep} */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What the API sent, kept whole for `raw/`, with what was unusual about it. */
export interface AnswerAsReceived {
  /**
   * The body as received (after its Content-Encoding is undone), the key masked: UTF-8 text, byte
   * for byte (a byte-order mark included), or base64 of the bytes when they were not valid UTF-8.
   */
  readonly body: string;
  readonly encoding: 'utf8' | 'base64';
  readonly notes: readonly string[];
}

/** The outcome for one place after all attempts. INFO-100 is not an outcome: it throws. */
export type PlaceFetch =
  | {
      status: 'ok';
      record: Record<string, unknown>;
      fetchedAt: Date;
      attempts: number;
      /**
       * The whole answer as received, and what was unusual about it (several records, invalid
       * UTF-8, repeated keys). This client always sets it; other sources of records may not.
       */
      answer?: AnswerAsReceived;
    }
  | { status: 'no-data'; reason: string; attempts: number }
  | { status: 'failed'; reason: string; attempts: number };

type Attempt = { retry: boolean; outcome: PlaceFetch } | { retry: true; reason: string };

/**
 * Calls the API for one place at a time, by code, with a per-request deadline that always fires
 * and a ceiling on the answer's size, and retries with exponential back-off and jitter for what
 * can be transient (network errors, timeouts, oversized or mis-encoded bodies, HTTP 5xx and 429,
 * ERROR-500/600/601, unparseable bodies). The key is part of the URL path, so the URL is never
 * logged; the key is masked (key-mask.ts: in any spelling, or a part of 8 characters or more) in
 * the body as received, in every string of the parsed answer, and in every message, so nothing
 * that leaves this class can hold it. A reason never quotes the body.
 */
export class SeoulApiClient {
  private readonly baseUrl: string;
  private readonly service: SeoulService;
  private readonly timeoutMs: number;
  private readonly maxAnswerBytes: number;
  private readonly retry: RetryPolicy;
  private readonly http: HttpGet;
  private readonly random: () => number;
  /** The key made ready for masking; undefined for the public sample key, which is no secret. */
  private readonly key: { readonly text: KeyPattern; readonly bytes: KeyPattern } | undefined;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: SeoulApiClientOptions) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
    this.service = options.service ?? 'citydata_ppltn';
    this.timeoutMs = options.timeoutMs ?? SETTINGS.requestTimeoutMs.default;
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.http = options.http ?? httpGet;
    this.random = options.random ?? Math.random;
    // The public demo key is no secret, and masking the word "sample" would garble messages.
    this.key =
      options.apiKey === SAMPLE_API_KEY || options.apiKey.length < 3
        ? undefined
        : {
            text: keyPattern(options.apiKey),
            // The bytes of a body that is not UTF-8 are searched one byte per character.
            bytes: keyPattern(Buffer.from(options.apiKey, 'utf8').toString('latin1')),
          };
    this.sleep = options.sleep ?? sleep;
  }

  /** `/{KEY}/json/{service}/1/5/{code}`: the documented URL scheme. */
  private urlFor(code: string): string {
    return `${this.baseUrl}/${encodeURIComponent(this.options.apiKey)}/json/${this.service}/1/5/${encodeURIComponent(code)}`;
  }

  /**
   * Fetches one place. Resolves with ok / no-data / failed; rejects with {@link InvalidApiKeyError}
   * on INFO-100, and with the signal's reason when the run is aborted.
   */
  async fetchPlace(code: string, runSignal?: AbortSignal): Promise<PlaceFetch> {
    let lastReason = 'no attempt made';
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      const result = await this.attempt(code, attempt, runSignal);
      if (!('reason' in result)) return this.masked(result.outcome);
      lastReason = result.reason;
      if (attempt < this.retry.maxAttempts) {
        const delay = backoffDelayMs(this.retry, attempt, this.random);
        this.options.log?.debug('retrying place', {
          place: code,
          attempt,
          delayMs: delay,
          reason: lastReason,
        });
        await this.sleep(delay, runSignal);
      }
    }
    return {
      status: 'failed',
      reason: this.redact(`${lastReason} (after ${this.retry.maxAttempts} attempts)`),
      attempts: this.retry.maxAttempts,
    };
  }

  private masked(outcome: PlaceFetch): PlaceFetch {
    return outcome.status === 'ok' ? outcome : { ...outcome, reason: this.redact(outcome.reason) };
  }

  private async attempt(code: string, attempt: number, runSignal?: AbortSignal): Promise<Attempt> {
    let status: number;
    let bytes: Buffer;
    try {
      const answer = await this.http(this.urlFor(code), {
        timeoutMs: this.timeoutMs,
        maxBytes: this.maxAnswerBytes,
        headers: { accept: 'application/json' },
        ...(runSignal ? { signal: runSignal } : {}),
      });
      status = answer.status;
      bytes = answer.body;
    } catch (error) {
      if (runSignal?.aborted) throw runSignal.reason;
      const reason = error instanceof HttpGetError ? error.message : `network error: ${describeError(error)}`;
      return { retry: true, reason: this.redact(reason) };
    }
    if (status >= 500 || status === 429) return { retry: true, reason: `HTTP ${status}` };
    if (status >= 400)
      return { retry: false, outcome: { status: 'failed', reason: `HTTP ${status}`, attempts: attempt } };
    const decoded = decodeUtf8(bytes);
    const text = this.redact(decoded.text);
    const maskText = (value: string) => this.redact(value);
    return this.interpret(code, parseApiBody(text, this.service, code, { maskText }), attempt, () =>
      decoded.valid
        ? { body: text, encoding: 'utf8' }
        : { body: this.redactBytes(bytes).toString('base64'), encoding: 'base64' },
    );
  }

  private interpret(
    code: string,
    answer: ApiAnswer,
    attempt: number,
    asReceived: () => Omit<AnswerAsReceived, 'notes'>,
  ): Attempt {
    switch (answer.kind) {
      case 'ok': {
        const answered = answer.record.AREA_CD;
        if (answered !== code) {
          const hint =
            this.options.apiKey === SAMPLE_API_KEY ? ' (the sample key answers POI009 for every place)' : '';
          // Named only when it has a place code's shape: a reason never quotes what a server chose.
          const other =
            typeof answered === 'string' && /^POI\d{3}$/.test(answered) ? answered : 'another place';
          const reason = `answer is for ${other}, not ${code}${hint}`;
          return { retry: false, outcome: { status: 'failed', reason, attempts: attempt } };
        }
        const notes = [...(answer.notes ?? [])];
        const received = asReceived();
        if (received.encoding === 'base64')
          notes.unshift('answer is not valid UTF-8: the record has U+FFFD where bytes were invalid');
        return {
          retry: false,
          outcome: {
            status: 'ok',
            record: answer.record,
            fetchedAt: new Date(),
            attempts: attempt,
            answer: { ...received, notes },
          },
        };
      }
      case 'no-data':
        return {
          retry: false,
          outcome: {
            status: 'no-data',
            reason: describeResultCode(answer.resultCode),
            attempts: attempt,
          },
        };
      case 'invalid-key':
        throw new InvalidApiKeyError();
      case 'transient':
        return { retry: true, reason: describeResultCode(answer.resultCode) };
      case 'request-error':
        return {
          retry: false,
          outcome: {
            status: 'failed',
            reason: describeResultCode(answer.resultCode),
            attempts: attempt,
          },
        };
      case 'malformed':
        return { retry: true, reason: this.redact(answer.reason) };
    }
  }

  /** Bytes that are not UTF-8, masked one byte per character: every spelling of an ASCII key. */
  private redactBytes(body: Buffer): Buffer {
    if (!this.key) return body;
    return Buffer.from(maskKey(body.toString('latin1'), this.key.bytes), 'latin1');
  }

  /** Masks the key, in any spelling or in part, in any text that could reach a log, an error or a file. */
  redact(text: string): string {
    return this.key ? maskKey(text, this.key.text) : text;
  }
}

// ignoreBOM: true keeps a byte-order mark in the text, so the text is the bytes as received.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The body as text, and whether it was valid UTF-8 (if not, bad bytes become U+FFFD). */
function decodeUtf8(bytes: Buffer): { text: string; valid: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), valid: true };
  } catch {
    return { text: lenientUtf8.decode(bytes), valid: false };
  }
}
