import { describeError, InvalidApiKeyError } from '../errors.js';
import type { Log } from '../logger.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy, sleep } from '../retry.js';
import { SETTINGS } from '../settings.js';
import { type ApiAnswer, parseApiBody, type SeoulService } from './response.js';

export const DEFAULT_API_BASE_URL = SETTINGS.apiBaseUrl.default;
/** The portal's public demo key. It answers POI009 (광화문·덕수궁) whatever place is asked. */
export const SAMPLE_API_KEY = SETTINGS.apiKey.default;
export const SAMPLE_KEY_PLACE = 'POI009';

export interface SeoulApiClientOptions {
  readonly baseUrl?: string;
  readonly apiKey: string;
  readonly service?: SeoulService;
  /** Per-request limit; a slower answer counts as a failed attempt. @default SETTINGS.requestTimeoutMs.default */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly log?: Log;
  /** Injected for tests. */
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
}

/** The outcome for one place after all attempts. INFO-100 is not an outcome: it throws. */
export type PlaceFetch =
  | { status: 'ok'; record: Record<string, unknown>; fetchedAt: Date; attempts: number }
  | { status: 'no-data'; reason: string; attempts: number }
  | { status: 'failed'; reason: string; attempts: number };

type Attempt = { retry: boolean; outcome: PlaceFetch } | { retry: true; reason: string };

/**
 * Calls the API for one place at a time, by code, with a per-request timeout and retries with
 * exponential back-off and jitter for what can be transient (network errors, timeouts, HTTP 5xx
 * and 429, ERROR-500/600/601, unparseable bodies). The key is part of the URL path, so the URL
 * is never logged, and every message that leaves this class has the key masked.
 */
export class SeoulApiClient {
  private readonly baseUrl: string;
  private readonly service: SeoulService;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;

  constructor(private readonly options: SeoulApiClientOptions) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
    this.service = options.service ?? 'citydata_ppltn';
    this.timeoutMs = options.timeoutMs ?? SETTINGS.requestTimeoutMs.default;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.fetchImpl = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
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
      if (!('reason' in result)) return result.outcome;
      lastReason = result.reason;
      if (attempt < this.retry.maxAttempts) {
        const delay = backoffDelayMs(this.retry, attempt, this.random);
        this.options.log?.debug('retrying place', {
          place: code,
          attempt,
          delayMs: delay,
          reason: lastReason,
        });
        await sleep(delay, runSignal);
      }
    }
    return {
      status: 'failed',
      reason: `${lastReason} (after ${this.retry.maxAttempts} attempts)`,
      attempts: this.retry.maxAttempts,
    };
  }

  private async attempt(code: string, attempt: number, runSignal?: AbortSignal): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = runSignal ? AbortSignal.any([runSignal, timeout]) : timeout;
    let status: number;
    let body: string;
    try {
      const response = await this.fetchImpl(this.urlFor(code), {
        signal,
        headers: { accept: 'application/json' },
      });
      status = response.status;
      body = await response.text();
    } catch (error) {
      if (runSignal?.aborted) throw runSignal.reason;
      const reason = timeout.aborted
        ? `timed out after ${this.timeoutMs} ms`
        : `network error: ${describeError(error)}`;
      return { retry: true, reason: this.redact(reason) };
    }
    if (status >= 500 || status === 429) return { retry: true, reason: `HTTP ${status}` };
    if (status >= 400)
      return { retry: false, outcome: { status: 'failed', reason: `HTTP ${status}`, attempts: attempt } };
    return this.interpret(code, parseApiBody(body, this.service), attempt);
  }

  private interpret(code: string, answer: ApiAnswer, attempt: number): Attempt {
    switch (answer.kind) {
      case 'ok': {
        const answered = answer.record.AREA_CD;
        if (answered !== code) {
          const hint =
            this.options.apiKey === SAMPLE_API_KEY ? ' (the sample key answers POI009 for every place)' : '';
          const reason = `answer is for ${JSON.stringify(answered)}, not ${code}${hint}`;
          return { retry: false, outcome: { status: 'failed', reason, attempts: attempt } };
        }
        return {
          retry: false,
          outcome: { status: 'ok', record: answer.record, fetchedAt: new Date(), attempts: attempt },
        };
      }
      case 'no-data':
        return {
          retry: false,
          outcome: {
            status: 'no-data',
            reason: this.redact(`${answer.resultCode} ${answer.message}`.trim()),
            attempts: attempt,
          },
        };
      case 'invalid-key':
        throw new InvalidApiKeyError();
      case 'transient':
        return { retry: true, reason: this.redact(`${answer.resultCode} ${answer.message}`.trim()) };
      case 'request-error':
        return {
          retry: false,
          outcome: {
            status: 'failed',
            reason: this.redact(`${answer.resultCode} ${answer.message}`.trim()),
            attempts: attempt,
          },
        };
      case 'malformed':
        return { retry: true, reason: this.redact(answer.reason) };
    }
  }

  /** Masks the key (raw and URL-encoded) in any text that could reach a log, an error or a file. */
  redact(text: string): string {
    // The public demo key is no secret, and masking the word "sample" would garble messages.
    if (this.options.apiKey === SAMPLE_API_KEY) return text;
    return redactSecret(text, this.options.apiKey);
  }
}

export function redactSecret(text: string, secret: string): string {
  if (secret.length < 3) return text;
  let masked = text;
  for (const form of new Set([secret, encodeURIComponent(secret)])) masked = masked.split(form).join('***');
  return masked;
}
